// Requesting a run, and following it to its end: what `sluice run`, the demo and the integration tests all do.
import { runRequestMsgId, SUBJECTS, type RunRequestInput } from '@sluice/contracts';
import type { CliContext } from './cli-context';
import { followRun, type FollowEvent, type RunOutcome } from './run-follower';

export type { FollowEvent, RunOutcome } from './run-follower';

/** A run request with the id it will be followed by. */
export type IdentifiedRunRequest = RunRequestInput & { runId: string };

/** Publishes `pipeline.run` with the run's Msg-Id: the same request sent again starts the run once. */
export async function requestRun(bus: Pick<CliContext, 'publisher'>, request: IdentifiedRunRequest): Promise<void> {
  await bus.publisher.publishJson(SUBJECTS.run, request, runRequestMsgId(request.runId));
}

export interface FollowOptions {
  onEvent?: (e: FollowEvent) => void;
  /** Called once the request is published, before the run is followed to its end. */
  onRequested?: () => void;
  /** Give up (reject) after this long, counted from before the request is published. */
  timeoutMs?: number;
}

/** Requests the run and resolves when it is final or rejected. Subscribes first, so no event of the run is missed. */
export async function runAndFollow(bus: Pick<CliContext, 'nc' | 'runs' | 'publisher'>, request: IdentifiedRunRequest, opts: FollowOptions = {}): Promise<RunOutcome> {
  const follower = followRun(bus, request.runId, opts.onEvent ?? (() => undefined), { timeoutMs: opts.timeoutMs });
  try {
    await requestRun(bus, request);
  } catch (error) {
    follower.stop(); // its poll would otherwise keep the process alive
    throw error;
  }
  opts.onRequested?.();
  return follower.outcome;
}
