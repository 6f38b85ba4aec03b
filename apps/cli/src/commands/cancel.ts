// `sluice cancel <runId>`: queued files of the run are dropped; files in progress finish or are skipped.
import { CancelRequestSchema, SUBJECTS } from '@sluice/contracts';
import { openCliContext } from '../cli-context';

export async function cancelCommand(runId: string, opts: { reason?: string }): Promise<number> {
  const body = CancelRequestSchema.parse({ runId, reason: opts.reason, requestedBy: process.env.USER ?? 'cli' });
  const ctx = await openCliContext();
  try {
    const record = await ctx.runs.get(runId);
    if (!record) {
      console.error(`unknown run ${runId}`);
      return 1;
    }
    await ctx.publisher.publishJson(SUBJECTS.cancel, body);
    console.log(`cancel requested for run ${runId} (state ${record.state})`);
    return 0;
  } finally {
    await ctx.close();
  }
}
