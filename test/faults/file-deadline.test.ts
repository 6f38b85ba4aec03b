// A file whose processing hangs (here: its source read stalls with no answer, and the S3 client would wait ten
// minutes) is held by heartbeats only until FILE_DEADLINE_MS: then it is aborted, nothing is committed, it fails as
// `deadline_exceeded` with a dead letter, and the run ends. Before, `working()` heartbeats extended it for as long as
// the worker lived.
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordSecurityRow } from '../security/security-table';
import { FAULTS, startPipelineHarness, type PipelineHarness, type S3FaultProxy } from '../support';
import { auditRun } from './fault-audit';

const GOOD = 'fhvhv_tripdata_2024-01.parquet';
const HUNG = 'fhvhv_tripdata_2024-02.parquet';
let h: PipelineHarness;
let proxy: S3FaultProxy;

beforeAll(async () => {
  h = await startPipelineHarness({
    s3FaultProxy: true,
    env: { FILE_DEADLINE_MS: '10000', WORK_ACK_WAIT_MS: '5000', S3_REQUEST_TIMEOUT_MS: '600000', WORKERS_MAX: '2' },
  });
  proxy = h.proxy!;
  await h.source.put(GOOD, generateFhvhvParquet({ month: '2024-01', rows: 10_000, seed: 1 }));
  await h.source.put(HUNG, generateFhvhvParquet({ month: '2024-02', rows: 10_000, seed: 2 }));
  // Every ranged GET of the hung file stalls (no answer at all); its HEAD goes through.
  proxy.add({ method: 'GET', path: /^\/tlc-source\/trip data\/fhvhv_tripdata_2024-02\.parquet$/, fault: FAULTS.stall });
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('a hung file is aborted at FILE_DEADLINE_MS: failed deadline_exceeded, nothing committed, the run ends', async () => {
  const started = Date.now();
  const record = await h.run({ intent: 'incremental', runId: 'deadline-1' }, 90_000);
  const tookMs = Date.now() - started;
  expect(record.state).toBe('completed_with_failures');
  expect(record.files[GOOD].status).toBe('done');
  expect(record.files[HUNG].status).toBe('failed');
  expect(record.files[HUNG].failure?.code).toBe('deadline_exceeded');
  expect(record.files[HUNG].failure?.reason).toMatch(/FILE_DEADLINE_MS/);
  expect(tookMs).toBeLessThan(60_000); // the S3 client alone would have waited 600 s
  expect(await h.sink.head('fhvhv/year=2024/month=02/fhvhv_2024-02.parquet')).toBeUndefined();
  const letters = (await h.deadLetters()).filter((d) => d.runId === 'deadline-1');
  expect(letters.map((d) => [d.key, d.code])).toEqual([[HUNG, 'deadline_exceeded']]);
  const row = await auditRun(h, 'a file hangs (source read stalls): FILE_DEADLINE_MS', record, [GOOD, HUNG]);
  expect(row).toMatchObject({ completed: 1, failedWithReason: 1, lost: 0, duplicated: 0, partial: 0 });
  recordSecurityRow({
    area: 'liveness',
    scenario: 'a file hangs with heartbeats going (its source read stalls for 10 min)',
    expected: 'aborted at FILE_DEADLINE_MS=10s, failed deadline_exceeded, nothing committed, run ends',
    happened: `run ${record.state} after ${Math.round(tookMs / 1000)} s; ${HUNG}: ${record.files[HUNG].failure?.code}; output present: no`,
    lost: row.lost,
    duplicated: row.duplicated,
    clobbered: row.partial,
  });
});
