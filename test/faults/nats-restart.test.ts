// Fault 3: nats-server stopped and restarted (same store) in the middle of a run. The services reconnect by
// themselves and the run completes; nothing is processed twice into duplicate outputs.
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { auditRun } from './fault-audit';

const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const keys = MONTHS.map((m) => `fhvhv_tripdata_${m}.parquet`);
let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ env: { WORK_ACK_WAIT_MS: '10000' } });
  for (const [i, m] of MONTHS.entries()) await h.source.put(keys[i], generateFhvhvParquet({ month: m, rows: 120_000, seed: i + 1 }));
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('nats-server restart mid-run: services reconnect, the run completes, no duplicates', async () => {
  await h.runs.list(); // the runs bucket handle is open before the outage
  const run = h.run({ intent: 'incremental', runId: 'fault-nats' }, 180_000);
  await waitFor(() => h.fileEvents.some((e) => e.runId === 'fault-nats' && e.type === 'done'), { what: 'first file done', timeoutMs: 60_000 });
  await h.nats.stop();
  await new Promise((r) => setTimeout(r, 2_000)); // a real outage: publishes and acks fail meanwhile
  await h.nats.restart();
  const record = await run;
  const row = await auditRun(h, 'nats-server stopped and restarted mid-run', record, keys);
  expect(row).toMatchObject({ completed: keys.length, lost: 0, duplicated: 0, partial: 0 });
  for (const s of h.services.values()) expect(s.child.exitCode).toBeNull(); // nobody died; everyone reconnected
});
