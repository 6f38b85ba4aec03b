// Scenario on a fake ECS that runs real transformer processes as its tasks: a backlog of 20 files scales the
// service to max, drains, returns to 0 after idle; no task is stopped while it holds scale-in protection, even when
// desiredCount is cut from outside in the middle of the work; every file is committed exactly once.
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEcs, startPipelineHarness, transformerTasks, waitFor, type FakeEcs, type PipelineHarness } from '../support';

const FILES = 20;
const MAX = 4;

describe('capacity on ECS (fake ECS, real transformer tasks)', () => {
  let h: PipelineHarness;
  let ecs: FakeEcs;
  const t0 = Date.now();

  beforeAll(async () => {
    h = await startPipelineHarness({
      env: {
        CAPACITY_BACKEND: 'ecs',
        ECS_CLUSTER: 'sluice',
        ECS_SERVICE: 'transformer',
        WORKERS_MAX: String(MAX),
        FILES_PER_WORKER: '2',
        IDLE_TIMEOUT_MS: '2000',
        SCALE_COOLDOWN_MS: '1000',
        POLL_INTERVAL_MS: '300',
        TASK_PROTECTION_MINUTES: '5',
      },
    });
    ecs = await startFakeEcs({
      cluster: 'sluice',
      service: 'transformer',
      startDelayMs: 500,
      launch: transformerTasks(h),
    });
    h.env.ECS_ENDPOINT = ecs.endpoint;
    for (let i = 0; i < FILES; i += 1) {
      const month = `2023-${String((i % 12) + 1).padStart(2, '0')}`;
      const year = 2022 + Math.floor(i / 12);
      const m = `${year}-${month.slice(5)}`;
      await h.source.put(`fhvhv_tripdata_${m}.parquet`, generateFhvhvParquet({ month: m, rows: 60_000, seed: i + 1 }));
    }
    await h.startService('scanner');
    await h.startService('capacity-manager');
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await ecs?.stop();
    if (process.env.SLUICE_PRINT_CAPACITY) {
      for (const e of h.capacityEvents) console.log(`+${((Date.parse(e.at) - t0) / 1000).toFixed(1)}s backlog=${e.backlog} ${e.from}→${e.to} (${e.reason})`);
    }
  });

  it('scales to max for a backlog of 20, survives an outside scale-in without stopping a protected task, and commits every file once', async () => {
    const run = h.run({ intent: 'incremental', runId: 'ecs-1' }, 180_000);
    await waitFor(() => h.capacityEvents.some((e) => e.to === MAX), { what: `scale-up to ${MAX}`, timeoutMs: 10_000 });
    expect(h.capacityEvents.find((e) => e.to === MAX)!.backlog).toBeGreaterThanOrEqual(FILES - MAX);

    // Mid-drain, an operator cuts desiredCount to 1: ECS may stop only tasks that are not protected.
    await waitFor(() => ecs.tasks().filter((t) => t.protected).length >= 2, { what: 'two tasks working under protection', timeoutMs: 20_000 });
    const client = new ECSClient({ endpoint: ecs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await client.send(new UpdateServiceCommand({ cluster: 'sluice', service: 'transformer', desiredCount: 1 }));
    client.destroy();

    const record = await run;
    expect(record).toMatchObject({ state: 'succeeded', total: FILES, done: FILES, failed: 0 });
    const done = h.fileEvents.filter((e) => e.runId === 'ecs-1' && e.type === 'done' && !e.alreadyCommitted).map((e) => e.sourceKey);
    expect(new Set(done).size).toBe(FILES);
    expect((await h.manifests()).length).toBe(FILES);

    // The manager checks at most once per POLL_INTERVAL_MS (300 ms here), however fast events come: one DescribeServices
    // per check, and one more after a change it made.
    const describes = ecs.callTimes.DescribeServices ?? [];
    const peak = Math.max(...describes.map((at) => describes.filter((t) => t >= at && t < at + 1_000).length));
    expect(peak, `DescribeServices: ${describes.length} calls, at most ${peak} in one second`).toBeLessThanOrEqual(2 * Math.ceil(1_000 / 300));

    const stops = ecs.events.filter((e) => e.type === 'task_stopping');
    expect(stops.filter((e) => e.protected)).toEqual([]);
    expect(ecs.events.filter((e) => e.type === 'protection' && e.protected).length).toBeGreaterThanOrEqual(FILES);
  });

  it('returns to 0 tasks after the idle timeout', async () => {
    await waitFor(() => h.capacityEvents.at(-1)?.to === 0, { what: 'desiredCount 0', timeoutMs: 15_000 });
    await waitFor(() => ecs.tasks().length === 0, { what: 'every task gone', timeoutMs: 30_000 });
    expect(ecs.desired()).toBe(0);
  });
});
