// Streams, durable consumers and the KV bucket: declared idempotently by the scanner at start-up (its user is the
// only one allowed to); every other service waits until they exist.
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV as KvBucket } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { DURABLES, KV, KV_RUNS_STREAM, STREAMS, SUBJECTS, WORK_ADVISORY_SUBJECTS, type DurableName, type DurableRef } from '@sluice/contracts';
import { isNotFoundError } from './stored-message';

const ms = (n: number): number => n * 1_000_000; // JetStream durations are nanoseconds
const DAY = 24 * 3_600_000;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export interface TopologyOptions {
  workAckWaitMs: number;
  workMaxDeliver: number;
  controlAckWaitMs: number;
  /** Copies of every stream and of the runs bucket (NATS_REPLICAS): 1 on a single server, 3 or 5 in a cluster. */
  replicas: number;
}

/** Largest message any service accepts; bigger ones are dead-lettered as oversize. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * A dead letter carries at most 16 KiB of the original payload (base64: under 22 KiB) and a reason cut at 2,000
 * characters: 64 KiB leaves room and refuses anything that is not one of ours.
 */
export const MAX_DEAD_LETTER_BYTES = 64 * KiB;

/** The limits every stream must have: nothing on the bus may fill the server's disk (see topology.spec.ts). */
export type StreamLimits = Required<Pick<StreamConfig, 'max_bytes' | 'max_msgs' | 'max_msg_size' | 'discard'>>;
export type DeclaredStream = Partial<StreamConfig> & StreamLimits & { name: string; subjects: string[]; num_replicas: number };

/**
 * Every stream, with `replicas` copies each (1: a single server). The durable consumers set no replica count of their
 * own: they follow their stream's, also when it is changed (a consumer may not have more than its stream anyway).
 */
export function streamConfigs(replicas = 1): DeclaredStream[] {
  const streams: Array<Omit<DeclaredStream, 'num_replicas'>> = [
    {
      name: STREAMS.control,
      subjects: [SUBJECTS.run, SUBJECTS.cancel],
      retention: RetentionPolicy.Limits,
      max_age: ms(7 * DAY),
      duplicate_window: ms(120_000),
      max_msg_size: MAX_MESSAGE_BYTES,
      // A run request is well under 1 KiB and one is handled at a time; this is years of requests.
      max_msgs: 10_000,
      max_bytes: 64 * MiB,
      // New: a flood is refused at the publisher (who sees the error), instead of pushing a queued cancel out.
      discard: DiscardPolicy.New,
    },
    {
      name: STREAMS.work,
      subjects: [SUBJECTS.fileDiscovered],
      retention: RetentionPolicy.Workqueue,
      // Msg-Id workMsgId (`<runId>:<dataset>:<key>`): a scanner that restarts mid-listing cannot enqueue a file twice.
      duplicate_window: ms(3_600_000),
      max_msg_size: MAX_MESSAGE_BYTES,
      // A whole TLC catalog is under 1,000 files of under 1 KiB each.
      max_msgs: 100_000,
      max_bytes: 256 * MiB,
      // New: queued work is never dropped to make room; the scanner's publish fails and its run request is retried.
      discard: DiscardPolicy.New,
    },
    {
      name: STREAMS.events,
      subjects: [SUBJECTS.events],
      retention: RetentionPolicy.Limits,
      max_age: ms(14 * DAY),
      duplicate_window: ms(120_000),
      // A `planned` event carries the listing summary (every unknown month with its reason): well under this.
      max_msg_size: MAX_MESSAGE_BYTES,
      max_msgs: 1_000_000,
      max_bytes: 1 * GiB,
      // Old: events are history, the newest matter most, and no publisher may ever block on a full history.
      discard: DiscardPolicy.Old,
    },
    {
      name: STREAMS.dlq,
      subjects: [SUBJECTS.deadLetters],
      retention: RetentionPolicy.Limits,
      max_age: ms(30 * DAY),
      max_msg_size: MAX_DEAD_LETTER_BYTES,
      max_msgs: 100_000,
      max_bytes: 512 * MiB,
      // New: the oldest letters are the evidence an operator is looking for. When full, parking fails, and the
      // settlement returns the message to its own stream to be retried: nothing is dropped.
      discard: DiscardPolicy.New,
    },
    {
      // The server's advisories about the work consumer, stored: a file whose worker crashed on its last delivery
      // is failed from here even if the scanner was down when the advisory was sent.
      name: STREAMS.advisories,
      subjects: [...WORK_ADVISORY_SUBJECTS],
      retention: RetentionPolicy.Limits,
      max_age: ms(7 * DAY),
      // An advisory is about 300 bytes, one per file that no handler settled; only the server publishes them.
      max_msg_size: 16 * KiB,
      max_msgs: 100_000,
      max_bytes: 64 * MiB,
      // Old: the newest advisories are the ones still to act on; the scanner acts on each within seconds.
      discard: DiscardPolicy.Old,
    },
  ];
  return streams.map((stream) => ({ ...stream, num_replicas: replicas }));
}

