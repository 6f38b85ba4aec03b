// S3 faults with SOURCE_READ_MODE=ranged and QUARANTINE=true: the engine reads each source by ranged GETs in a
// worker thread while it decodes, and streams the output and the quarantine file as multipart uploads. Faults in
// the middle of those reads and writes (500, reset, stall, SlowDown) are retried (the read fails the attempt as
// transient, the message is redelivered) and every file completes exactly once, with nothing partial.
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FAULTS, startPipelineHarness, type PipelineHarness, type S3FaultProxy } from '../support';
import { auditRun } from './fault-audit';

const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05'];
const keys = MONTHS.map((m) => `fhvhv_tripdata_${m}.parquet`);
const src = (m: string) => new RegExp(`^/tlc-source/trip data/fhvhv_tripdata_${m}\\.parquet$`);
const quarantine = (m: string) => new RegExp(`^/sluice-sink/_quarantine/fhvhv/year=2024/month=${m.slice(5)}/`);
let h: PipelineHarness;
let proxy: S3FaultProxy;

beforeAll(async () => {
  h = await startPipelineHarness({
    s3FaultProxy: true,
    env: { WORK_MAX_DELIVER: '4', S3_REQUEST_TIMEOUT_MS: '2000', SOURCE_READ_MODE: 'ranged', QUARANTINE: 'true' },
  });
  proxy = h.proxy!; // the services go through the proxy; the test talks to S3 directly
  // 60,000 rows: a few MiB, read in several 1 MiB slices per column chunk
  for (const [i, m] of MONTHS.entries()) await h.source.put(keys[i], generateFhvhvParquet({ month: m, rows: 60_000, seed: i + 1 }));
  // `after`: the first ranged GETs (header, footer, the first slices) pass; the fault comes while pages are decoded
  proxy.add({ method: 'GET', path: src('2024-01'), fault: FAULTS.internalError, times: 4, after: 12 });
  proxy.add({ method: 'GET', path: src('2024-02'), fault: FAULTS.reset, times: 2, after: 15 });
  proxy.add({ method: 'GET', path: src('2024-03'), fault: FAULTS.stall, times: 1, after: 10 });
  proxy.add({ method: 'HEAD', path: src('2024-04'), fault: FAULTS.slowDown, times: 3 });
  proxy.add({ method: 'PUT', path: quarantine('2024-05'), fault: FAULTS.internalError, times: 3 });
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('ranged reads and streamed writes: transient faults mid-read and mid-upload are retried, each file once', async () => {
  const record = await h.run({ intent: 'incremental', runId: 'fault-ranged' }, 180_000);
  const row = await auditRun(h, 'ranged reads: S3 500 / reset / stall mid-read, 503 on HEAD, 500 on the quarantine upload', record, keys);
  expect(row).toMatchObject({ completed: 5, failedWithReason: 0, lost: 0, duplicated: 0, partial: 0 });
  const faults = new Set(proxy.injected.map((i) => i.fault));
  expect(faults).toEqual(new Set(['InternalError', 'reset', 'stall', 'SlowDown']));
  const manifests = await h.manifests();
  expect(manifests).toHaveLength(5);
  for (const m of manifests) {
    expect(m.quarantine?.rows).toBe(Object.values(m.dropped).reduce((a, b) => a + b, 0));
    expect((await h.sink.head(m.quarantine!.key))?.size).toBe(m.quarantine!.bytes);
    expect((await h.sink.head(m.output.key))?.size).toBe(m.output.bytes);
  }
});
