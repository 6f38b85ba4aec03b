// Fault 5 (second half): pipeline.cancel during a run stops it cleanly — queued files are dropped, the file in
// progress finishes or is skipped, nothing is half-written, and nothing of the run is processed afterwards.
import { SUBJECTS } from '@sluice/contracts';
import { Publisher } from '@sluice/messaging';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { auditRun } from './fault-audit';

const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const keys = MONTHS.map((m) => `fhvhv_tripdata_${m}.parquet`);
const MANIFEST_DELAY_MS = 3_000;
let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ env: { WORKERS_MAX: '1' }, s3FaultProxy: true });
  for (const [i, m] of MONTHS.entries()) await h.source.put(keys[i], generateFhvhvParquet({ month: m, rows: 100_000, seed: i + 1 }));
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

/** Files of the run whose last event is `started`: a worker has them in hand. */
function inProgress(runId: string): string[] {
  const last = new Map<string, string>();
  for (const e of h.fileEvents) if (e.runId === runId) last.set(e.sourceKey, e.type);
  return [...last].filter(([, type]) => type === 'started').map(([key]) => key);
}

it('cancel mid-run: queued files dropped, the one in progress settles, nothing partial, nothing after', async () => {
  const run = h.run({ intent: 'incremental', runId: 'fault-cancel' }, 120_000);
  await waitFor(() => h.fileEvents.some((e) => e.runId === 'fault-cancel' && e.type === 'done'), { what: 'first file done', timeoutMs: 60_000 });
  // From now on manifest writes are answered late: the file in progress at the cancel is then, for seconds, an output
  // whose manifest is on its way (the window in which an audit would see an output no manifest names).
  h.proxy!.add({ method: 'PUT', path: /\/_sluice\/manifests\//, fault: { kind: 'delay', ms: MANIFEST_DELAY_MS } });
  await new Publisher(h.nc).publishJson(SUBJECTS.cancel, { runId: 'fault-cancel', reason: 'operator said stop' });
  const record = await run;
  expect(record).toMatchObject({ state: 'cancelled', cancelReason: 'operator said stop' });
  await waitFor(() => h.capacityEvents.at(-1)?.to === 0, { what: 'workers back to 0', timeoutMs: 20_000 });
  const startedAfter = h.fileEvents.filter((e) => e.runId === 'fault-cancel' && e.type === 'started' && Date.parse(e.at) > Date.parse(record.finishedAt!) + 1_000);
  expect(startedAfter).toEqual([]);
  // The cancel purged the work stream, the in-progress file's message included: the fleet may be told to stop while
  // that file is still being committed (its worker drains: it finishes the file). Judge the sink once it has settled.
  await waitFor(() => inProgress('fault-cancel').length === 0, { what: 'the file in progress at the cancel settled', timeoutMs: 30_000 });
  const row = await auditRun(h, 'pipeline.cancel mid-run (dropped files count as failed: cancelled)', record, keys);
  expect(row).toMatchObject({ lost: 0, duplicated: 0, partial: 0 });
  expect(row.completed).toBeLessThan(keys.length);
});
