// One simulated transformer task: a real JetStream pull consumer of the work queue with the transformer's bus
// contract, minus the engine. It connects as the transformer role, pulls through the same transport (one file at a
// time, `working()` heartbeats, the one settlement module, the drain on stop), checks the work against its run,
// holds ECS scale-in protection through the task's agent endpoint (the transformer's own TaskProtection), and then,
// instead of normalizing, waits as long as the work model says the file takes (scaled). It commits as the
// transformer does — an output object at the file's key (a placeholder of a few bytes), then the manifest with the
// model's rows and the placeholder's size — and publishes the same `started` / `done` / `failed` events, parsed by
// the same schemas, that the scanner's run tracker checks against that manifest.
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  FileEventSchema,
  isCommittedFor,
  KV,
  ManifestSchema,
  manifestKey,
  outputKey,
  PermanentError,
  SUBJECTS,
  TransientError,
  type FileDiscovered,
  type FileEvent,
  type Manifest,
} from '@sluice/contracts';
import type { TransformerEnv } from '@sluice/config';
import { connectNats, consumerTopology, Publisher, type TopologyOptions } from '@sluice/messaging';
import { JetStreamServer, type JetStreamContext } from '@sluice/messaging/nest';
import { schemaVersionFor } from '@sluice/normalize';
import type { Logger } from '@sluice/observability';
import { RunReader } from '@sluice/run-state';
import { readManifest, type PipelineStores } from '@sluice/storage';
import { transformerBindings } from '../../apps/transformer/src/consumer-bindings';
import { TaskProtection } from '../../apps/transformer/src/task-protection';
import { checkWork } from '../../apps/transformer/src/work-check';
import { fileWork, type TimeScale } from './work-model';
import type { HistoryFile } from './tlc-history';

export interface SimulatedTaskOptions {
  taskId: string;
  natsUrl: string;
  /** The transformer role's nkey seed file: the server enforces that role's permissions on the task. */
  natsSeedFile: string;
  /** The task's ECS agent endpoint (ECS_AGENT_URI) on the fake ECS. */
  agentUri: string;
  topology: TopologyOptions;
  stores: PipelineStores;
  /** The source's URL, as the manifest records it. */
  sourceUrl: string;
  /** The history the source holds: the model's rows and bytes by source key. */
  files: Map<string, HistoryFile>;
  scale: TimeScale;
  /** The transformer's DRAIN_TIMEOUT_MS (scaled). */
  drainTimeoutMs: number;
  logger: Logger;
  /** Each file the task committed: its source key, the model's time and the time it took here (ms). */
  onCommitted(record: { key: string; modelMs: number; tookMs: number }): void;
}

export interface SimulatedTask {
  exited: Promise<void>;
  /** SIGTERM: the transport drains (finishes or returns the file in hand), then the task exits. */
  stop(): void;
}

const PLACEHOLDER = new TextEncoder().encode('sluice fleet simulation: not Parquet\n');

export function startSimulatedTask(opts: SimulatedTaskOptions): SimulatedTask {
  let stopRequested = false;
  let stopNow: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stopNow = resolve));
  const exited = (async () => {
    // As a transformer connects: its role's seed, and replies to that user's own inbox.
    const nc = await connectNats({ url: opts.natsUrl, nkeySeedFile: opts.natsSeedFile }, `sim-task-${opts.taskId}`);
    try {
      const { server, busy } = await listen(nc, opts);
      if (!stopRequested) await stopped;
      const closing = server.close();
      // An idle transformer's drain waits for its pending pull to expire (1–2 s, a transport constant that does not
      // scale): unscaled, that wait would be minutes of simulated time. With no file in hand, the connection closes
      // at once instead, which ends the pull (the capacity manager stops tasks only when the backlog is 0).
      if (!busy()) await nc.close();
      await closing;
    } finally {
      if (!nc.isClosed()) await nc.close();
    }
  })().catch((error: unknown) => opts.logger.error({ taskId: opts.taskId, err: (error as Error).message }, 'simulated task failed'));
  return {
    exited,
    stop: () => {
      stopRequested = true;
      stopNow();
    },
  };
}

