// Streams, durable consumers and the KV bucket, declared idempotently at start-up by every service.
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
import { CONSUMERS, KV, STREAMS, SUBJECTS } from '@sluice/contracts';

const ms = (n: number): number => n * 1_000_000; // JetStream durations are nanoseconds
const DAY = 24 * 3_600_000;

export interface TopologyOptions {
  workAckWaitMs: number;
  workMaxDeliver: number;
  controlAckWaitMs: number;
}

/** Largest message any service accepts; bigger ones are dead-lettered as oversize. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export function streamConfigs(): Array<Partial<StreamConfig> & { name: string; subjects: string[] }> {
  return [
    {
      name: STREAMS.control,
      subjects: [SUBJECTS.run, SUBJECTS.cancel],
      retention: RetentionPolicy.Limits,
      max_age: ms(7 * DAY),
      duplicate_window: ms(120_000),
      max_msg_size: MAX_MESSAGE_BYTES,
    },
    {
      name: STREAMS.work,
      subjects: [SUBJECTS.fileDiscovered],
      retention: RetentionPolicy.Workqueue,
      // Msg-Id `<runId>:<dataset>:<key>`: a scanner that restarts mid-listing cannot enqueue a file twice.
      duplicate_window: ms(3_600_000),
      max_msg_size: MAX_MESSAGE_BYTES,
    },
    {
      name: STREAMS.events,
      subjects: [SUBJECTS.events],
      retention: RetentionPolicy.Limits,
      max_age: ms(14 * DAY),
      duplicate_window: ms(120_000),
      discard: DiscardPolicy.Old,
    },
    {
      name: STREAMS.dlq,
      subjects: [SUBJECTS.deadLetters],
      retention: RetentionPolicy.Limits,
      max_age: ms(30 * DAY),
    },
  ];
}

export function consumerConfigs(opts: TopologyOptions): Array<{ stream: string; config: Partial<ConsumerConfig> & { durable_name: string } }> {
  return [
    {
      stream: STREAMS.control,
      config: {
        durable_name: CONSUMERS.scanner,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        ack_wait: ms(opts.controlAckWaitMs),
        max_deliver: 5,
        max_ack_pending: 1,
      },
    },
    {
      stream: STREAMS.work,
      config: {
        durable_name: CONSUMERS.transformers,
        ack_policy: AckPolicy.Explicit,
        ack_wait: ms(opts.workAckWaitMs),
        max_deliver: opts.workMaxDeliver,
      },
    },
    {
      stream: STREAMS.events,
      config: {
        durable_name: CONSUMERS.runTracker,
        filter_subject: SUBJECTS.fileEvents,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        ack_wait: ms(30_000),
        max_deliver: 10,
      },
    },
  ];
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add({ storage: StorageType.File, ...config }).catch(async (addError) => {
      // Another service created it between our info and add: fine, as long as it now exists.
      await jsm.streams.info(config.name).catch(() => Promise.reject(addError));
    });
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
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(stream, config).catch(async (addError) => {
      await jsm.consumers.info(stream, config.durable_name).catch(() => Promise.reject(addError));
    });
  }
}

function isNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not found/i.test(message);
}

export interface Topology {
  jsm: JetStreamManager;
  runs: KvBucket;
}

/** Idempotent: every service calls it at start-up; the first creates, the others find everything in place. */
export async function ensureTopology(nc: NatsConnection, opts: TopologyOptions): Promise<Topology> {
  const jsm = await jetstreamManager(nc);
  for (const stream of streamConfigs()) await ensureStream(jsm, stream);
  for (const { stream, config } of consumerConfigs(opts)) await ensureConsumer(jsm, stream, config);
  const runs = await new Kvm(nc).create(KV.runsBucket, { history: 1 });
  return { jsm, runs };
}
