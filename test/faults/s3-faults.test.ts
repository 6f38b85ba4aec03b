// Fault 4 and 8: S3 faults through a fault-injecting proxy in front of the S3 server. Transient faults (500, 503
// SlowDown, connection reset, a stalled answer) are retried with backoff and the files complete; a permanent fault
// (AccessDenied) fails its file with that reason and leaves no half-written output; a file whose upload keeps
// failing is dead-lettered after max_deliver instead of looping. A permanent fault before the file is even opened
// (its previous manifest cannot be read) still fails that file in its run: the run does not wait for it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { appEntry } from '@sluice/embedded';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FAULTS, startPipelineHarness, type PipelineHarness, type S3FaultProxy } from '../support';
import { auditRun } from './fault-audit';

const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06', '2024-07', '2024-08'];
const keys = MONTHS.map((m) => `fhvhv_tripdata_${m}.parquet`);
const out = (m: string) => new RegExp(`^/sluice-sink/fhvhv/year=2024/month=${m.slice(5)}/`);
const src = (m: string) => new RegExp(`^/tlc-source/trip data/fhvhv_tripdata_${m}\\.parquet$`);
let h: PipelineHarness;
let proxy: S3FaultProxy;

beforeAll(async () => {
  h = await startPipelineHarness({ s3FaultProxy: true, env: { WORK_MAX_DELIVER: '3', S3_REQUEST_TIMEOUT_MS: '2000' } });
  proxy = h.proxy!; // the services go through the proxy; the test talks to S3 directly
  for (const [i, m] of MONTHS.entries()) await h.source.put(keys[i], generateFhvhvParquet({ month: m, rows: 5_000, seed: i + 1 }));
  proxy.add({ method: 'GET', path: src('2024-01'), fault: FAULTS.internalError, times: 2 });
  proxy.add({ method: 'PUT', path: out('2024-02'), fault: FAULTS.slowDown, times: 2 });
  proxy.add({ method: 'GET', path: src('2024-03'), fault: FAULTS.reset, times: 1 });
  proxy.add({ method: 'GET', path: src('2024-04'), fault: FAULTS.stall, times: 1 });
  proxy.add({ method: 'PUT', path: out('2024-05'), fault: FAULTS.accessDenied });
  proxy.add({ method: 'PUT', path: out('2024-06'), fault: FAULTS.internalError });
  proxy.add({ method: 'GET', path: src('2024-07'), fault: FAULTS.noSuchBucket });
  // The manifest the transformer would replace (none yet). The scanner GETs it too, to see whether the failure it
  // is told of was committed after all: it cannot, so the failure counts.
  proxy.add({ method: 'GET', path: /^\/sluice-sink\/_sluice\/manifests\/fhvhv\/2024-08\.json$/, fault: FAULTS.accessDenied });
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('retries transient S3 faults; fails permanent ones with their reason; dead-letters endless failure after max_deliver', async () => {
  const record = await h.run({ intent: 'incremental', runId: 'fault-s3' }, 180_000);
  const row = await auditRun(h, 'S3 500 / 503 SlowDown / reset / stall / AccessDenied / NoSuchBucket / always 500 / AccessDenied on the previous manifest', record, keys);
  expect(row).toMatchObject({ completed: 4, failedWithReason: 4, lost: 0, duplicated: 0, partial: 0 });
  const failure = (i: number) => ({ code: record.files[keys[i]].failure?.code, reason: record.files[keys[i]].failure?.reason });
  expect(failure(7)).toEqual({ code: 'access_denied', reason: expect.stringMatching(/AccessDenied/) });
  expect(failure(6)).toEqual({ code: 'no_such_bucket', reason: expect.stringMatching(/NoSuchBucket/) });
  expect(failure(4)).toEqual({ code: 'access_denied', reason: expect.stringMatching(/AccessDenied/) });
  expect(failure(5)).toEqual({ code: 'max_deliver_exceeded', reason: expect.stringMatching(/^gave up after 3 attempts/) });
  for (const m of ['2024-05', '2024-06', '2024-08']) expect(await h.sink.head(`fhvhv/year=2024/month=${m.slice(5)}/fhvhv_${m}.parquet`)).toBeUndefined();
  const faults = new Set(proxy.injected.map((i) => i.fault));
  expect(faults).toEqual(new Set(['InternalError', 'SlowDown', 'reset', 'stall', 'AccessDenied', 'NoSuchBucket']));
  const letters = (await h.deadLetters()).filter((d) => d.runId === 'fault-s3');
  expect(letters.map((d) => [d.key, d.code]).sort()).toEqual([
    [keys[4], 'access_denied'],
    [keys[5], 'max_deliver_exceeded'],
    [keys[6], 'no_such_bucket'],
    [keys[7], 'access_denied'],
  ]);
});

it('once the fault is fixed, an incremental run processes the parked files (`sluice dlq replay` refuses work and says so)', async () => {
  proxy.clear();
  const sluice = (...args: string[]) =>
    promisify(execFile)(process.execPath, [appEntry('cli'), ...args], { env: h.cliEnv() }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const letters = JSON.parse((await sluice('dlq', 'list', '--json')).stdout) as Array<{ id: number; key?: string }>;
  const denied = letters.find((l) => l.key === keys[4])!;
  // Work is the scanner's to publish: replay refuses it, keeps the letter, and names the supported path.
  const replay = await sluice('dlq', 'replay', String(denied.id));
  expect(replay.code).toBe(1);
  expect(replay.stderr).toMatch(/`sluice run --intent incremental`: it picks up fhvhv_tripdata_2024-05\.parquet, which has no manifest/);
  const run = await sluice('run', '--intent', 'incremental', '--run-id', 'fault-s3-fixed', '--wait', '--json');
  expect(run.code).toBe(0);
  const record = await h.runs.get('fault-s3-fixed');
  // Exactly the four files that failed: the four committed ones are not redone.
  expect(Object.keys(record!.files).sort()).toEqual([keys[4], keys[5], keys[6], keys[7]]);
  expect(record).toMatchObject({ state: 'succeeded', done: 4 });
  const manifest = (await h.manifests()).find((m) => m.month === '2024-05')!;
  expect(manifest).toMatchObject({ runId: 'fault-s3-fixed', rowsIn: 5_000 });
  const left = JSON.parse((await sluice('dlq', 'list', '--json')).stdout) as Array<{ id: number }>;
  expect(left.map((l) => l.id)).toContain(denied.id); // parked until an operator purges it
});
