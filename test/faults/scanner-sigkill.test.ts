// Fault 2: the scanner killed while it publishes a run's files. On restart the run request is redelivered, the
// persisted plan is published again, Msg-Ids drop what was already queued, and every file is processed once.
import { STREAMS, SUBJECTS } from '@sluice/contracts';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { auditRun } from './fault-audit';

const months: string[] = [];
for (let y = 2019; y <= 2026 && months.length < 90; y += 1) {
  for (let m = 1; m <= 12 && months.length < 90; m += 1) if (y > 2019 || m >= 2) months.push(`${y}-${String(m).padStart(2, '0')}`);
}
const keys = months.map((m) => `fhvhv_tripdata_${m}.parquet`);
let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ env: { CONTROL_ACK_WAIT_MS: '5000', WORKERS_MAX: '2', FILES_PER_WORKER: '10' } });
  const bytes = generateFhvhvParquet({ month: '2019-02', rows: 200, seed: 1 });
  for (const [i, m] of months.entries()) await h.source.put(keys[i], i === 0 ? bytes : generateFhvhvParquet({ month: m, rows: 200, seed: i }));
  await h.startService('scanner');
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

it('scanner SIGKILL mid-publish: the restarted scanner completes the run, each file once', async () => {
  const scanner = h.services.get('scanner')!;
  let seen = 0;
  let frozen = false;
  const sub = h.nc.subscribe(SUBJECTS.fileDiscovered, {
    callback: () => {
      seen += 1;
      if (seen === 3 && !frozen) {
        frozen = true;
        process.kill(scanner.child.pid!, 'SIGSTOP'); // freeze it mid-publish, then kill it there
      }
    },
  });
  const run = h.run({ intent: 'incremental', runId: 'fault-scanner' }, 120_000);
  await waitFor(() => frozen, { what: 'the scanner frozen mid-publish' });
  const queued = (await h.jsm.streams.info(STREAMS.work)).state.messages;
  expect(queued).toBeLessThan(keys.length);
  scanner.kill('SIGKILL');
  await scanner.exited;
  sub.unsubscribe();

  await h.startService('scanner');
  await h.startService('capacity-manager');
  const record = await run;
  expect(record.total).toBe(keys.length);
  const row = await auditRun(h, 'scanner SIGKILL while publishing', record, keys);
  expect(row).toMatchObject({ completed: keys.length, lost: 0, duplicated: 0, partial: 0 });
  // Each file stored in the work stream once: the re-published ones were dropped by their Msg-Id.
  expect((await h.jsm.streams.info(STREAMS.work)).state.last_seq).toBe(keys.length);
});
