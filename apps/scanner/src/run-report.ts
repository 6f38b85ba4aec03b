// The run report written to the sink: the whole story of a run, readable without NATS.
import { failureOf, runReportKey, type FileFailure, type RunRecord } from '@sluice/contracts';

/** 2: a failure carries its code and reason as fields (1 had `error: "code: reason"`). */
export interface RunReport {
  reportVersion: 2;
  runId: string;
  intent: RunRecord['intent'];
  state: RunRecord['state'];
  source: string;
  sourceListing: RunRecord['sourceListing'];
  sink: string;
  requestedBy?: string;
  filters: RunRecord['filters'];
  /** Per-run options, e.g. a drop limit chosen for this run. */
  options?: RunRecord['options'];
  requestedAt: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  counts: { candidates: number; total: number; done: number; failed: number; skipped: number; rowsIn: number; rowsOut: number };
  droppedByRule: Record<string, number>;
  orphansRemoved: string[];
  failures: Array<{ sourceKey: string } & FileFailure>;
  files: RunRecord['files'];
  cancelReason?: string;
}

export function buildRunReport(record: RunRecord): RunReport {
  const files = Object.entries(record.files);
  const droppedByRule: Record<string, number> = {};
  let rowsIn = 0;
  let rowsOut = 0;
  for (const [, f] of files) {
    rowsIn += f.rowsIn ?? 0;
    rowsOut += f.rowsOut ?? 0;
    for (const [rule, n] of Object.entries(f.dropped ?? {})) droppedByRule[rule] = (droppedByRule[rule] ?? 0) + n;
  }
  return {
    reportVersion: 2,
    runId: record.runId,
    intent: record.intent,
    state: record.state,
    source: record.source,
    sourceListing: record.sourceListing,
    sink: record.sink,
    requestedBy: record.requestedBy,
    filters: record.filters,
    options: record.options,
    requestedAt: record.requestedAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    durationMs: record.finishedAt ? Date.parse(record.finishedAt) - Date.parse(record.startedAt) : undefined,
    counts: {
      candidates: record.candidates,
      total: record.total,
      done: record.done,
      failed: record.failed,
      skipped: record.skipped,
      rowsIn,
      rowsOut,
    },
    droppedByRule,
    orphansRemoved: record.orphansRemoved,
    failures: files.filter(([, f]) => f.status === 'failed').map(([sourceKey, f]) => ({ sourceKey, ...failureOf(f) })),
    files: record.files,
    cancelReason: record.cancelReason,
  };
}

export { runReportKey };
