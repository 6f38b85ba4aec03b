import { DiscardPolicy } from '@nats-io/jetstream';
import { STREAMS } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_PAYLOAD_LIMIT } from './publisher';
import { MAX_DEAD_LETTER_BYTES, MAX_MESSAGE_BYTES, RUNS_BUCKET_LIMITS, streamConfigs } from './topology';

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
