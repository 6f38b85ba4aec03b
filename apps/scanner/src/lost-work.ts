// A run always ends. Its files settle through file events, and a file whose worker crashed on every delivery is
// failed from JetStream's advisory. What is left: a queued file whose work message is gone with no event for it
// (the work stream purged or its message deleted by hand, a store lost). Once the run has made no progress for a
// grace period, such files are failed as `work_lost`, so the run can finish.
import { isFinalRunState, type RunRecord } from '@sluice/contracts';

/**
 * The grace before a queued file with no work message is declared lost. It must outlast a scanner's own resumption:
 * a scanner that died after persisting the plan but before publishing the work gets its run request redelivered
 * after CONTROL_ACK_WAIT_MS, and the last file events may still be on their way to the tracker.
 */
export function lostWorkGraceMs(controlAckWaitMs: number, workAckWaitMs: number): number {
  return 2 * controlAckWaitMs + 2 * workAckWaitMs;
}

/** Pure: an active run that has made no progress (no file settled, not planned) for the grace period. */
export function stalled(record: RunRecord, now: number, graceMs: number): boolean {
  if (isFinalRunState(record.state)) return false;
  return now - Date.parse(record.lastProgressAt ?? record.startedAt) >= graceMs;
}

export interface WorkQueueState {
  /** Messages in the work stream, of any run (stuck ones included). */
  messages: number;
  /** Which of the run's recorded work sequences are still stored (queued, in progress, or stuck). */
  stored: ReadonlySet<number>;
}

/**
 * Pure: the source keys of a stalled run's queued files that no work message can settle any more: its recorded
 * message is gone, or (no sequence recorded) the work stream is empty.
 */
export function lostFiles(record: RunRecord, work: WorkQueueState): string[] {
  if (isFinalRunState(record.state)) return [];
  return Object.entries(record.files)
    .filter(([, file]) => file.status === 'queued')
    .filter(([, file]) => (file.workSeq === undefined ? work.messages === 0 : !work.stored.has(file.workSeq)))
    .map(([key]) => key);
}
