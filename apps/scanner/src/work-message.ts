// The one way a planned file becomes its `pipeline.file.discovered` message: when it is enqueued, and when a work
// message that is gone (terminated) is rebuilt for its dead letter.
import { CONTRACT_VERSION, type FileDiscovered, type RunRecord } from '@sluice/contracts';

export function workMessageFor(record: RunRecord, key: string): FileDiscovered {
  const file = record.files[key];
  return {
    v: CONTRACT_VERSION,
    runId: record.runId,
    dataset: file.dataset,
    month: file.month,
    source: file.source,
    target: record.target,
    reason: file.reason,
    // the run's own drop limit travels with each file (a worker only sees its message)
    ...(record.options?.maxDropFraction !== undefined ? { maxDropFraction: record.options.maxDropFraction } : {}),
  };
}
