// Fault: a replicated bus loses a server. Three nats-servers in a JetStream cluster, every stream and the runs bucket
// on three of them (NATS_REPLICAS=3), the role users on every node; in the middle of a run the server leading the
// work stream is killed (SIGKILL). The others elect a new leader, the services move to them, and the run completes
// with every file committed once.
import { DURABLES, fileEventSubject, FileEventSchema, KV_RUNS_STREAM, STREAMS, type FileEvent } from '@sluice/contracts';
import { ensureTopology } from '@sluice/messaging';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { auditRun } from './fault-audit';

const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const keys = MONTHS.map((m) => `fhvhv_tripdata_${m}.parquet`);
const RUN = 'fault-nats-cluster';
let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ natsCluster: 3, env: { NATS_REPLICAS: '3', WORK_ACK_WAIT_MS: '10000' } });
  for (const [i, m] of MONTHS.entries()) await h.source.put(keys[i], generateFhvhvParquet({ month: m, rows: 60_000, seed: i + 1 }));
  // A deployment that ran on one replica before: the scanner must bring the existing streams to three.
  await ensureTopology(h.nc, { workAckWaitMs: 10_000, workMaxDeliver: 5, controlAckWaitMs: 60_000, replicas: 1 });
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('the node leading the work stream is killed mid-run: a new leader, the run completes, 0 lost, 0 duplicated, 0 partial', async () => {
  for (const stream of [...Object.values(STREAMS), KV_RUNS_STREAM]) {
    const info = await h.jsm.streams.info(stream);
    expect(info.config.num_replicas, stream).toBe(3);
    expect(info.cluster?.replicas?.length, `${stream}: peers besides its leader`).toBe(2);
  }
  // The consumers follow their stream's replicas.
  const transformers = await h.jsm.consumers.info(DURABLES.transformers.stream, DURABLES.transformers.consumer);
  expect(transformers.cluster?.replicas?.length).toBe(2);
  // A service started without NATS_REPLICAS (the default, 1) against this cluster drops no copy: it is refused.
  await expect(ensureTopology(h.nc, { workAckWaitMs: 10_000, workMaxDeliver: 5, controlAckWaitMs: 60_000, replicas: 1 })).rejects.toThrow(
    /has 3 replicas and NATS_REPLICAS is 1: sluice does not drop copies/,
  );
  expect((await h.jsm.streams.info(STREAMS.work)).config.num_replicas).toBe(3);

  const run = h.run({ intent: 'incremental', runId: RUN }, 120_000);
  await waitFor(() => h.fileEvents.some((e) => e.runId === RUN && e.type === 'done'), { what: 'first file done', timeoutMs: 60_000 });
  const leader = (await h.jsm.streams.info(STREAMS.work)).cluster?.leader;
  expect(leader).toBeDefined();
  const done = h.fileEvents.filter((e) => e.runId === RUN && e.type === 'done').length;
  await h.natsCluster!.node(leader!).kill();
  const newLeader = await waitFor(
    async () => {
      const info = await h.jsm.streams.info(STREAMS.work).catch(() => undefined);
      return info?.cluster?.leader && info.cluster.leader !== leader ? info.cluster.leader : undefined;
    },
    { what: `a work-stream leader other than ${leader}`, timeoutMs: 30_000 },
  );

  const record = await run;
  expect(done, 'files done before the kill: it came mid-run').toBeLessThan(keys.length);
  const row = await auditRun(h, `the work stream's leader (1 of 3 nats-servers, R3) killed mid-run`, record, keys);
  expect(row).toMatchObject({ completed: keys.length, lost: 0, duplicated: 0, partial: 0 });
  // The test's own subscription may have missed events while it reconnected: the stored ones say the same.
  const commits = new Map<string, number>();
  for (const e of await storedFileEvents(RUN)) {
    if (e.type === 'done' && !e.alreadyCommitted) commits.set(e.sourceKey, (commits.get(e.sourceKey) ?? 0) + 1);
  }
  expect(Object.fromEntries(commits)).toEqual(Object.fromEntries(keys.map((k) => [k, 1])));
  expect(newLeader).not.toBe(leader);
  for (const s of h.services.values()) expect(s.child.exitCode).toBeNull(); // nobody died; everyone moved to a live node
});

/** Every file event of the run, as PIPELINE_EVENTS (three replicas) kept them: read one by one from its leader. */
async function storedFileEvents(runId: string): Promise<FileEvent[]> {
  const { state } = await h.jsm.streams.info(STREAMS.events);
  const events: FileEvent[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const m = await h.jsm.streams.getMessage(STREAMS.events, { seq });
    if (m?.subject === fileEventSubject(runId)) events.push(FileEventSchema.parse(m.json()));
  }
  return events;
}
