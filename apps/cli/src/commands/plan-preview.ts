// `sluice run --dry-run`: asks the scanner for the plan of a run (core request-reply: nothing is stored,
// published as work, or scaled). The text it prints is plan-listing.ts's formatPlanPreview.
import { PlanReplySchema, SUBJECTS, type PlanPreview, type RunRequest } from '@sluice/contracts';
import type { CliContext } from '../cli-context';

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
