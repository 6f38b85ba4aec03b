// Follows one run live: its run and file events, the capacity events, and the KV record as the source of truth.
import type { Subscription } from '@nats-io/transport-node';
import {
  fileEventSubject,
  isFinalRunState,
  parseMessage,
  runEventSubject,
  SUBJECTS,
  type CapacityEvent,
  type FileEvent,
  type RunEvent,
  type RunRecord,
} from '@sluice/contracts';
import type { CliContext } from './cli-context';

export type FollowEvent =
  | { kind: 'run'; event: RunEvent }
  | { kind: 'file'; event: FileEvent }
  | { kind: 'capacity'; event: CapacityEvent };

export type RunOutcome =
  | { state: 'rejected'; reason: string; record?: undefined }
  | { state: RunRecord['state']; record: RunRecord; reason?: undefined };

export interface RunFollower {
  /** Resolves when the run is final (or rejected). */
  outcome: Promise<RunOutcome>;
  stop(): void;
}

/** Subscribe BEFORE publishing the run so no event is missed; the KV record covers anything that was. */
export function followRun(ctx: Pick<CliContext, 'nc' | 'runs'>, runId: string, onEvent: (e: FollowEvent) => void, opts: { timeoutMs?: number } = {}): RunFollower {
  let sub: Subscription | undefined;
  let poll: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let settle!: (o: RunOutcome) => void;
  let fail!: (e: Error) => void;
  let finished = false;
  const outcome = new Promise<RunOutcome>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const stop = () => {
    finished = true;
    sub?.unsubscribe();
    clearInterval(poll);
    clearTimeout(deadline);
  };
  const finishFromRecord = async () => {
    if (finished) return;
    const record = await ctx.runs.get(runId);
    if (record && isFinalRunState(record.state) && !finished) {
      stop();
      settle({ state: record.state, record });
    }
  };

  sub = ctx.nc.subscribe(SUBJECTS.events, {
    callback: (error, msg) => {
      if (error || finished) return;
      const parsed = parseMessage(msg.subject, safeJson(msg.data));
      if (!parsed.ok) return;
      switch (parsed.pattern) {
        case SUBJECTS.capacityEvent:
          onEvent({ kind: 'capacity', event: parsed.message });
          return;
        case SUBJECTS.runEvents: {
          if (msg.subject !== runEventSubject(runId)) return;
          const event = parsed.message;
          onEvent({ kind: 'run', event });
          if (event.type === 'rejected') {
            stop();
            settle({ state: 'rejected', reason: event.reason });
          } else if (event.type === 'completed') {
            void finishFromRecord().catch(fail);
          }
          return;
        }
        case SUBJECTS.fileEvents:
          if (msg.subject === fileEventSubject(runId)) onEvent({ kind: 'file', event: parsed.message });
          return;
      }
    },
  });
  poll = setInterval(() => void finishFromRecord().catch(() => undefined), 2_000);
  if (opts.timeoutMs) {
    deadline = setTimeout(() => {
      stop();
      fail(new Error(`run ${runId} did not finish within ${Math.round(opts.timeoutMs! / 1000)}s`));
    }, opts.timeoutMs);
  }
  return { outcome, stop };
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
}
