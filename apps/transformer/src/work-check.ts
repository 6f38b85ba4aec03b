// Whether a work message may be processed. Work comes over the bus; a permitted publisher may still be wrong or
// forged, so a message is checked against the run it claims before anything is read or written: the run must exist
// and be active, and the file must be one it planned, exactly as planned, and not settled yet.
import type { FileDiscovered, RunRecord } from '@sluice/contracts';

export type WorkVerdict =
  | { verdict: 'process' }
  /** The run was cancelled: the file is dropped (reported as skipped). */
  | { verdict: 'skip'; why: string }
  /** A redelivery of a file its run already counted: nothing to do. */
  | { verdict: 'settled'; why: string }
  /** Wrong or forged: dead-lettered, nothing read or written, no file event (the file may not be this run's). */
  | { verdict: 'refuse'; code: string; reason: string };

/** Pure. */
export function checkWork(work: FileDiscovered, run: RunRecord | undefined): WorkVerdict {
  const refuse = (code: string, reason: string): WorkVerdict => ({ verdict: 'refuse', code, reason });
  if (!run) return refuse('unknown_run', `work for run ${work.runId}, which does not exist`);
  const planned = Object.hasOwn(run.files, work.source.key) ? run.files[work.source.key] : undefined;
  if (!planned) return refuse('not_planned', `run ${run.runId} did not plan ${work.source.key}`);
  if (run.state === 'cancelled') return { verdict: 'skip', why: `run ${run.runId} cancelled` };
  if (run.state !== 'running') {
    return refuse(
      'run_not_active',
      `work for run ${run.runId}, which is ${run.state}: only an active run's files are processed (an incremental run picks up any file without a manifest)`,
    );
  }
  const differences = [
    ['dataset', work.dataset, planned.dataset],
    ['month', work.month, planned.month],
    ['target', work.target, run.target],
    ['reason', work.reason, planned.reason],
    ['source ETag', work.source.etag, planned.source.etag],
    ['source size', work.source.size, planned.source.size],
    ['max drop fraction', work.maxDropFraction, run.options?.maxDropFraction],
  ]
    .filter(([, claimed, fromPlan]) => claimed !== fromPlan)
    .map(([what, claimed, fromPlan]) => `${what}: message ${String(claimed).slice(0, 120)}, plan ${String(fromPlan).slice(0, 120)}`);
  if (differences.length > 0) return refuse('work_mismatch', `work for ${work.source.key} differs from run ${run.runId}'s plan (${differences.join('; ')})`);
  if (planned.status !== 'queued') return { verdict: 'settled', why: `${work.source.key} already ${planned.status} in run ${run.runId}` };
  return { verdict: 'process' };
}
