// The text of what a plan listed: the source listing's counts (for a run as it is planned, its outcome, `sluice
// status`) and the dry run's preview, file by file.
import { parseTlcFileName, type PlanPreview, type ProcessReason, type SourceListingSummary } from '@sluice/contracts';

const REASON_LABEL: Record<ProcessReason, string> = {
  new: 'new',
  source_changed: 'source changed (ETag)',
  schema_changed: 'schema version changed',
  reprocess: 'reprocess',
  test_subset: 'test_subset',
};

/** `2 found, 0 absent, 1 unknown`: what became of the candidates. */
export function listingCounts(l: SourceListingSummary): string {
  return `${l.found} found, ${l.absent} absent, ${l.unknown.length} unknown`;
}

/** `source s3://tlc-source/trip data/: 3 candidate(s), 2 found, 0 absent, 1 unknown`. */
export function describeListing(l: SourceListingSummary): string {
  return `source ${l.url}: ${l.candidates} candidate(s), ${listingCounts(l)}`;
}

/** The listing's line, then one per candidate it could not check, with the reason. */
export function listingLines(l: SourceListingSummary): string[] {
  return [describeListing(l), ...l.unknown.map((u) => `unknown ${u.key}: ${u.reason}`)];
}

/** The planned event: `planned: 2 file(s) to process of 3 candidate(s), 1 orphan output(s) removed`. */
export function describePlanned(p: { total: number; candidates: number; orphans: number }): string {
  return `planned: ${p.total} file(s) to process of ${p.candidates} candidate(s)${p.orphans ? `, ${p.orphans} orphan output(s) removed` : ''}`;
}

/** `sluice run --dry-run`: every file with its reason, every orphan it would remove, what it leaves alone. */
export function formatPlanPreview(p: PlanPreview): string[] {
  const s = p.source;
  const lines = [
    `dry run: ${p.intent}${p.target === 'test' ? ' (test prefix)' : ''}, source ${s.url}`,
    `  source: ${s.candidates} candidate(s): ${listingCounts(s)}${s.complete ? '' : ' — listing incomplete: no output will be removed'}`,
    `  would process ${p.files.length} file(s):`,
  ];
  const width = Math.max(0, ...p.files.map((f) => f.key.length));
  for (const f of p.files) lines.push(`    ${f.key.padEnd(width)}  ${REASON_LABEL[f.reason]}`);
  lines.push(`  up to date: ${p.upToDate}`);
  lines.push(`  would remove ${p.orphans.length} orphan output(s)${p.orphans.length ? ':' : ''}`);
  for (const o of p.orphans) lines.push(`    ${o.outputKey}  (source ${o.sourceKey} is gone)`);
  if (s.unknown.length) {
    lines.push(`  unknown (not processed, never treated as absent):`);
    for (const u of s.unknown) lines.push(`    ${u.key}: ${u.reason}`);
  }
  if (p.unsupported.length) lines.push(`  not processed, no canonical schema yet: ${p.unsupported.length} file(s) (${summarizeDatasets(p.unsupported)})`);
  if (p.conflicts.length) lines.push(`  duplicate sources for one month, ignored: ${p.conflicts.join(', ')}`);
  lines.push('nothing was published and no worker was started');
  return lines;
}

function summarizeDatasets(keys: string[]): string {
  const counts = new Map<string, number>();
  for (const k of keys) {
    const dataset = parseTlcFileName(k)?.dataset ?? 'other';
    counts.set(dataset, (counts.get(dataset) ?? 0) + 1);
  }
  return [...counts].map(([d, n]) => `${d} ${n}`).join(', ');
}
