// `sluice demo`: the whole pipeline on this machine, no account, no Docker. Four runs, then a summary.
import { resolve } from 'node:path';
import { CapacityEventSchema, SUBJECTS, type CapacityEvent, type Intent, type RunRequestInput } from '@sluice/contracts';
import { DEV_DEPENDENCIES_NEEDED, embeddedS3Available } from '@sluice/embedded';
import { openCliContext, type CliContext } from '../cli-context';
import { cliHint, startDemoEnvironment, withoutNatsCredentials, type DemoEnvironment } from '../demo/demo-environment';
import { readManifests } from '@sluice/storage';
import { demoQuery, exportOutputs, formatManifestTable, runWithDuckDb } from '../demo/demo-summary';
import { runAndFollow, type RunOutcome } from '../run-and-follow';
import { newRunId } from '../run-id';
import { createRunProgress } from '../run-progress';

export interface DemoCommandOptions {
  dir: string;
  files: number;
  rows: number;
  workers: number;
  idleTimeout: number;
  keep?: boolean;
}

const STEPS: Array<{ title: string; intent: Intent; limit?: number }> = [
  { title: 'incremental — first run: every file is new', intent: 'incremental' },
  { title: 'incremental again — nothing changed: 0 files, no worker started', intent: 'incremental' },
  { title: 'test_subset — one file, written under the test prefix only', intent: 'test_subset' },
  { title: 'reprocess — every file rewritten in place', intent: 'reprocess' },
];

export async function demoCommand(opts: DemoCommandOptions): Promise<number> {
  // A production install (the image, `npm ci --omit=dev`) has no S3 server to run the demo on: say so, once.
  if (!embeddedS3Available()) throw new Error(DEV_DEPENDENCIES_NEEDED);
  const started = Date.now();
  const say = (line: string) => console.log(`▸ ${line}`);
  const dir = resolve(opts.dir);
  console.log('sluice demo — the whole pipeline on this machine\n');
  const env = await startDemoEnvironment(
    { dir, files: opts.files, rows: opts.rows, firstMonth: '2024-01', maxWorkers: opts.workers, idleTimeoutMs: opts.idleTimeout * 1000 },
    say,
  );
  const operator = env.natsEnv('operator');
  let ctx: CliContext | undefined;
  let failures = 0;
  try {
    ctx = await openCliContext({ ...withoutNatsCredentials(process.env), ...operator });
    const capacity = watchCapacity(ctx);
    for (const [i, step] of STEPS.entries()) {
      console.log(`\n== ${i + 1}/${STEPS.length} ${step.title} ==`);
      const outcome = await runStep(ctx, { intent: step.intent, limit: step.limit, requestedBy: 'demo' });
      if (outcome.state !== 'succeeded') failures += 1;
      if (capacity.current() > 0) {
        await capacity.waitForZero(opts.idleTimeout * 1000 + 30_000);
        console.log(`  workers back to 0`);
      }
    }
    capacity.stop();
    await summarize(env, dir);
  } finally {
    await ctx?.close();
    if (opts.keep) {
      console.log(`\nservices keep running (NATS ${env.nats.url}, S3 ${env.s3.endpoint}); Ctrl-C to stop`);
      console.log(`  the CLI on this bus: ${cliHint(operator)}`);
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
    }
    await env.stop();
  }
  console.log(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)}s${failures ? ` — ${failures} run(s) did not succeed` : ''}`);
  return failures === 0 ? 0 : 1;
}

async function runStep(ctx: CliContext, request: RunRequestInput): Promise<RunOutcome> {
  const runId = newRunId();
  const progress = createRunProgress();
  let outcome: RunOutcome;
  try {
    outcome = await runAndFollow(ctx, { ...request, runId }, {
      onEvent: (e) => progress.onEvent(e),
      onRequested: () => console.log(`  run ${runId} requested`),
      timeoutMs: 600_000,
    });
  } finally {
    progress.stop();
  }
  if (outcome.state === 'rejected') {
    console.log(`  rejected: ${outcome.reason}`);
    return outcome;
  }
  const r = outcome.record;
  const seconds = ((Date.parse(r.finishedAt!) - Date.parse(r.startedAt)) / 1000).toFixed(1);
  console.log(`  run ${r.state}: ${r.done} done, ${r.failed} failed of ${r.total} in ${seconds}s; workers started: ${progress.peakWorkers}`);
  if (r.target === 'test') console.log(`  test output under ${r.sink}`);
  if (r.orphansRemoved.length) console.log(`  orphans removed: ${r.orphansRemoved.join(', ')}`);
  return outcome;
}

function watchCapacity(ctx: CliContext) {
  let current = 0;
  const waiters: Array<() => void> = [];
  const sub = ctx.nc.subscribe(SUBJECTS.capacityEvent, {
    callback: (_e, msg) => {
      let body: unknown;
      try {
        body = msg.json();
      } catch {
        return; // not ours to judge here: a throw would stall this connection
      }
      const parsed = CapacityEventSchema.safeParse(body);
      if (!parsed.success) return;
      const event: CapacityEvent = parsed.data;
      current = event.to;
      if (current === 0) waiters.splice(0).forEach((w) => w());
    },
  });
  return {
    current: () => current,
    waitForZero(timeoutMs: number): Promise<void> {
      if (current === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`workers did not go back to 0 within ${timeoutMs / 1000}s`)), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    stop: () => sub.unsubscribe(),
  };
}

async function summarize(env: DemoEnvironment, dir: string): Promise<void> {
  const manifests = await readManifests(env.sink);
  console.log('\n== Summary: what each source file became (from the sink manifests) ==');
  for (const line of formatManifestTable(manifests)) console.log(`  ${line}`);
  const outputDir = resolve(dir, 'output');
  await exportOutputs(env.sink, manifests, outputDir);
  console.log(`\n  outputs in ${env.sink.url} (Hive layout <dataset>/year=YYYY/month=MM/), manifests under _sluice/manifests/, run reports under _sluice/runs/`);
  console.log(`  copied to ${outputDir} so you can query them after the demo, e.g. with DuckDB:`);
  const sql = demoQuery(outputDir);
  console.log(`    duckdb -c "${sql}"`);
  const result = await runWithDuckDb(sql);
  if (result) {
    console.log('  which gives:');
    for (const line of result) console.log(`    ${line}`);
  }
}
