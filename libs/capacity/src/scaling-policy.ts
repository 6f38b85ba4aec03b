// How many transformer workers there should be, from the backlog alone. Pure; the capacity manager acts on it.

export interface ScalingConfig {
  min: number;
  max: number;
  /** Files one worker is expected to take from the backlog. */
  filesPerWorker: number;
  /** With no backlog for this long, go to `min` (0 by default: no worker runs when there is nothing to do). */
  idleTimeoutMs: number;
}

export interface ScalingInput {
  /** `num_pending + num_ack_pending` of the transformers consumer. */
  backlog: number;
  /** How long the backlog has been 0 (0 while there is a backlog). */
  idleForMs: number;
  /** Workers asked for now. */
  current: number;
}

export interface ScalingDecision {
  desired: number;
  reason: string;
}

const clamp = (n: number, lo: number, hi: number) => Math.min(Math.max(n, lo), hi);

export function desiredWorkers(input: ScalingInput, config: ScalingConfig): ScalingDecision {
  const current = clamp(input.current, config.min, config.max);
  if (input.backlog > 0) {
    const wanted = clamp(Math.ceil(input.backlog / config.filesPerWorker), config.min, config.max);
    // While work remains, never scale in: a shrinking backlog is drained by the workers already warm.
    if (wanted > current) return { desired: wanted, reason: `backlog ${input.backlog} needs ${wanted} worker(s)` };
    return { desired: current, reason: `backlog ${input.backlog}` };
  }
  if (input.idleForMs >= config.idleTimeoutMs) {
    return { desired: config.min, reason: `idle for ${Math.round(input.idleForMs / 1000)}s` };
  }
  return { desired: current, reason: 'no backlog; waiting for the idle timeout' };
}
