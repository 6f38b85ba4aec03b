// One fleet size, end to end: the real capacity manager (ECS backend) against the fake ECS, whose tasks are simulated
// transformers, a `reprocess` of the whole history through the real scanner, and what it took: makespan, worker time,
// the idle tail, ECS API calls and the Fargate bill.
import { workQueueEnv, loadEnv } from '@sluice/config';
import { topologyOptionsOf } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { openPipelineStores } from '@sluice/storage';
import { z } from 'zod';
import { startFakeEcs, type FakeEcsEvent } from '../../test/support/fake-ecs.server';
import type { PipelineHarness } from '../../test/support/pipeline-harness';
import { waitFor } from '../../test/support/wait-for';
import { fleetCost, type FleetCost } from './fargate-cost';
import { startSimulatedTask } from './simulated-task';
import type { HistoryFile } from './tlc-history';
import { fileWork, TimeScale } from './work-model';

export interface FleetRunOptions {
  tasks: number;
  scale: TimeScale;
  history: HistoryFile[];
  /** Fargate-like start latency, drawn per task, in real seconds. */
  startLatency: { min: number; max: number };
  seed: number;
  logger: Logger;
}

/** Every duration in real (simulated) seconds; `hereSeconds` is how long it took on this machine. */
export interface FleetResult {
  tasks: number;
  msPerSimulatedSecond: number;
  files: number;
  rows: number;
  neededWorkerSeconds: number;
  idealSeconds: number;
  makespanSeconds: number;
  usedWorkerSeconds: number;
  efficiency: number;
  peakTasks: number;
  /** From the run request to the first UpdateService (the scanner planning, the manager noticing the backlog). */
  firstScaleUpAfterSeconds?: number;
  fullFleetAfterSeconds?: number;
  lastDoneToFleetZeroSeconds: number;
  /** Every desiredCount the manager set, in order. */
  desiredCounts: number[];
  ecs: { describeServices: number; updateService: number; updateServiceMaxPerMinute: number; describeServicesMaxPerSecond: number; describeServicesPerMinute: number };
  cost: FleetCost;
  /** How much longer than the model the files took here, in all (this machine's own I/O on the critical path). */
  overrunPercent: number;
  redeliveries: number;
  hereSeconds: number;
}

const CLUSTER = 'sluice';
const SERVICE = 'transformer';

