// `sluice run --dry-run`: asks the scanner for the plan of a run (core request-reply: nothing is stored,
// published as work, or scaled) and prints every file with its reason and every orphan it would remove.
import { parseTlcFileName, PlanReplySchema, SUBJECTS, type PlanPreview, type ProcessReason, type RunRequest } from '@sluice/contracts';
import type { CliContext } from '../cli-context';

const REASON_LABEL: Record<ProcessReason, string> = {
  new: 'new',
  source_changed: 'source changed (ETag)',
  schema_changed: 'schema version changed',
  reprocess: 'reprocess',
  test_subset: 'test_subset',
};

export async function requestPlan(ctx: CliContext, request: RunRequest, timeoutMs: number): Promise<PlanPreview> {
  let answer;
  try {
    answer = await ctx.nc.request(SUBJECTS.plan, JSON.stringify(request), { timeout: timeoutMs });
  } catch (error) {
    const message = (error as Error).message;
    if (/no responders/i.test(message)) throw new Error('no scanner is running to plan the run (nothing answers pipeline.plan)');
    throw new Error(`the scanner did not answer the plan request within ${timeoutMs / 1000}s: ${message}`);
  }
  const reply = PlanReplySchema.parse(answer.json());
  if (!reply.ok) throw new Error(`planning failed: ${reply.code}: ${reply.error}`);
  return reply.preview;
}

export function formatPlanPreview(p: PlanPreview): string[] {
  const s = p.source;
  const lines = [
    `dry run: ${p.intent}${p.target === 'test' ? ' (test prefix)' : ''}, source ${s.url}`,
    `  source: ${s.candidates} candidate(s): ${s.found} found, ${s.absent} absent, ${s.unknown.length} unknown${s.complete ? '' : ' — listing incomplete: no output will be removed'}`,
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
