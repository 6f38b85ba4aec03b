// `sluice run`: publish a `pipeline.run`; with --wait, follow it to the end and exit non-zero if any file failed.
import { failureOf, RunRequestSchema, type RunRequestInput } from '@sluice/contracts';
import { openCliContext } from '../cli-context';
import { describeFailure } from '../failure-text';
import { formatPlanPreview, listingLines } from '../plan-listing';
import { requestRun, runAndFollow, type RunOutcome } from '../run-and-follow';
import { newRunId } from '../run-id';
import { createRunProgress } from '../run-progress';
import { requestPlan } from './plan-preview';

export interface RunCommandOptions {
  intent: string;
  dataset?: string[];
  months?: string[];
  limit?: number;
  maxDropFraction?: number;
  runId?: string;
  requestedBy?: string;
  wait?: boolean;
  dryRun?: boolean;
  timeout?: number;
  json?: boolean;
}

export async function runCommand(opts: RunCommandOptions): Promise<number> {
  const runId = opts.runId ?? newRunId();
  const body: RunRequestInput & { runId: string } = {
    intent: opts.intent as RunRequestInput['intent'],
    datasets: opts.dataset as RunRequestInput['datasets'],
    months: opts.months,
    limit: opts.limit,
    maxDropFraction: opts.maxDropFraction,
    requestedBy: opts.requestedBy ?? process.env.USER ?? 'cli',
    runId,
  };
  const parsed = RunRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
  }
  const ctx = await openCliContext();
  if (opts.dryRun) {
    try {
      const preview = await requestPlan(ctx, parsed.data, (opts.timeout ?? 300) * 1000);
      console.log(opts.json ? JSON.stringify(preview, null, 2) : formatPlanPreview(preview).join('\n'));
      if (!opts.json && parsed.data.maxDropFraction !== undefined) {
        console.log(`the run would fail a file only when its rules drop more than ${parsed.data.maxDropFraction} of its rows (--max-drop-fraction)`);
      }
      return 0;
    } finally {
      await ctx.close();
    }
  }
  try {
    if (!opts.wait) {
      await requestRun(ctx, body);
      console.log(opts.json ? JSON.stringify({ runId }) : `run ${runId} requested (intent ${parsed.data.intent}); follow it with: sluice status ${runId}`);
      return 0;
    }
    const progress = opts.json ? undefined : createRunProgress();
    let outcome: RunOutcome;
    try {
      outcome = await runAndFollow(ctx, body, {
        onEvent: (e) => progress?.onEvent(e),
        onRequested: () => {
          if (!opts.json) console.log(`run ${runId} (intent ${parsed.data.intent})`);
        },
        timeoutMs: opts.timeout ? opts.timeout * 1000 : undefined,
      });
    } finally {
      progress?.stop();
    }
    if (opts.json) console.log(JSON.stringify(outcome.record ?? outcome, null, 2));
    else printOutcome(runId, outcome);
    return outcome.state === 'succeeded' ? 0 : 1;
  } finally {
    await ctx.close();
  }
}

function printOutcome(runId: string, outcome: RunOutcome): void {
  if (outcome.state === 'rejected') {
    console.log(`run ${runId} rejected: ${outcome.reason}`);
    return;
  }
  const r = outcome.record;
  const seconds = r.finishedAt ? ((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1) : '?';
  console.log(`run ${runId} ${r.state}: ${r.done} done, ${r.failed} failed, ${r.skipped} skipped of ${r.total} in ${seconds}s`);
  for (const line of listingLines(r.sourceListing)) console.log(`  ${line}`);
  for (const [key, f] of Object.entries(r.files)) if (f.status === 'failed') console.log(`  failed ${key}: ${describeFailure(failureOf(f))}`);
  if (r.reportKey) console.log(`  report: ${r.sink.replace(/\/?$/, '/')}${r.reportKey}`);
}