/**
 * The runs bucket: one record per run (a full-catalog run's record is a few hundred KiB) and the lock. Discard New
 * is the KV bucket's own rule (compare-and-set needs it); max_msg_size is the server's default max_payload.
 */
export const RUNS_BUCKET_LIMITS: StreamLimits = {
  max_msg_size: 1 * MiB,
  max_msgs: 100_000,
  max_bytes: 1 * GiB,
  discard: DiscardPolicy.New,
};

/**
 * What a service bound to a durable consumer must agree with: its pull transport heartbeats at a third of the ack wait,
 * and its settlement dead-letters on the last delivery the server makes.
 */
export interface ConsumerSettings {
  ackWaitMs: number;
  maxDeliver: number;
  /** Deliveries outstanding at once over all its clients; unset: the server's default. */
  maxAckPending?: number;
  /** Fixed at creation, as is the filter. */
  deliverPolicy?: DeliverPolicy;
  filterSubject?: string;
}

export type DeclaredConsumer = DurableRef & ConsumerSettings;

/** Every durable consumer with its settings, keyed as DURABLES: `consumers.transformers` is the work consumer. */
export type ConsumerTopology = { readonly [K in DurableName]: (typeof DURABLES)[K] & ConsumerSettings };

/** The one declaration of the durable consumers' settings; services bind to these (see pull-binding.ts). */
export function consumerTopology(opts: TopologyOptions): ConsumerTopology {
  return {
    scanner: {
      ...DURABLES.scanner,
      deliverPolicy: DeliverPolicy.New,
      ackWaitMs: opts.controlAckWaitMs,
      maxDeliver: 5,
      // run and cancel requests are handled strictly in order, one at a time
      maxAckPending: 1,
    },
    transformers: { ...DURABLES.transformers, ackWaitMs: opts.workAckWaitMs, maxDeliver: opts.workMaxDeliver },
    runTracker: {
      ...DURABLES.runTracker,
      filterSubject: SUBJECTS.fileEvents,
      deliverPolicy: DeliverPolicy.New,
      ackWaitMs: 30_000,
      maxDeliver: 10,
    },
    workAdvisories: { ...DURABLES.workAdvisories, deliverPolicy: DeliverPolicy.All, ackWaitMs: 30_000, maxDeliver: 10 },
  };
}

/** The consumer's configuration as the server takes it. */
export function consumerConfig(consumer: DeclaredConsumer): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: consumer.consumer,
    ...(consumer.filterSubject !== undefined && { filter_subject: consumer.filterSubject }),
    ack_policy: AckPolicy.Explicit,
    ...(consumer.deliverPolicy !== undefined && { deliver_policy: consumer.deliverPolicy }),
    ack_wait: ms(consumer.ackWaitMs),
    max_deliver: consumer.maxDeliver,
    ...(consumer.maxAckPending !== undefined && { max_ack_pending: consumer.maxAckPending }),
  };
}

export function consumerConfigs(opts: TopologyOptions): Array<{ stream: string; config: Partial<ConsumerConfig> & { durable_name: string } }> {
  return Object.values(consumerTopology(opts)).map((consumer) => ({ stream: consumer.stream, config: consumerConfig(consumer) }));
}

/** The topology settings of a service's environment (libs/config's workQueueEnv), as the topology takes them. */
export function topologyOptionsOf(env: {
  WORK_ACK_WAIT_MS: number;
  WORK_MAX_DELIVER: number;
  CONTROL_ACK_WAIT_MS: number;
  NATS_REPLICAS: number;
}): TopologyOptions {
  return {
    workAckWaitMs: env.WORK_ACK_WAIT_MS,
    workMaxDeliver: env.WORK_MAX_DELIVER,
    controlAckWaitMs: env.CONTROL_ACK_WAIT_MS,
    replicas: env.NATS_REPLICAS,
  };
}

