import { AckPolicy, DeliverPolicy, DiscardPolicy } from '@nats-io/jetstream';
import { DURABLES, STREAMS, subjectMatches, SUBJECTS } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_PAYLOAD_LIMIT } from './publisher';
import {
  consumerConfigs,
  consumerTopology,
  MAX_DEAD_LETTER_BYTES,
  MAX_MESSAGE_BYTES,
  replicasFailure,
  replicasLowered,
  replicasProblem,
  RUNS_BUCKET_LIMITS,
  streamConfigs,
  topologyOptionsOf,
} from './topology';

const NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024;

describe('stream limits', () => {
  it('every stream and the runs bucket are bounded in bytes, messages and message size, with a discard policy', () => {
    for (const limits of [...streamConfigs(), { name: 'runs bucket', ...RUNS_BUCKET_LIMITS }]) {
      for (const key of ['max_bytes', 'max_msgs', 'max_msg_size'] as const) {
        expect(limits[key], `${limits.name} ${key}`).toBeGreaterThan(0);
        expect(limits[key], `${limits.name} ${key}`).not.toBe(-1);
      }
      expect(limits.max_msg_size, limits.name).toBeLessThanOrEqual(NATS_DEFAULT_MAX_PAYLOAD);
      expect(limits.max_msg_size, limits.name).toBeLessThan(limits.max_bytes);
      expect([DiscardPolicy.Old, DiscardPolicy.New]).toContain(limits.discard);
    }
  });

  it('queued requests and work are never dropped to make room; events are history and drop their oldest', () => {
    const by = Object.fromEntries(streamConfigs().map((s) => [s.name, s]));
    expect(by[STREAMS.control].discard).toBe(DiscardPolicy.New);
    expect(by[STREAMS.work].discard).toBe(DiscardPolicy.New);
    expect(by[STREAMS.dlq].discard).toBe(DiscardPolicy.New);
    expect(by[STREAMS.events].discard).toBe(DiscardPolicy.Old);
  });

  it('a dead letter of the largest payload it keeps fits the DLQ; events take what services accept', () => {
    const base64 = Math.ceil(DEAD_LETTER_PAYLOAD_LIMIT / 3) * 4;
    expect(base64 + 2_000 + 4_096).toBeLessThan(MAX_DEAD_LETTER_BYTES);
    const by = Object.fromEntries(streamConfigs().map((s) => [s.name, s]));
    expect(by[STREAMS.dlq].max_msg_size).toBe(MAX_DEAD_LETTER_BYTES);
    expect(by[STREAMS.events].max_msg_size).toBe(MAX_MESSAGE_BYTES);
  });
});

describe('consumer declarations', () => {
  // Not the defaults of libs/config, so that a setting taken from the wrong option shows.
  const opts = topologyOptionsOf({ WORK_ACK_WAIT_MS: 45_000, WORK_MAX_DELIVER: 7, CONTROL_ACK_WAIT_MS: 20_000, NATS_REPLICAS: 3 });
  const s = (n: number) => n * 1e9;

  it('declares each consumer with its settings, as the server takes them', () => {
    expect(consumerConfigs(opts)).toEqual([
      {
        stream: STREAMS.control,
        config: { durable_name: 'scanner', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, ack_wait: s(20), max_deliver: 5, max_ack_pending: 1 },
      },
      { stream: STREAMS.work, config: { durable_name: 'transformers', ack_policy: AckPolicy.Explicit, ack_wait: s(45), max_deliver: 7 } },
      {
        stream: STREAMS.events,
        config: {
          durable_name: 'run-tracker',
          filter_subject: SUBJECTS.fileEvents,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.New,
          ack_wait: s(30),
          max_deliver: 10,
        },
      },
      {
        stream: STREAMS.advisories,
        config: { durable_name: 'work-advisories', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: s(30), max_deliver: 10 },
      },
    ]);
  });

  it('declares every durable the contracts name (whose permissions they build), on its stream, and no other', () => {
    expect(consumerConfigs(opts).map(({ stream, config }) => ({ stream, consumer: config.durable_name }))).toEqual(Object.values(DURABLES));
    for (const [name, consumer] of Object.entries(consumerTopology(opts))) {
      expect({ stream: consumer.stream, consumer: consumer.consumer }, name).toEqual(DURABLES[name as keyof typeof DURABLES]);
    }
  });

  it("reads only what its stream holds: each consumer's stream is declared, and a filter lies inside its subjects", () => {
    const streams = new Map(streamConfigs().map((stream) => [stream.name, stream]));
    for (const consumer of Object.values(consumerTopology(opts))) {
      const stream = streams.get(consumer.stream);
      expect(stream, consumer.consumer).toBeDefined();
      if (consumer.filterSubject) {
        expect(stream!.subjects.some((subject) => subjectMatches(subject, consumer.filterSubject!)), consumer.consumer).toBe(true);
      }
    }
  });
});

