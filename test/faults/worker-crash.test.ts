// A file that kills every worker that picks it up (an out-of-memory crash, here a SIGKILL each time it is taken)
// must not block the run or the next one: once JetStream gives up on it (max deliveries), the scanner fails that
// file as `worker_crashed` from the server's advisory and dead-letters it, the run completes, the lock is released.
// Seen before: three workers died on the same file with WORK_MAX_DELIVER=3, the run stayed `running — 1 done,
// 0 failed, 0 skipped of 2` forever with no dead letter, and every later run was rejected.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { STREAMS, SUBJECTS } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordSecurityRow } from '../security/security-table';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { auditRun } from './fault-audit';

const GOOD = 'fhvhv_tripdata_2024-01.parquet';
const KILLER = 'fhvhv_tripdata_2024-02.parquet';
let h: PipelineHarness;
const kills: number[] = [];
let killing = true;

beforeAll(async () => {
  h = await startPipelineHarness({ env: { WORK_MAX_DELIVER: '3', WORK_ACK_WAIT_MS: '5000', WORKERS_MAX: '1', FILES_PER_WORKER: '1' } });
  await h.source.put(GOOD, generateFhvhvParquet({ month: '2024-01', rows: 20_000, seed: 1 }));
  await h.source.put(KILLER, generateFhvhvParquet({ month: '2024-02', rows: 20_000, seed: 2 }));
  await h.startService('scanner');
  await h.startService('capacity-manager');
  // The "crash": whenever the killer file starts, SIGKILL the (only) worker, as the OOM killer would.
  h.nc.subscribe(SUBJECTS.fileEvents, {
    callback: (_e, m) => {
      const event = m.json() as { type?: string; sourceKey?: string };
      if (!killing || event.type !== 'started' || event.sourceKey !== KILLER) return;
      const manager = h.services.get('capacity-manager')!.child.pid!;
      for (const pid of execFileSync('pgrep', ['-P', String(manager)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)) {
        process.kill(pid, 'SIGKILL');
        kills.push(pid);
      }
    },
  });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('a file whose every delivery kills its worker: failed as worker_crashed from the advisory, the run ends, the next is accepted', async () => {
  const record = await h.run({ intent: 'incremental', runId: 'crash-1' }, 120_000);
  expect(kills.length).toBe(3); // one per delivery: WORK_MAX_DELIVER=3
  expect(record.state).toBe('completed_with_failures');
  expect(record.files[GOOD].status).toBe('done');
  expect(record.files[KILLER].status).toBe('failed');
  expect(record.files[KILLER].failure).toMatchObject({ code: 'worker_crashed', attempt: 3 });
  expect(record.files[KILLER].failure?.reason).toMatch(/^no worker settled this file in 3 deliveries/);
  const letters = (await h.deadLetters()).filter((d) => d.runId === 'crash-1');
  expect(letters.map((d) => [d.key, d.code, d.deliveryCount])).toEqual([[KILLER, 'worker_crashed', 3]]);
  expect(letters[0].payloadTruncated).toBe(false); // the work message itself is parked: nothing lost
  // The stuck message is gone from the work queue (a work-queue stream would otherwise keep it forever).
  expect((await h.jsm.streams.info(STREAMS.work)).state.messages).toBe(0);
  await waitFor(async () => (await h.runs.activeLock()) === undefined, { what: 'the run lock released' });
  const row = await auditRun(h, 'every delivery of a file kills its worker (SIGKILL ×3)', record, [GOOD, KILLER]);
  expect(row).toMatchObject({ completed: 1, failedWithReason: 1, lost: 0, duplicated: 0, partial: 0 });

  const status = (await promisify(execFile)(process.execPath, [appEntry('cli'), 'status', 'crash-1'], { env: h.cliEnv() })).stdout;
  expect(status).toMatch(/run crash-1 \(incremental\): completed_with_failures — 1 done, 1 failed, 0 skipped of 2/);
  expect(status).toMatch(/failed fhvhv_tripdata_2024-02\.parquet: worker_crashed: /);

  // The next run is accepted and, with the crashing stopped, processes the file.
  killing = false;
  const next = await h.run({ intent: 'incremental', runId: 'crash-2' }, 60_000);
  expect(h.runEvents.find((e) => e.runId === 'crash-2' && e.type === 'rejected')).toBeUndefined();
  expect(next).toMatchObject({ state: 'succeeded', total: 1, done: 1 });
  recordSecurityRow({
    area: 'liveness',
    scenario: 'a file kills every worker that takes it (SIGKILL on each of WORK_MAX_DELIVER=3 deliveries)',
    expected: 'file failed worker_crashed + dead letter from the max-deliveries advisory; run ends; next run accepted',
    happened: `run ${record.state}; ${KILLER}: ${record.files[KILLER].failure?.code}; dead letters ${letters.length}; next run ${next.state}`,
    lost: row.lost,
    duplicated: row.duplicated,
    clobbered: row.partial,
  });
});