/** A small deterministic PRNG (mulberry32): the same start latencies on every run of the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runFleet(h: PipelineHarness, opts: FleetRunOptions): Promise<FleetResult> {
  const { scale, tasks } = opts;
  const began = Date.now();
  const files = new Map(opts.history.map((f) => [f.key, f]));
  const stores = openPipelineStores({ sinkUrl: h.env.SINK_URL!, testSinkUrl: `${h.env.SINK_URL}/_test` }, h.s3.connection);
  const topology = topologyOptionsOf(loadEnv(z.object(workQueueEnv), h.env));
  const draw = random(opts.seed);
  const committed: Array<{ modelMs: number; tookMs: number }> = [];
  const ecs = await startFakeEcs({
    cluster: CLUSTER,
    service: SERVICE,
    startDelayMs: () => scale.ms(opts.startLatency.min + draw() * (opts.startLatency.max - opts.startLatency.min)),
    launch: (taskId, agentUri) =>
      startSimulatedTask({
        taskId,
        natsUrl: h.nats.url,
        natsSeedFile: h.bus!.seedFiles.transformer,
        agentUri,
        topology,
        stores,
        sourceUrl: h.source.url,
        files,
        scale,
        drainTimeoutMs: scale.ms(30), // DRAIN_TIMEOUT_MS's default, 30 s
        logger: opts.logger,
        onCommitted: (c) => committed.push(c),
      }),
  });
  // The CDK stack's settings (infra/lib/settings.ts: idle timeout 120 s, cooldown 60 s) and the services' defaults
  // (poll every 1 s, 2 files per worker), scaled. The poll interval cannot go below the schema's 100 ms.
  await h.startService('capacity-manager', {
    CAPACITY_BACKEND: 'ecs',
    ECS_CLUSTER: CLUSTER,
    ECS_SERVICE: SERVICE,
    ECS_ENDPOINT: ecs.endpoint,
    WORKERS_MAX: String(tasks),
    FILES_PER_WORKER: '2',
    IDLE_TIMEOUT_MS: String(Math.round(scale.ms(120))),
    SCALE_COOLDOWN_MS: String(Math.round(scale.ms(60))),
    POLL_INTERVAL_MS: String(Math.max(100, Math.round(scale.ms(1)))),
  });
  try {
    const runId = `simulate-${tasks}-tasks-${began}`;
    const neededWorkerSeconds = opts.history.reduce((sum, f) => sum + fileWork(f).seconds, 0);
    const timeoutMs = scale.ms((neededWorkerSeconds / tasks) * 3 + opts.startLatency.max * 3 + 600) + 120_000;
    const requested = Date.now();
    const record = await h.run({ intent: 'reprocess', runId }, timeoutMs);
    if (record.state !== 'succeeded' || record.done !== opts.history.length) {
      throw new Error(`run ${runId} ended ${record.state}: ${record.done} done, ${record.failed} failed of ${record.total} (logs: ${h.logDir})`);
    }
    const finished = Date.parse(record.finishedAt!);
    const doneAt = h.fileEvents.filter((e) => e.runId === runId && e.type === 'done').map((e) => Date.parse(e.at));
    const lastDone = Math.max(...doneAt);
    await waitFor(() => ecs.desired() === 0 && ecs.tasks().length === 0, {
      what: 'the fleet back at 0',
      timeoutMs: scale.ms(120 + 60 + opts.startLatency.max) + 60_000,
    });
    const fleetZero = Math.max(...ecs.events.filter((e) => e.type === 'task_exited' || e.type === 'task_stopping').map((e) => e.at));
    const lifetimes = taskLifetimes(ecs.events).map((ms) => scale.seconds(ms));
    const updates = ecs.events.filter((e) => e.type === 'desired').map((e) => e.at);
    const makespanSeconds = scale.seconds(finished - requested);
    const used = lifetimes.reduce((a, b) => a + b, 0);
    const running = runningOverTime(ecs.events);
    const full = running.find((r) => r.running >= tasks);
    const modelMs = committed.reduce((a, c) => a + c.modelMs, 0);
    const overMs = committed.reduce((a, c) => a + Math.max(0, c.tookMs - c.modelMs), 0);
    return {
      tasks,
      msPerSimulatedSecond: scale.msPerSecond,
      files: record.total,
      rows: opts.history.reduce((a, f) => a + f.rows, 0),
      neededWorkerSeconds,
      idealSeconds: neededWorkerSeconds / tasks,
      makespanSeconds,
      usedWorkerSeconds: used,
      efficiency: neededWorkerSeconds / used,
      peakTasks: Math.max(0, ...running.map((r) => r.running)),
      ...(updates.length > 0 && { firstScaleUpAfterSeconds: scale.seconds(updates[0] - requested) }),
      ...(full && { fullFleetAfterSeconds: scale.seconds(full.at - requested) }),
      lastDoneToFleetZeroSeconds: scale.seconds(fleetZero - lastDone),
      desiredCounts: ecs.events.flatMap((e) => (e.type === 'desired' ? [e.desired!] : [])),
      ecs: {
        describeServices: ecs.calls.DescribeServices ?? 0,
        updateService: ecs.calls.UpdateService ?? 0,
        updateServiceMaxPerMinute: maxInWindow(ecs.callTimes.UpdateService ?? [], scale.ms(60)),
        describeServicesMaxPerSecond: maxInWindow(ecs.callTimes.DescribeServices ?? [], scale.ms(1)),
        describeServicesPerMinute: (ecs.calls.DescribeServices ?? 0) / (scale.seconds(fleetZero - requested) / 60),
      },
      cost: fleetCost(lifetimes),
      overrunPercent: (100 * overMs) / modelMs,
      redeliveries: h.fileEvents.filter((e) => e.runId === runId && e.type === 'started' && e.attempt > 1).length,
      hereSeconds: (Date.now() - began) / 1000,
    };
  } finally {
    await h.services.get('capacity-manager')?.stop(30_000);
    await ecs.stop();
  }
}

/** Each task's life in ms, in the order the tasks were asked for: from its creation (PENDING: Fargate bills from the image download) to its exit. */
function taskLifetimes(events: FakeEcsEvent[]): number[] {
  const created = new Map<string, number>(); // insertion order: creation order
  const ended = new Map<string, number>();
  const started = new Set(events.filter((e) => e.type === 'task_started').map((e) => e.taskId));
  for (const e of events) {
    if (!e.taskId) continue;
    if (e.type === 'task_pending') created.set(e.taskId, e.at);
    // a task stopped while still PENDING has no exit event: its stop ends it
    else if (e.type === 'task_exited' || (e.type === 'task_stopping' && !started.has(e.taskId))) ended.set(e.taskId, e.at);
  }
  return [...created].flatMap(([id, from]) => (ended.has(id) ? [ended.get(id)! - from] : []));
}

/** The number of RUNNING tasks after each start or exit. */
function runningOverTime(events: FakeEcsEvent[]): Array<{ at: number; running: number }> {
  let running = 0;
  const out: Array<{ at: number; running: number }> = [];
  for (const e of events) {
    if (e.type === 'task_started') running += 1;
    else if (e.type === 'task_exited') running -= 1;
    else continue;
    out.push({ at: e.at, running });
  }
  return out;
}

/** The most timestamps inside any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while (times[i] - times[j] >= windowMs) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
