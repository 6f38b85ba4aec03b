// A service's pull binding made from a declared consumer (topology.ts): the heartbeat interval and the delivery on
// which the settlement gives up come from the consumer's own ack wait and max deliver, never re-typed by a service;
// each subject's schema comes from the contracts' subject → schema map.
import { MESSAGE_SCHEMAS, type MessagePattern } from '@sluice/contracts';
import type { z } from 'zod';
import { DEFAULT_BACKOFF_MS, type SettlementPolicy } from './settlement';
import type { DeclaredConsumer } from './topology';

export interface Route {
  /** An `@EventPattern` subject, NATS wildcards allowed (`pipeline.event.file.>`). */
  pattern: string;
  schema: z.ZodType<unknown>;
}

export interface PullBinding {
  stream: string;
  consumer: string;
  /** Which handler and schema a message gets, by its subject; a consumer may feed several handlers. */
  routes: Route[];
  policy: SettlementPolicy;
  /** The consumer's ack_wait: heartbeats go out at a third of it while a handler runs. */
  ackWaitMs: number;
  /**
   * The longest a handler may run on one delivery. Then its context's signal aborts with a permanent
   * `deadline_exceeded` and heartbeats stop, so even a handler that ignores the signal cannot hold its message forever.
   */
  deadlineMs?: number;
}

export interface PullBindingOptions {
  /** The subjects (or patterns) it hands to `@EventPattern` handlers of the same pattern, each parsed with its schema. */
  subjects: MessagePattern[];
  /** See PullBinding.deadlineMs. */
  deadlineMs?: number;
}

export function pullBinding(consumer: DeclaredConsumer, opts: PullBindingOptions): PullBinding {
  return {
    stream: consumer.stream,
    consumer: consumer.consumer,
    routes: opts.subjects.map((pattern) => ({ pattern, schema: MESSAGE_SCHEMAS[pattern] })),
    policy: { maxDeliver: consumer.maxDeliver, backoffMs: DEFAULT_BACKOFF_MS },
    ackWaitMs: consumer.ackWaitMs,
    ...(opts.deadlineMs !== undefined && { deadlineMs: opts.deadlineMs }),
  };
}
