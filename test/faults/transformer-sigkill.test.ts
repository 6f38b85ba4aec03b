// Fault 1: a transformer killed with SIGKILL in the middle of a file. The file is redelivered (after ack_wait) to
// the replacement worker and committed exactly once; no partial object is ever visible; manifests match outputs.
// Mid-file, deterministically: the first read of a source file is held in the services' S3 proxy until the worker
// reading it is dead (small files, no race against the clock).
import { execFileSync } from 'node:child_process';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { holdSourceRead, startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { auditRun } from './fault-audit';

const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04'];
const keys = MONTHS.map((m) => `fhvhv_tripdata_${m}.parquet`);
let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ env: { WORKERS_MAX: '1', WORK_ACK_WAIT_MS: '5000' }, s3FaultProxy: true });
  for (const [i, m] of MONTHS.entries()) await h.source.put(keys[i], generateFhvhvParquet({ month: m, rows: 5_000, seed: i + 1 }));
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('transformer SIGKILL mid-file: redelivered, committed once, nothing partial', async () => {
  const read = holdSourceRead(h);
  const run = h.run({ intent: 'incremental', runId: 'fault-kill' }, 120_000);
  await waitFor(() => h.fileEvents.find((e) => e.runId === 'fault-kill' && e.type === 'started'), { what: 'a file in progress', timeoutMs: 30_000 });
  const held = await read.arrived();
  await waitFor(() => h.fileEvents.some((e) => e.runId === 'fault-kill' && e.sourceKey === held && e.type === 'started'), { what: `${held} started` });
  expect(h.fileEvents.filter((e) => e.runId === 'fault-kill' && e.sourceKey === held && e.type !== 'started')).toEqual([]);
  const managerPid = h.services.get('capacity-manager')!.child.pid!;
  const [worker] = execFileSync('pgrep', ['-P', String(managerPid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  process.kill(worker, 'SIGKILL');
  await waitFor(() => {
    try {
      process.kill(worker, 0);
      return false;
    } catch {
      return true; // gone
    }
  }, { what: `worker ${worker} dead` });
  read.release(); // to a client that has gone: nothing of this read reaches a worker
  const record = await run;
  const row = await auditRun(h, 'transformer SIGKILL mid-file', record, keys);
  expect(row).toMatchObject({ completed: 4, lost: 0, duplicated: 0, partial: 0 });
  const redelivered = h.fileEvents.filter((e) => e.runId === 'fault-kill' && e.type === 'started' && e.attempt > 1);
  expect(redelivered.length).toBeGreaterThanOrEqual(1);
  expect(redelivered.map((e) => e.sourceKey)).toContain(held);
});