describe('replicas (NATS_REPLICAS)', () => {
  it('every stream is declared with the replica count it is given, one copy by default', () => {
    expect(streamConfigs().map((s) => s.num_replicas)).toEqual(streamConfigs().map(() => 1));
    for (const n of [1, 3, 5]) {
      const streams = streamConfigs(n);
      expect(streams.map((s) => s.name)).toEqual(Object.values(STREAMS));
      for (const stream of streams) expect(stream.num_replicas, stream.name).toBe(n);
    }
  });

  it('reaches the topology options from the environment', () => {
    expect(topologyOptionsOf({ WORK_ACK_WAIT_MS: 45_000, WORK_MAX_DELIVER: 7, CONTROL_ACK_WAIT_MS: 20_000, NATS_REPLICAS: 5 }).replicas).toBe(5);
  });

  it('the durable consumers set no replica count: they follow their stream, also when it changes', () => {
    for (const { config } of consumerConfigs(topologyOptionsOf({ WORK_ACK_WAIT_MS: 45_000, WORK_MAX_DELIVER: 7, CONTROL_ACK_WAIT_MS: 20_000, NATS_REPLICAS: 3 }))) {
      expect(config, config.durable_name).not.toHaveProperty('num_replicas');
    }
  });

  it('more than one replica needs a server in a cluster; one replica works anywhere', () => {
    expect(replicasProblem(1, {})).toBeUndefined();
    expect(replicasProblem(1, undefined)).toBeUndefined();
    expect(replicasProblem(3, { cluster: 'sluice' })).toBeUndefined();
    expect(replicasProblem(3, {})).toBe('NATS_REPLICAS=3 needs a JetStream cluster, and the NATS server is not in one: set NATS_REPLICAS=1 for a single server');
  });

  it('copies are added, never dropped: a lower NATS_REPLICAS than a stream has is refused, with the way to do it by hand', () => {
    expect(replicasLowered(STREAMS.work, 1, 3)).toBeUndefined();
    expect(replicasLowered(STREAMS.work, 3, 3)).toBeUndefined();
    expect(replicasLowered(STREAMS.work, 3, 1)?.message).toBe(
      'stream PIPELINE_WORK has 3 replicas and NATS_REPLICAS is 1: sluice does not drop copies; set NATS_REPLICAS=3, or lower the stream\'s replicas yourself (nats stream edit PIPELINE_WORK --replicas 1)',
    );
  });

  it("a refused stream says which, the change asked for, the server's reason and what it takes", () => {
    const cause = new Error('no suitable peers for placement');
    expect(replicasFailure(STREAMS.work, 5, 3, cause).message).toBe(
      'stream PIPELINE_WORK could not go from 3 to 5 replicas (NATS_REPLICAS=5): no suitable peers for placement; 5 replicas need at least 5 JetStream servers of the cluster up',
    );
    expect(replicasFailure(STREAMS.work, 3, undefined, cause).message).toMatch(/^stream PIPELINE_WORK could not be created with 3 replicas \(NATS_REPLICAS=3\): no suitable/);
    expect(replicasFailure(STREAMS.work, 3, undefined, cause).cause).toBe(cause);
  });
});
