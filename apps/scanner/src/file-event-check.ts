// Whether a settled file event may count for its run. File events come from transformers over the bus; a permitted
// publisher may still be wrong or forged, so an event counts only for a file planned in that run, once, and a `done`
// only when the manifest it names says the same thing (the manifest is the commit point, written before the event).
import { isFinalRunState, outputKey, type FileEvent, type Manifest, type RunRecord } from '@sluice/contracts';

export type SettledEvent = Extract<FileEvent, { type: 'done' | 'failed' | 'skipped' }>;

export type EventVerdict =
  | { verdict: 'count' }
  /** Harmless and expected: a repeat, or a late event of a finished run (e.g. the file in progress when it was cancelled). */
  | { verdict: 'ignore'; why: string }
  /** Wrong or forged: dead-lettered with this code and reason, and the run is left as it was. */
  | { verdict: 'refuse'; code: string; reason: string }
  /** Not yet: asked again later (its work message is still queued or in progress). */
  | { verdict: 'wait'; reason: string }
  /**
   * A failure for a file this run has committed (its manifest names this run and this source): the commit is the
   * truth, so the file counts as done, with the manifest's figures.
   */
  | { verdict: 'count_commit'; manifest: Manifest; why: string };

const refuse = (code: string, reason: string): EventVerdict => ({ verdict: 'refuse', code, reason });

/** What the tracker read for the check: the manifest (for `done`), and whether the file's work message is still stored. */
export interface EventEvidence {
  /** What the run's output store holds for the event's dataset and month (read for `done`, and for a `failed` once its work is settled). */
  manifest?: Manifest;
  /** True when the file's work message (its `workSeq`) is still in the work stream: queued or in progress. */
  workStillQueued?: boolean;
}

/** Pure. */
export function checkFileEvent(record: RunRecord | undefined, event: SettledEvent, evidence: EventEvidence = {}): EventVerdict {
  if (!record) return refuse('unknown_run', `file event for run ${event.runId}, which does not exist`);
  if (isFinalRunState(record.state)) return { verdict: 'ignore', why: `run ${record.runId} is already ${record.state}` };
  const planned = Object.hasOwn(record.files, event.sourceKey) ? record.files[event.sourceKey] : undefined;
  if (!planned) return refuse('not_planned', `file event for ${event.sourceKey}, which run ${record.runId} did not plan`);
  if (planned.dataset !== event.dataset || planned.month !== event.month) {
    return refuse('event_mismatch', `file event says ${event.dataset} ${event.month}, the run planned ${planned.dataset} ${planned.month} for ${event.sourceKey}`);
  }
  if (planned.status !== 'queued') return { verdict: 'ignore', why: `${event.sourceKey} already settled as ${planned.status}` };
  switch (event.type) {
    case 'failed':
      // Whoever fails a file settles its work message first or right after (a worker dead-letters and terminates it,
      // the scanner deletes it): a failure for a file whose message is still there, queued or being worked on, is
      // premature or forged, and must not stop the worker that holds it.
      if (evidence.workStillQueued) return { verdict: 'wait', reason: `the work message of ${event.sourceKey} is still queued or in progress` };
      // A worker publishes its `done` before it acks its work: a failure read once the work is settled may still come
      // before that `done` (a forged or stale failure redelivered in between), and a worker that died between its commit
      // and its `done` on the last delivery is failed by the advisories. Either way the manifest says it committed.
      if (evidence.manifest && committedBy(record, event, evidence.manifest)) {
        return { verdict: 'count_commit', manifest: evidence.manifest, why: `run ${record.runId} committed ${event.sourceKey} (its manifest says so): the failure (${event.code}) is not counted` };
      }
      return { verdict: 'count' };
    case 'skipped':
      // Workers skip only the files of a cancelled run, and a cancelled run no longer counts anything.
      return refuse('event_mismatch', `a 'skipped' event for ${event.sourceKey} while run ${record.runId} is running`);
    case 'done':
      return checkDone(record, event, evidence.manifest);
  }
}

function checkDone(record: RunRecord, event: Extract<SettledEvent, { type: 'done' }>, manifest: Manifest | undefined): EventVerdict {
  if (!manifest) return refuse('no_manifest', `a 'done' event for ${event.sourceKey} but no manifest commits ${event.dataset} ${event.month}`);
  const expectedKey = outputKey(event.dataset, event.month);
  const differences = [
    ['runId', manifest.runId, record.runId],
    ['source key', manifest.source.key, event.sourceKey],
    ['dataset', manifest.dataset, event.dataset],
    ['month', manifest.month, event.month],
    ['output key', manifest.output.key, expectedKey],
    ['event output key', event.outputKey, expectedKey],
    ['rows in', manifest.rowsIn, event.rowsIn],
    ['rows out', manifest.rowsOut, event.rowsOut],
    ['output bytes', manifest.output.bytes, event.outputBytes],
    ['row groups', manifest.output.rowGroups, event.rowGroups],
    ['rows dropped', canonicalCounts(manifest.dropped), canonicalCounts(event.dropped)],
  ]
    .filter(([, fromManifest, claimed]) => fromManifest !== claimed)
    .map(([what, fromManifest, claimed]) => `${what}: event ${String(claimed).slice(0, 120)}, manifest ${String(fromManifest).slice(0, 120)}`);
  if (differences.length > 0) {
    return refuse('event_mismatch', `the 'done' event for ${event.sourceKey} does not match its manifest (${differences.join('; ')})`);
  }
  return { verdict: 'count' };
}

/** Whether `manifest` is this run's commit of the event's file. */
function committedBy(record: RunRecord, event: SettledEvent, manifest: Manifest): boolean {
  return (
    manifest.runId === record.runId &&
    manifest.source.key === event.sourceKey &&
    manifest.dataset === event.dataset &&
    manifest.month === event.month &&
    manifest.output.key === outputKey(event.dataset, event.month)
  );
}

/** Drop counts as comparable text: rules with 0 rows omitted, sorted by rule. */
function canonicalCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, n]) => `${rule}=${n}`)
    .join(',');
}
