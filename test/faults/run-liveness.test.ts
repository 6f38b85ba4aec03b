// A run always ends, whatever happened to its messages or its scanner:
// - a work message terminated with no failure reported for its file: failed as `terminated` from the advisory;
// - work messages that vanished from the work stream (purged by hand): failed as `work_lost` after a grace period;
// - a scanner that died after the last file settled but before completing the run: its lock is a lease, a live
//   scanner takes it over once it expires and completes the run; new runs are rejected until then, accepted after.
//   The dead scanner is the previous version (an upgrade with a run in flight): its record holds a failure in the
//   string form (`error: "code: reason"`), which this version reads as its code and reason.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { DURABLES, KV, runReportKey, STREAMS, SUBJECTS } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { lostWorkGraceMs } from '../../apps/scanner/src/lost-work';
import { Publisher } from '@sluice/messaging';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordSecurityRow } from '../security/security-table';
import { FAULTS, startPipelineHarness, waitFor, type PipelineHarness, type S3FaultProxy } from '../support';

const KEYS = ['fhvhv_tripdata_2024-01.parquet', 'fhvhv_tripdata_2024-02.parquet'];
let h: PipelineHarness;
let proxy: S3FaultProxy;

beforeAll(async () => {
  // No capacity manager: no worker takes the work, the tests decide what happens to it.
  h = await startPipelineHarness({
    s3FaultProxy: true,
    env: { RUN_LOCK_TTL_MS: '1500', CONTROL_ACK_WAIT_MS: '5000', WORK_ACK_WAIT_MS: '5000', S3_REQUEST_TIMEOUT_MS: '3000' },
  });
  proxy = h.proxy!; // so that a test can make the scanner's source listing slow
  for (const [i, key] of KEYS.entries()) await h.source.put(key, generateFhvhvParquet({ month: `2024-0${i + 1}`, rows: 2_000, seed: i + 1 }));
  await h.startService('scanner');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

const finished = (runId: string, timeoutMs: number) =>
  waitFor(async () => {
    const r = await h.runs.get(runId);
    return r && r.state !== 'running' ? r : undefined;
  }, { what: `run ${runId} to finish`, timeoutMs });

it('a work message terminated with no failure event: its file fails as `terminated`, parked whole in the DLQ', async () => {
  await h.requestRun({ intent: 'incremental', datasets: ['fhvhv'], months: ['2024-01'], runId: 'term-1' });
  const consumer = await jetstream(h.nc).consumers.get(DURABLES.transformers.stream, DURABLES.transformers.consumer);
  const msg = await waitFor(() => consumer.next({ expires: 1_000 }), { what: 'the work message', timeoutMs: 20_000 });
  msg.term(); // as a broken or hostile worker could: no file event, no dead letter
  const record = await finished('term-1', 30_000);
  expect(record.state).toBe('completed_with_failures');
  expect(record.files[KEYS[0]].status).toBe('failed');
  expect(record.files[KEYS[0]].failure).toMatchObject({ code: 'terminated', reason: expect.stringMatching(/^its work message was terminated on delivery \d+ and no failure was reported for it$/) });
  const letters = (await h.deadLetters()).filter((d) => d.runId === 'term-1');
  expect(letters.map((d) => [d.key, d.code])).toEqual([[KEYS[0], 'terminated']]);
  // The payload was gone from the work-queue stream; the letter carries it rebuilt from the plan, replayable.
  expect(JSON.parse(Buffer.from(letters[0].payloadBase64, 'base64').toString())).toMatchObject({ runId: 'term-1', source: { key: KEYS[0] } });
  recordSecurityRow({
    area: 'liveness',
    scenario: 'a work message is terminated (+TERM) with no failure event',
    expected: 'file failed `terminated` from the MSG_TERMINATED advisory, dead letter with the work rebuilt; run ends',
    happened: `run ${record.state}; ${record.files[KEYS[0]].failure?.code}; dead letters ${letters.length}`,
    lost: 0,
    duplicated: 0,
    clobbered: 0,
  });
});

it('work messages purged from the stream: their files fail as `work_lost` after the grace, the run ends', async () => {
  await h.requestRun({ intent: 'incremental', runId: 'lost-1' });
  await waitFor(() => h.runEvents.find((e) => e.runId === 'lost-1' && e.type === 'planned'), { what: 'lost-1 planned' });
  expect((await h.jsm.streams.info(STREAMS.work)).state.messages).toBe(2);
  await h.jsm.streams.purge(STREAMS.work);
  const started = Date.now();
  const record = await finished('lost-1', 60_000);
  expect(record.state).toBe('completed_with_failures');
  for (const key of KEYS) {
    expect(record.files[key].status).toBe('failed');
    expect(record.files[key].failure).toEqual({ code: 'work_lost', reason: expect.stringMatching(/^its work message is no longer in PIPELINE_WORK/), attempt: 0 });
  }
  // grace = 2 × CONTROL_ACK_WAIT_MS + 2 × WORK_ACK_WAIT_MS = 20 s after the last progress (the planning, just before the purge)
  expect(Date.now() - started).toBeGreaterThanOrEqual(lostWorkGraceMs(5_000, 5_000) - 2_000);
  recordSecurityRow({
    area: 'liveness',
    scenario: 'the work stream is purged mid-run (messages gone, no events)',
    expected: 'queued files failed work_lost after the grace; run ends',
    happened: `run ${record.state}; ${KEYS.map((k) => record.files[k].failure?.code).join(', ')}`,
    lost: 0,
    duplicated: 0,
    clobbered: 0,
  });
});

it("a dead scanner's lock is taken over after its TTL, and the run it left settled is completed", async () => {
  // What a scanner of the previous version killed between counting the last file and completing the run leaves
  // behind: one file done, one failed in the string form that version wrote.
  const kv = await new Kvm(h.nc).open(KV.runsBucket);
  const at = new Date().toISOString();
  const template = (await h.runs.get('lost-1'))!;
  const crashed = 'no worker settled this file in 3 deliveries: each worker that held it crashed';
  const left = {
    ...template,
    runId: 'orphan-1',
    state: 'running',
    failed: 1,
    done: 1,
    files: {
      [KEYS[0]]: { ...template.files[KEYS[0]], failure: undefined, status: 'done' },
      [KEYS[1]]: { ...template.files[KEYS[1]], failure: undefined, status: 'failed', error: `worker_crashed: ${crashed}`, errorCode: 'worker_crashed' },
    },
    startedAt: at,
    requestedAt: at,
    lastProgressAt: at,
    finishedAt: undefined,
    reportKey: undefined,
  };
  await kv.put(KV.runKey('orphan-1'), JSON.stringify(left));
  const expiresAt = new Date(Date.now() + 8_000).toISOString();
  await kv.put(KV.activeRunKey, JSON.stringify({ runId: 'orphan-1', since: at, holder: 'dead-scanner', renewedAt: at, expiresAt }));

  // While the dead scanner's lease lasts, the run is active: a new run is rejected.
  await h.requestRun({ intent: 'incremental', runId: 'during-lease' });
  const rejected = await waitFor(() => h.runEvents.find((e) => e.runId === 'during-lease' && e.type !== 'accepted'), { what: 'during-lease answered' });
  expect(rejected).toMatchObject({ type: 'rejected', activeRunId: 'orphan-1' });
  // `sluice status` says who holds the lock, for how long, and how long the run has made no progress.
  const status = (await promisify(execFile)(process.execPath, [appEntry('cli'), 'status'], { env: h.cliEnv() })).stdout;
  expect(status).toMatch(/active run: orphan-1\n  lock held by dead-scanner; lease renewed, \ds left/);
  expect(status).toMatch(/run orphan-1 \(incremental\): running — 1 done, 1 failed, 0 skipped of 2\n  no progress for \d+s/);
  // the CLI prints the old record's failure as it always did
  expect(status).toContain(`  failed ${KEYS[1]}: worker_crashed: ${crashed}\n`);

  const record = await finished('orphan-1', 30_000);
  expect(record.state).toBe('completed_with_failures');
  expect(Date.parse(record.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(expiresAt));
  expect(record.files[KEYS[1]].failure).toEqual({ code: 'worker_crashed', reason: crashed });
  // the completing scanner wrote the record back in the structured form
  const stored = (await kv.get(KV.runKey('orphan-1')))!.json<{ files: Record<string, Record<string, unknown>> }>().files[KEYS[1]];
  expect(stored).toMatchObject({ status: 'failed', failure: { code: 'worker_crashed', reason: crashed } });
  expect(stored).not.toHaveProperty('error');
  expect(stored).not.toHaveProperty('errorCode');
  // the report is written right after the final state (seen missing once when read at once)
  const reportBytes = await waitFor(
    async () => {
      const bytes = await h.sink.getBytes(runReportKey('orphan-1'));
      return bytes?.length ? bytes : undefined;
    },
    { what: 'the run report of orphan-1' },
  );
  expect(JSON.parse(Buffer.from(reportBytes).toString()).failures).toEqual([{ sourceKey: KEYS[1], code: 'worker_crashed', reason: crashed }]);
  await waitFor(async () => (await h.runs.activeLock()) === undefined, { what: 'the lock released' });
  // No worker runs in this file: accepted and planned is what shows the lock is free.
  await h.requestRun({ intent: 'incremental', runId: 'after-lease' });
  const answer = await waitFor(() => h.runEvents.find((e) => e.runId === 'after-lease' && (e.type === 'planned' || e.type === 'rejected')), {
    what: 'after-lease answered',
  });
  expect(answer.type).toBe('planned');
  const next = (await h.runs.get('after-lease'))!;
  recordSecurityRow({
    area: 'liveness',
    scenario: 'a scanner (the previous version, failures as `code: reason` strings) dies after the last file settled, before completing the run (lock held, run `running`)',
    expected: 'rejected while the lease lasts; a live scanner takes the lease over after its TTL and completes the run',
    happened: `during the lease: ${rejected.type}; after: run ${record.state}, lock released, next run ${next.state}`,
    lost: 0,
    duplicated: 0,
    clobbered: 0,
  });
});

it('the lock is kept while a run is planned, however long the source listing takes and however often the lease ticks', async () => {
  await new Publisher(h.nc).publishJson(SUBJECTS.cancel, { runId: 'after-lease', reason: 'the previous test is over' });
  await finished('after-lease', 20_000);
  // The source listing stalls for S3_REQUEST_TIMEOUT_MS (3 s) before its retry answers: six lease ticks (every 500 ms).
  proxy.add({ method: 'GET', path: /^\/tlc-source\/?$/, fault: FAULTS.stall, times: 1 });
  await h.requestRun({ intent: 'reprocess', runId: 'slow-plan' });
  await waitFor(() => h.runEvents.find((e) => e.runId === 'slow-plan' && e.type === 'planned'), { what: 'slow-plan planned', timeoutMs: 30_000 });
  expect(proxy.injected.filter((i) => i.fault === 'stall')).toHaveLength(1);
  expect((await h.runs.activeLock())?.runId).toBe('slow-plan');
  // Its files are queued (no worker here): it is active, so the next run is rejected.
  await h.requestRun({ intent: 'incremental', runId: 'after-slow-plan' });
  const answer = await waitFor(() => h.runEvents.find((e) => e.runId === 'after-slow-plan' && (e.type === 'rejected' || e.type === 'planned')), {
    what: 'after-slow-plan answered',
  });
  expect(answer).toMatchObject({ type: 'rejected', activeRunId: 'slow-plan' });
  recordSecurityRow({
    area: 'liveness',
    scenario: 'the lease ticks (6 times) while a run is still being planned (a source listing stalled for 3 s)',
    expected: 'the planning scanner keeps its lock: one run at a time',
    happened: `lock held by ${(await h.runs.activeLock())?.runId}; a second run: ${answer.type}`,
    lost: 0,
    duplicated: Number(answer.type !== 'rejected'),
    clobbered: 0,
  });
});
