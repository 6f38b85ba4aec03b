// A run always ends. Its files settle through file events, and a file whose worker crashed on every delivery is
// failed from JetStream's advisory. What is left: a queued file whose work message is gone with no event for it
// (the work stream purged or its message deleted by hand, a store lost). Once the work stream is empty and the
// run has made no progress for a grace period, such files are failed as `work_lost`, so the run can finish.
import { isFinalRunState, type RunRecord } from '@sluice/contracts';

export interface WorkQueueState {
  /** Messages in the work stream: queued, in progress (unacknowledged) or stuck past their deliveries. */
  messages: number;
}

/**
 * The grace before a queued file with no work message is declared lost. It must outlast a scanner's own resumption:
 * a scanner that died after persisting the plan but before publishing the work gets its run request redelivered
 * after CONTROL_ACK_WAIT_MS, and the last file events may still be on their way to the tracker.
 */
export function lostWorkGraceMs(controlAckWaitMs: number, workAckWaitMs: number): number {
  return 2 * controlAckWaitMs + 2 * workAckWaitMs;
}

/** Pure: the source keys of the run's queued files that no work message can settle any more. */
export function lostFiles(record: RunRecord, work: WorkQueueState, now: number, graceMs: number): string[] {
  if (isFinalRunState(record.state) || work.messages > 0) return [];
  const lastProgress = Date.parse(record.lastProgressAt ?? record.startedAt);
  if (!(now - lastProgress >= graceMs)) return [];
  return Object.entries(record.files)
    .filter(([, file]) => file.status === 'queued')
    .map(([key]) => key);
}