async function listen(nc: NatsConnection, opts: SimulatedTaskOptions): Promise<{ server: JetStreamServer; busy: () => boolean }> {
  let inHand = 0;
  // What this task's commit (output, manifest) takes here, smoothed: the wait ends that much early, so a file takes
  // the model's time in all and this machine's own I/O does not stretch the simulated work.
  let commitMs = 0;
  const log = opts.logger.child({ taskId: opts.taskId });
  const runs = new RunReader(await new Kvm(nc).open(KV.runsBucket));
  const publisher = new Publisher(nc);
  // The transformer's own protection client; it reads these two settings of its environment and nothing else.
  const protection = new TaskProtection({ ECS_AGENT_URI: opts.agentUri, TASK_PROTECTION_MINUTES: 60 } as TransformerEnv, log);
  const workerId = `task-${opts.taskId}`;
  const server = new JetStreamServer(nc, transformerBindings(consumerTopology(opts.topology), { fileDeadlineMs: 3_600_000 }), {
    logger: log,
    drainTimeoutMs: opts.drainTimeoutMs,
  });

  const onFile = async (file: FileDiscovered, ctx: JetStreamContext): Promise<void> => {
    inHand += 1;
    try {
      await handle(file, ctx);
    } finally {
      inHand -= 1;
    }
  };
  const handle = async (file: FileDiscovered, ctx: JetStreamContext): Promise<void> => {
    const began = Date.now();
    const ref = { runId: file.runId, dataset: file.dataset, month: file.month, sourceKey: file.source.key };
    // Checked against the schema the scanner and the CLI parse file events with: what a real transformer would send.
    const event = (e: FileEvent) => publisher.fileEvent(FileEventSchema.parse(e));
    const verdict = checkWork(file, await runs.get(file.runId));
    if (verdict.verdict === 'refuse') throw new PermanentError(verdict.code, verdict.reason);
    if (verdict.verdict === 'skip') return void (await event({ type: 'skipped', ...ref, workerId, reason: verdict.why, at: new Date().toISOString() }));
    if (verdict.verdict === 'settled') return;
    try {
      const output = opts.stores.output(file.target);
      const schemaVersion = schemaVersionFor(file.dataset) ?? 'unknown';
      const previous = await readManifest(output, file.dataset, file.month);
      if (previous?.runId === file.runId && isCommittedFor(previous, file.source, schemaVersion)) {
        await event(doneEvent(ref, workerId, previous, 0, true));
        return;
      }
      await event({ type: 'started', ...ref, workerId, attempt: ctx.deliveryCount, at: new Date().toISOString() });
      const history = opts.files.get(file.source.key);
      if (!history) throw new PermanentError('not_in_history', `${file.source.key} is not a file of the simulated history`);
      const work = fileWork(history);
      const modelMs = opts.scale.ms(work.seconds);
      const manifest = await protection.hold(async () => {
        // The model's time includes this attempt's own I/O (reads, events, the commit): wait out what is left of it.
        await waitUntil(began + modelMs - commitMs, ctx.signal);
        const commitBegan = Date.now();
        const key = outputKey(file.dataset, file.month);
        await output.put(key, PLACEHOLDER, { contentType: 'application/octet-stream' });
        const committed: Manifest = ManifestSchema.parse({
          manifestVersion: 1,
          dataset: file.dataset,
          month: file.month,
          source: { store: opts.sourceUrl, key: file.source.key, etag: file.source.etag, size: file.source.size },
          schemaVersion,
          rowsIn: history.rows,
          rowsOut: history.rows,
          dropped: {},
          droppedColumns: [],
          output: { key, bytes: PLACEHOLDER.byteLength, rowGroups: Math.ceil(history.rows / 1_000_000) },
          runId: file.runId,
          writtenAt: new Date().toISOString(),
        } satisfies Manifest);
        await output.put(manifestKey(file.dataset, file.month), JSON.stringify(committed, null, 2), { contentType: 'application/json' });
        commitMs = 0.8 * commitMs + 0.2 * (Date.now() - commitBegan);
        return committed;
      });
      opts.onCommitted({ key: file.source.key, modelMs, tookMs: Date.now() - began });
      await event(doneEvent(ref, workerId, manifest, Math.round(work.seconds * 1000), false));
    } catch (error) {
      const final = ctx.finalFailure(error);
      if (final) {
        log.error({ code: final.code, key: file.source.key }, `file failed: ${final.reason}`);
        await event({ type: 'failed', ...ref, workerId, code: final.code, reason: final.reason.slice(0, 2_000), attempt: ctx.deliveryCount, at: new Date().toISOString() });
      }
      throw error;
    }
  };
  server.addHandler(SUBJECTS.fileDiscovered, onFile as (data: unknown, ctx?: unknown) => Promise<void>, true);
  server.listen(() => undefined);
  return { server, busy: () => inHand > 0 };
}

/** `durationMs`: the file's time on a real task (the model's, unscaled). */
function doneEvent(
  ref: Pick<FileDiscovered, 'runId' | 'dataset' | 'month'> & { sourceKey: string },
  workerId: string,
  m: Manifest,
  durationMs: number,
  alreadyCommitted: boolean,
): FileEvent {
  return {
    type: 'done', ...ref, workerId, rowsIn: m.rowsIn, rowsOut: m.rowsOut, dropped: m.dropped, outputKey: m.output.key,
    outputBytes: m.output.bytes, rowGroups: m.output.rowGroups, durationMs, ...(alreadyCommitted && { alreadyCommitted }),
    at: new Date().toISOString(),
  };
}

/** Resolves at `deadline` (ms since the epoch); rejects with the signal's reason (a drain timeout) if aborted first. */
function waitUntil(deadline: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new TransientError('aborted', 'the work was aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, Math.max(0, deadline - Date.now()));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}