/**
 * Why the server we are connected to cannot keep `replicas` copies, or undefined. A single nats-server refuses a new
 * stream with more than one replica, but takes an update to 3 of an existing one and keeps one copy: the topology
 * would say 3 and mean 1, so more than one replica needs a server that says it is in a cluster.
 */
export function replicasProblem(replicas: number, server: { cluster?: string } | undefined): string | undefined {
  if (replicas <= 1 || server?.cluster) return undefined;
  return `NATS_REPLICAS=${replicas} needs a JetStream cluster, and the NATS server is not in one: set NATS_REPLICAS=1 for a single server`;
}

/** A stream the server would not create or re-replicate, said with what was asked and what it takes. */
export function replicasFailure(stream: string, wanted: number, had: number | undefined, cause: Error): Error {
  const what = had === undefined ? `could not be created with ${wanted} replicas` : `could not go from ${had} to ${wanted} replicas`;
  return new Error(
    `stream ${stream} ${what} (NATS_REPLICAS=${wanted}): ${cause.message}; ${wanted} replicas need at least ${wanted} JetStream servers of the cluster up`,
    { cause },
  );
}

/**
 * Copies are never dropped by a default: a scanner started without NATS_REPLICAS (a local run, a second deployment, a
 * forgotten setting) against a replicated cluster would otherwise bring every stream down to one copy, silently.
 * Lowering the count is an operator's deliberate act (`nats stream edit <stream> --replicas N`).
 */
export function replicasLowered(stream: string, had: number, wanted: number): Error | undefined {
  if (wanted >= had) return undefined;
  return new Error(
    `stream ${stream} has ${had} replicas and NATS_REPLICAS is ${wanted}: sluice does not drop copies; set NATS_REPLICAS=${had}, or lower the stream's replicas yourself (nats stream edit ${stream} --replicas ${wanted})`,
  );
}

/**
 * Brings a stream to its declared config. A higher replica count is set in place (the server copies the stream to
 * new peers, and the consumers follow): an operator who sets NATS_REPLICAS=3 on a running cluster gets replicated
 * streams on the next scanner start, with no data moved by hand. A lower one is refused (replicasLowered).
 */
async function ensureStream(jsm: JetStreamManager, config: DeclaredStream): Promise<void> {
  const had = await jsm.streams.info(config.name).then(
    (info) => info.config.num_replicas,
    (error: unknown) => (isNotFoundError(error) ? undefined : Promise.reject(error)),
  );
  if (had === undefined) {
    await jsm.streams.add({ storage: StorageType.File, ...config }).catch(async (addError: Error) => {
      // Another service created it between our info and add: fine, as long as it now exists.
      await jsm.streams.info(config.name).catch(() => Promise.reject(config.num_replicas > 1 ? replicasFailure(config.name, config.num_replicas, undefined, addError) : addError));
    });
    return;
  }
  const lowered = replicasLowered(config.name, had, config.num_replicas);
  if (lowered) throw lowered;
  await jsm.streams.update(config.name, config).catch((error: Error) => {
    throw had === config.num_replicas ? error : replicasFailure(config.name, config.num_replicas, had, error);
  });
  if (had !== config.num_replicas) await awaitStreamLeader(jsm, config.name);
}

const LEADER_TIMEOUT_MS = 30_000;

