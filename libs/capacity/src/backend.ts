// Where workers come from: local child processes (the embedded default) or an ECS service.

export interface WorkerCounts {
  /** Workers asked for. */
  desired: number;
  /** Workers alive and not stopping. */
  running: number;
  /** Workers asked for that have not started yet. */
  pending: number;
}

export type ScaleResult = 'changed' | 'unchanged' | 'deferred';

export interface CapacityBackend {
  readonly name: string;
  /** The counts as the backend sees them now (ECS: DescribeServices; local: its own children). */
  observe(): Promise<WorkerCounts>;
  /**
   * Starts or gracefully stops workers to reach `count`; a worker is never killed mid-file. `unchanged` when
   * nothing had to be done, `deferred` when the backend declined for now (a cooldown).
   */
  scaleTo(count: number, reason: string): Promise<ScaleResult>;
  /** Called when the manager stops: local workers are drained; an ECS service is left as it is. */
  shutdown(): Promise<void>;
}
