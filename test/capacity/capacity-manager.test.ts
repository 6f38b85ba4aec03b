// The capacity manager with the local backend: it reacts to events (not only its poll), replaces a worker that
// died, and the file that worker held is completed exactly once by another. The worker dies mid-file deterministically:
// its read of the source is held in the services' S3 proxy until it is dead (small files, no race against the clock).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServiceProcess } from '@sluice/embedded';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdSourceRead, startPipelineHarness, waitFor, type PipelineHarness } from '../support';

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
};

describe('capacity manager (local backend)', () => {
  let h: PipelineHarness;
  let managerPid: number;

  beforeAll(async () => {
    // A poll far longer than the test: every reaction below comes from event nudges.
    h = await startPipelineHarness({
      env: { POLL_INTERVAL_MS: '60000', WORKERS_MAX: '1', IDLE_TIMEOUT_MS: '1000', WORK_ACK_WAIT_MS: '5000' },
      s3FaultProxy: true,
    });
    for (const [i, month] of ['2024-01', '2024-02'].entries()) {
      await h.source.put(`fhvhv_tripdata_${month}.parquet`, generateFhvhvParquet({ month, rows: 5_000, seed: i + 1 }));
    }
    await h.startService('scanner');
    managerPid = (await h.startService('capacity-manager')).child.pid!;
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('starts a worker when a run is planned, without waiting for its poll, and replaces one that dies mid-file', async () => {
    const read = holdSourceRead(h);
    const run = h.run({ intent: 'incremental', runId: 'cap-1' }, 120_000);
    const up = await waitFor(() => h.capacityEvents.find((e) => e.to === 1), { what: 'a scale-up event', timeoutMs: 5_000 });
    expect(up.backlog).toBe(2);
    await waitFor(() => h.fileEvents.find((e) => e.runId === 'cap-1' && e.type === 'started'), { what: 'a file started' });
    const held = await read.arrived();
    await waitFor(() => h.fileEvents.some((e) => e.runId === 'cap-1' && e.sourceKey === held && e.type === 'started'), { what: `${held} started` });
    expect(h.fileEvents.filter((e) => e.runId === 'cap-1' && e.sourceKey === held && e.type !== 'started')).toEqual([]);
    const [worker] = childrenOf(managerPid);
    expect(worker).toBeGreaterThan(0);
    process.kill(worker, 'SIGKILL');
    await waitFor(() => h.capacityEvents.find((e) => /exited/.test(e.reason)), { what: 'the dead worker replaced', timeoutMs: 5_000 });
    read.release(); // to a client that has gone (the manager saw it exit): nothing of this read reaches a worker
    const record = await run;
    expect(record).toMatchObject({ state: 'succeeded', done: 2, failed: 0 });
    const done = h.fileEvents.filter((e) => e.runId === 'cap-1' && e.type === 'done' && !e.alreadyCommitted);
    expect(done.map((e) => e.month).sort()).toEqual(['2024-01', '2024-02']);
    // the dead worker's file was delivered again, to its replacement
    expect(h.fileEvents.filter((e) => e.runId === 'cap-1' && e.sourceKey === held && e.type === 'started' && e.attempt > 1).length).toBeGreaterThanOrEqual(1);
    expect((await h.manifests()).map((m) => m.runId)).toEqual(['cap-1', 'cap-1']);
  });

  it('goes back to zero workers after the idle timeout, and no worker process is left', async () => {
    await waitFor(() => h.capacityEvents.at(-1)?.to === 0, { what: 'scale to zero', timeoutMs: 10_000 });
    await waitFor(() => childrenOf(managerPid).length === 0, { what: 'worker processes gone', timeoutMs: 20_000 });
  });

  it('refuses a blank TRANSFORMER_COMMAND at start-up, with the other bad keys', async () => {
    const logFile = join(h.logDir, 'bad-capacity-manager.log');
    const env = { ...h.envFor('capacity-manager'), TRANSFORMER_COMMAND: '  ', WORKERS_MAX: 'many' };
    const { code } = await startServiceProcess('capacity-manager', { env, logFile }).exited;
    expect(code).toBe(2);
    const problems = (await readFile(logFile, 'utf8')).split('\n').filter((l) => l.startsWith('  - '));
    expect(problems.map((l) => l.slice(4).split(':')[0]).sort()).toEqual(['TRANSFORMER_COMMAND', 'WORKERS_MAX']);
    expect(problems).toContain('  - TRANSFORMER_COMMAND: must name the command to run (it is only blanks)');
  });
});