/** After a replica change the stream has no leader until its new peers elect one; nothing else can use it meanwhile. */
async function awaitStreamLeader(jsm: JetStreamManager, stream: string): Promise<void> {
  const deadline = Date.now() + LEADER_TIMEOUT_MS;
  let last = 'no answer yet';
  for (;;) {
    try {
      const info = await jsm.streams.info(stream);
      if (!info.cluster || info.cluster.leader) return;
      last = `no leader elected among ${1 + (info.cluster.replicas?.length ?? 0)} peers`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`stream ${stream} had no leader ${LEADER_TIMEOUT_MS / 1000} s after its replicas changed (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, config: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
  try {
    const existing = await jsm.consumers.info(stream, config.durable_name);
    // deliver_policy and filter are fixed at creation; the rest can follow the config.
    const { deliver_policy: _deliver, ...mutable } = config;
    void _deliver;
    if (existing.config.ack_wait !== config.ack_wait || existing.config.max_deliver !== config.max_deliver) {
      await jsm.consumers.update(stream, config.durable_name, mutable);
    }
  } catch (error) {
    if (!isNotFoundError(error)) throw error;
    await jsm.consumers.add(stream, config).catch(async (addError) => {
      await jsm.consumers.info(stream, config.durable_name).catch(() => Promise.reject(addError));
    });
  }
}

export interface Topology {
  jsm: JetStreamManager;
  runs: KvBucket;
}

/** Idempotent: creates what is missing and brings limits and consumer settings up to date. The scanner's job. */
export async function ensureTopology(nc: NatsConnection, opts: TopologyOptions): Promise<Topology> {
  const problem = replicasProblem(opts.replicas, nc.info);
  if (problem) throw new Error(problem);
  const jsm = await jetstreamManager(nc);
  for (const stream of streamConfigs(opts.replicas)) await ensureStream(jsm, stream);
  for (const { stream, config } of consumerConfigs(opts)) await ensureConsumer(jsm, stream, config);
  const runs = await new Kvm(nc)
    .create(KV.runsBucket, {
      history: 1,
      max_bytes: RUNS_BUCKET_LIMITS.max_bytes,
      maxValueSize: RUNS_BUCKET_LIMITS.max_msg_size,
      replicas: opts.replicas,
    })
    .catch((error: Error) => Promise.reject(opts.replicas > 1 ? replicasFailure(KV_RUNS_STREAM, opts.replicas, undefined, error) : error));
  // A bucket made before it had limits, or with another replica count, gets them (Kvm.create leaves an existing
  // bucket's config alone).
  const declared = { ...RUNS_BUCKET_LIMITS, num_replicas: opts.replicas };
  const current = (await jsm.streams.info(KV_RUNS_STREAM)).config;
  const lowered = replicasLowered(KV_RUNS_STREAM, current.num_replicas, opts.replicas);
  if (lowered) throw lowered;
  const stale = (Object.keys(declared) as (keyof typeof declared)[]).some((k) => current[k] !== declared[k]);
  if (stale) {
    await jsm.streams.update(KV_RUNS_STREAM, declared).catch((error: Error) => {
      throw current.num_replicas === opts.replicas ? error : replicasFailure(KV_RUNS_STREAM, opts.replicas, current.num_replicas, error);
    });
    if (current.num_replicas !== opts.replicas) await awaitStreamLeader(jsm, KV_RUNS_STREAM);
  }
  return { jsm, runs };
}

export interface AwaitTopologyOptions {
  /** Durable consumers this service uses, besides the streams and the runs bucket. */
  consumers: DurableRef[];
  /** Told every `reportEveryMs` while something is still missing, with what. */
  onWaiting?: (missing: string[]) => void;
  reportEveryMs?: number;
  pollMs?: number;
}

/**
 * For every service but the scanner: its NATS user may read the topology but not change it, so it waits until the
 * scanner has declared it. Waits as long as it takes (a platform starts services in any order), saying what is missing.
 */
export async function awaitTopology(nc: NatsConnection, opts: AwaitTopologyOptions): Promise<Topology> {
  const jsm = await jetstreamManager(nc);
  const pollMs = opts.pollMs ?? 1_000;
  let reportedAt = Date.now();
  for (;;) {
    const missing: string[] = [];
    for (const stream of [...streamConfigs().map((s) => s.name), KV_RUNS_STREAM]) {
      if (!(await exists(() => jsm.streams.info(stream)))) missing.push(`stream ${stream}`);
    }
    for (const { stream, consumer } of opts.consumers) {
      if (!(await exists(() => jsm.consumers.info(stream, consumer)))) missing.push(`consumer ${stream}/${consumer}`);
    }
    if (missing.length === 0) return { jsm, runs: await new Kvm(nc).open(KV.runsBucket) };
    if (Date.now() - reportedAt >= (opts.reportEveryMs ?? 10_000)) {
      opts.onWaiting?.(missing);
      reportedAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** false only for "not found": a permission error or a timeout is not a missing stream and must be seen. */
async function exists(info: () => Promise<unknown>): Promise<boolean> {
  try {
    await info();
    return true;
  } catch (error) {
    if (isNotFoundError(error)) return false;
    throw error;
  }
}
