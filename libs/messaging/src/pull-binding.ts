// A service's pull binding made from a declared consumer (topology.ts): the heartbeat interval and the delivery on
// which the settlement gives up come from the consumer's own ack wait and max deliver, never re-typed by a service.
import type { PullBinding, Route } from './jetstream.server';
import { DEFAULT_BACKOFF_MS } from './settlement';
import type { DeclaredConsumer } from './topology';

export interface PullBindingOptions {
  /** Which handler and schema a message gets, by its subject. */
  routes: Route[];
  /** See PullBinding.deadlineMs. */
  deadlineMs?: number;
}

export function pullBinding(consumer: DeclaredConsumer, opts: PullBindingOptions): PullBinding {
  return {
    stream: consumer.stream,
    consumer: consumer.consumer,
    routes: opts.routes,
    policy: { maxDeliver: consumer.maxDeliver, backoffMs: DEFAULT_BACKOFF_MS },
    ackWaitMs: consumer.ackWaitMs,
    ...(opts.deadlineMs !== undefined && { deadlineMs: opts.deadlineMs }),
  };
}
