// Fargate Spot interruptions on a fake ECS running real transformer processes as its tasks (issue 15, item 2). A Spot
// interruption is a SIGTERM whatever the task's scale-in protection, then a SIGKILL when the notice runs out (two
// minutes on Fargate; SPOT_NOTICE_MS here). Two tasks are interrupted mid-file: one in the middle of a slow download
// (its file cannot finish within DRAIN_TIMEOUT_MS, so it goes back to the queue and another task does it again), one
// while its manifest is being written (it finishes its file within the drain). The run still commits every file
// exactly once, with nothing partial, and the service replaces the interrupted tasks.
import type { FileEvent } from '@sluice/contracts';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditRun } from '../faults/fault-audit';
import { SOURCE_BUCKET, SOURCE_PREFIX, startFakeEcs, startPipelineHarness, transformerTasks, waitFor, type FakeEcs, type PipelineHarness } from '../support';

const MONTHS = ['2023-01', '2023-02', '2023-03', '2023-04', '2023-05', '2023-06'];
const keys = MONTHS.map((m) => `fhvhv_tripdata_${m}.parquet`);
/** The file whose first download is slow: interrupted, it cannot finish within the drain and goes back to the queue. */
const RETURNED = keys[0];
/** The file whose manifest write is slow: interrupted mid-commit, it finishes within the drain. */
const FINISHED = keys[1];
/** Fargate gives two minutes; scaled down, still longer than the drain and the aborted handler's unwinding. */
const SPOT_NOTICE_MS = 8_000;
const DRAIN_TIMEOUT_MS = 1_500;
const SLOW_DOWNLOAD_MS = 6_000;
const SLOW_MANIFEST_MS = 700;
const RUN_ID = 'spot-1';

let h: PipelineHarness;
let ecs: FakeEcs;

beforeAll(async () => {
  h = await startPipelineHarness({
    env: {
      CAPACITY_BACKEND: 'ecs',
      ECS_CLUSTER: 'sluice',
      ECS_SERVICE: 'transformer',
      WORKERS_MAX: '2',
      FILES_PER_WORKER: '1',
      IDLE_TIMEOUT_MS: '1000',
      SCALE_COOLDOWN_MS: '500',
      POLL_INTERVAL_MS: '300',
      DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
    },
    s3FaultProxy: true,
  });
  ecs = await startFakeEcs({
    cluster: 'sluice',
    service: 'transformer',
    startDelayMs: 300,
    spotNoticeMs: SPOT_NOTICE_MS,
    launch: transformerTasks(h),
  });
  h.env.ECS_ENDPOINT = ecs.endpoint;
  for (const [i, m] of MONTHS.entries()) await h.source.put(keys[i], generateFhvhvParquet({ month: m, rows: 40_000, seed: i + 1 }));
  // The services reach S3 through the proxy: the first read of RETURNED and the manifest of FINISHED are slow.
  const sourcePath = (key: string) => new RegExp(`^/${SOURCE_BUCKET}/${SOURCE_PREFIX}${key.replace('.', '\\.')}$`);
  h.proxy!.add({ method: 'GET', path: sourcePath(RETURNED), fault: { kind: 'delay', ms: SLOW_DOWNLOAD_MS }, times: 1 });
  h.proxy!.add({ method: 'PUT', path: /\/_sluice\/manifests\/fhvhv\/2023-02\.json$/, fault: { kind: 'delay', ms: SLOW_MANIFEST_MS }, times: 1 });
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);

afterAll(async () => {
  await h?.stop();
  await ecs?.stop();
});

const events = (key: string, type: FileEvent['type']) => h.fileEvents.filter((e) => e.runId === RUN_ID && e.sourceKey === key && e.type === type);

/** The task working on `key` in this run: the worker id of its latest `started` event is `task-<id>`. */
async function taskWorkingOn(key: string): Promise<string> {
  const started = await waitFor(() => h.fileEvents.filter((e) => e.runId === RUN_ID && e.sourceKey === key && e.type === 'started').at(-1), {
    what: `a task starting ${key}`,
    timeoutMs: 20_000,
  });
  return started.workerId.replace(/^task-/, '');
}

it('Spot interruptions mid-file: the file in hand finishes or goes back to the queue; nothing lost, duplicated or partial', async () => {
  const run = h.run({ intent: 'incremental', runId: RUN_ID }, 60_000);

  // Mid-download: the task holds scale-in protection, which a Spot interruption does not respect.
  const first = await taskWorkingOn(RETURNED);
  await waitFor(() => ecs.tasks().find((t) => t.id === first)?.protected, { what: `task ${first} protected while it works`, timeoutMs: 5_000 });
  expect(events(RETURNED, 'done')).toEqual([]);
  ecs.interrupt(first);

  // Mid-commit: its manifest write has reached S3 (and is answered late).
  await waitFor(() => h.proxy!.recorded.some((r) => r.method === 'PUT' && decodeURIComponent(r.url).includes('/_sluice/manifests/fhvhv/2023-02.json')), {
    what: `the manifest write of ${FINISHED}`,
    timeoutMs: 20_000,
  });
  const second = await taskWorkingOn(FINISHED);
  expect(events(FINISHED, 'done')).toEqual([]);
  ecs.interrupt(second);

  const record = await run;
  expect(record).toMatchObject({ state: 'succeeded', total: keys.length, done: keys.length, failed: 0 });
  const row = await auditRun(h, 'Fargate Spot interruptions mid-file (SIGTERM, notice, SIGKILL)', record, keys);
  expect(row).toMatchObject({ expected: keys.length, completed: keys.length, lost: 0, duplicated: 0, partial: 0 });

  // Returned to the queue: started by the interrupted task, then again (delivery 2) by another, committed once, by the other.
  expect(events(RETURNED, 'started').map((e) => [e.workerId === `task-${first}`, e.type === 'started' ? e.attempt : undefined])).toEqual([
    [true, 1],
    [false, 2],
  ]);
  expect(events(RETURNED, 'done').map((e) => e.workerId)).toEqual([expect.not.stringMatching(`task-${first}`)]);
  // Finished in hand: one start, one commit, both by the interrupted task.
  expect(events(FINISHED, 'started').map((e) => e.workerId)).toEqual([`task-${second}`]);
  expect(events(FINISHED, 'done').map((e) => e.workerId)).toEqual([`task-${second}`]);

  // Both interrupted tasks drained and exited within the notice (no SIGKILL), and the service replaced them.
  const interrupted = ecs.events.filter((e) => e.type === 'task_interrupted');
  expect(interrupted.map((e) => [e.taskId, e.protected])).toEqual([
    [first, true],
    [second, true],
  ]);
  expect(ecs.events.filter((e) => e.type === 'task_killed')).toEqual([]);
  for (const id of [first, second]) {
    const exit = ecs.events.find((e) => e.type === 'task_exited' && e.taskId === id)!;
    const at = interrupted.find((e) => e.taskId === id)!.at;
    expect(exit.at - at).toBeLessThan(SPOT_NOTICE_MS);
  }
  expect(ecs.events.filter((e) => e.type === 'task_started').length).toBeGreaterThanOrEqual(3);
  expect(await h.deadLetters()).toEqual([]);
});
