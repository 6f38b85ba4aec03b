// What a fault scenario is judged by: every expected file either committed once or failed with a reason;
// nothing lost, nothing committed twice, and no output visible without its manifest (no partial output).
import { appendFileSync } from 'node:fs';
import { MANIFEST_PREFIX, outputKey, parseTlcFileName, type RunRecord } from '@sluice/contracts';
import type { PipelineHarness } from '../support';

export interface FaultRow {
  scenario: string;
  expected: number;
  completed: number;
  failedWithReason: number;
  lost: number;
  duplicated: number;
  partial: number;
  /** The objects counted as partial, with their size and the size their manifest gives (for the failure message). */
  partialObjects?: string[];
}

export async function auditRun(h: PipelineHarness, scenario: string, record: RunRecord, expectedKeys: string[]): Promise<FaultRow> {
  const manifests = await h.manifests(h.sink);
  const committedMonths = new Map(manifests.map((m) => [`${m.dataset}/${m.month}`, m]));
  let completed = 0;
  let failedWithReason = 0;
  let duplicated = 0;
  for (const key of expectedKeys) {
    const file = record.files[key];
    const parsed = parseTlcFileName(key)!;
    const manifest = committedMonths.get(`${parsed.dataset}/${parsed.month}`);
    const commits = h.fileEvents.filter((e) => e.runId === record.runId && e.sourceKey === key && e.type === 'done' && !e.alreadyCommitted).length;
    duplicated += Math.max(0, commits - 1);
    const committedByRun = manifest?.runId === record.runId;
    // A cancelled run stops counting, but the file that was in progress may still commit (cleanly): completed.
    if (committedByRun && (file?.status === 'done' || record.state === 'cancelled')) completed += 1;
    else if (file?.status === 'failed' && (file.failure?.code ?? '').length > 0 && (file.failure?.reason ?? '').length > 0) failedWithReason += 1;
    // Dropped by a cancel: not processed, for a stated reason (the run report says cancelled, and why).
    else if (record.state === 'cancelled' && file && file.status !== 'done' && record.cancelReason) failedWithReason += 1;
  }
  // a quarantine file (QUARANTINE=true) is committed by its manifest too
  const committed = manifests.flatMap((m) => [
    { key: m.output.key, bytes: m.output.bytes },
    ...(m.quarantine ? [{ key: m.quarantine.key, bytes: m.quarantine.bytes }] : []),
  ]);
  const partialObjects = await invisiblePartials(h, committed);
  const partial = partialObjects.length;
  const row = { scenario, expected: expectedKeys.length, completed, failedWithReason, lost: expectedKeys.length - completed - failedWithReason, duplicated, partial };
  if (process.env.SLUICE_FAULT_REPORT) appendFileSync(process.env.SLUICE_FAULT_REPORT, `${JSON.stringify(row)}\n`);
  return partial > 0 ? { ...row, partialObjects } : row;
}

/** Data objects in the sink that no manifest commits, or whose size differs from their manifest. */
async function invisiblePartials(h: PipelineHarness, committed: Array<{ key: string; bytes: number }>): Promise<string[]> {
  const byKey = new Map(committed.map((c) => [c.key, c.bytes]));
  const partial: string[] = [];
  for await (const object of h.sink.list()) {
    if (object.key.startsWith('_sluice/') || object.key.startsWith('_test/')) continue;
    if (object.key.startsWith(MANIFEST_PREFIX)) continue;
    const expected = byKey.get(object.key);
    if (expected !== object.size) partial.push(`${object.key}: ${object.size} bytes, manifest says ${expected ?? 'nothing (no manifest)'}`);
  }
  return partial;
}

export { outputKey };
