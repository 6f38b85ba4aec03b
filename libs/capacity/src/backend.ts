// Where workers come from: local child processes (the embedded default) or, later, an ECS service.

export interface CapacityBackend {
  readonly name: string;
  /** Workers asked for (the last scaleTo), whatever has started yet. */
  desired(): number;
  /** Workers alive and not stopping. */
  running(): Promise<number>;
  /** Starts or gracefully stops workers to reach `count`; a worker is never killed mid-file. */
  scaleTo(count: number): Promise<void>;
  /** Stops every worker gracefully and waits for them (shutdown). */
  shutdown(): Promise<void>;
}
