// A NestJS transport strategy for JetStream pull consumers. It owns everything between the stream and the
// `@EventPattern` handler: pulling one message at a time, decoding, `working()` heartbeats, settlement
// (ack / nak with delay / dead letter + term) and a graceful stop that finishes or naks the message in hand.
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { jetstream, type Consumer, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { PermanentError, subjectMatches, TransientError } from '@sluice/contracts';
import { metrics, type Logger } from '@sluice/observability';
import { lastValueFrom } from 'rxjs';
import { JetStreamContext } from './jetstream.context';
import { decodeMessage } from '../message-decoder';
import { deadLetterFor, Publisher } from '../publisher';
import type { PullBinding, Route } from '../pull-binding';
import { settle, type Settlement } from '../settlement';

export interface JetStreamServerOptions {
  logger: Logger;
  /** How long close() lets a running handler finish before its message is nak'ed for redelivery. */
  drainTimeoutMs: number;
  /** After the drain timeout, how long an aborted handler may take to unwind (default DRAIN_UNWIND_MS). */
  unwindTimeoutMs?: number;
  /** Longest a single pull waits for a message; also bounds how quickly an idle loop notices close(). */
  pullExpiresMs?: number;
}

interface InFlight {
  msg: JsMsg;
  settled: boolean;
  done: Promise<void>;
  /** Aborts the handler (its context's signal): at its deadline, or when a drain gives up on it. */
  abort: (reason: Error) => void;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How long a handler aborted by a drain timeout may take to unwind (notice the signal, abort its uploads, finish a
 * manifest write under way). A worker's hard stop (WORKER_KILL_AFTER_MS, an ECS stop timeout) must leave
 * DRAIN_TIMEOUT_MS plus this.
 */
export const DRAIN_UNWIND_MS = 10_000;

/** Whether `work` settles within `ms` (a rejection counts as settled). */
async function finishedWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class JetStreamServer extends Server implements CustomTransportStrategy {
  private stopping = false;
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<InFlight>();
  private readonly publisher: Publisher;
  private readonly log: Logger;

  constructor(
    private readonly nc: NatsConnection,
    private readonly bindings: PullBinding[],
    private readonly options: JetStreamServerOptions,
  ) {
    super();
    this.publisher = new Publisher(nc);
    this.log = options.logger.child({ component: 'jetstream-transport' });
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    for (const binding of this.bindings) {
      for (const route of binding.routes) {
        if (!this.getHandlerByPattern(route.pattern)) {
          throw new Error(`no @EventPattern('${route.pattern}') handler for consumer ${binding.consumer}`);
        }
      }
      this.loops.push(this.pullLoop(binding));
    }
    callback();
  }

  /**
   * Stops pulling and lets the message in hand finish within drainTimeoutMs. Past that, it is returned for
   * redelivery and its handler is aborted; close() then waits for the handler to unwind (up to unwindTimeoutMs)
   * before the process may exit. Exiting under a running handler could stop it between two writes of a
   * commit (the data object, then its manifest), leaving an output no manifest names.
   */
  async close(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const all = () => Promise.all([...this.loops, ...[...this.inFlight].map((f) => f.done)]);
    if (await finishedWithin(all(), this.options.drainTimeoutMs)) return;
    for (const flight of this.inFlight) {
      if (!flight.settled) {
        flight.settled = true;
        flight.msg.nak();
        this.log.warn({ subject: flight.msg.subject, seq: flight.msg.seq }, 'drain timeout: message returned for redelivery, its handler aborted');
      }
      flight.abort(new TransientError('drain_timeout', `the worker is stopping and the message was not finished within ${this.options.drainTimeoutMs} ms (DRAIN_TIMEOUT_MS); returned for redelivery`));
    }
    if (!(await finishedWithin(all(), this.options.unwindTimeoutMs ?? DRAIN_UNWIND_MS))) {
      this.log.error({ handlers: this.inFlight.size }, 'drain: aborted handlers did not unwind in time; closing anyway');
    }
  }

  on(): void {
    // No transport-level events to subscribe to.
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  private async pullLoop(binding: PullBinding): Promise<void> {
    const js = jetstream(this.nc);
    let consumer: Consumer | undefined;
    let failures = 0;
    while (!this.stopping) {
      try {
        consumer ??= await js.consumers.get(binding.stream, binding.consumer);
        const msg = await consumer.next({ expires: Math.max(1_000, this.options.pullExpiresMs ?? 2_000) });
        failures = 0;
        if (!msg) continue;
        if (this.stopping) {
          msg.nak(); // pulled while stopping: straight back to the stream for another worker
          break;
        }
        await this.process(binding, msg);
      } catch (error) {
        if (this.stopping || this.nc.isClosed()) break;
        failures += 1;
        this.log.warn({ consumer: binding.consumer, err: (error as Error).message }, 'pull failed; retrying');
        await delay(Math.min(250 * 2 ** failures, 5_000));
      }
    }
  }

  private route(binding: PullBinding, subject: string): { route: Route; handler: MessageHandler } | undefined {
    const route = binding.routes.find((r) => subjectMatches(r.pattern, subject));
    const handler = route && this.getHandlerByPattern(route.pattern);
    return route && handler ? { route, handler } : undefined;
  }

  private async process(binding: PullBinding, msg: JsMsg): Promise<void> {
    let resolveDone!: () => void;
    const deadline = new AbortController();
    const flight: InFlight = {
      msg,
      settled: false,
      done: new Promise<void>((r) => (resolveDone = r)),
      abort: (reason) => {
        if (!deadline.signal.aborted) deadline.abort(reason);
      },
    };
    this.inFlight.add(flight);
    const heartbeat = setInterval(() => {
      if (!deadline.signal.aborted) msg.working();
    }, Math.max(1_000, Math.floor(binding.ackWaitMs / 3)));
    const deadlineTimer = binding.deadlineMs
      ? setTimeout(() => {
          this.log.error({ subject: msg.subject, seq: msg.seq, deadlineMs: binding.deadlineMs }, 'deadline reached: aborting the handler, heartbeats stopped');
          const reason = new PermanentError(
            'deadline_exceeded',
            `not finished within the deadline of ${binding.deadlineMs} ms for one delivery (FILE_DEADLINE_MS); aborted`,
          );
          deadline.abort(reason);
          // Settled now, not once the handler has unwound (a read in flight may take a while to notice the signal):
          // meanwhile its message must not be redelivered to another worker. The handler's own outcome is then ignored.
          if (flight.settled) return;
          flight.settled = true;
          void this.apply(binding, msg, settle({ ok: false, error: reason }, msg.info.deliveryCount, binding.policy));
        }, binding.deadlineMs)
      : undefined;
    try {
      const target = this.route(binding, msg.subject);
      const decoded = target
        ? decodeMessage(msg.data, target.route.schema)
        : { ok: false as const, error: new PermanentError('no_route', `no handler for subject ${msg.subject}`) };
      let outcome: { ok: true } | { ok: false; error: unknown };
      if (!decoded.ok || !target) {
        outcome = { ok: false, error: decoded.ok ? undefined : decoded.error };
      } else {
        const { handler } = target;
        try {
          const ctx = new JetStreamContext(msg, binding.policy, deadline.signal);
          const result = await handler(decoded.value, ctx);
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
          outcome = { ok: true };
        } catch (error) {
          outcome = { ok: false, error };
        }
      }
      clearInterval(heartbeat);
      clearTimeout(deadlineTimer);
      if (!flight.settled) {
        flight.settled = true;
        await this.apply(binding, msg, settle(outcome, msg.info.deliveryCount, binding.policy));
      }
    } finally {
      clearInterval(heartbeat);
      clearTimeout(deadlineTimer);
      this.inFlight.delete(flight);
      resolveDone();
    }
  }

  private async apply(binding: PullBinding, msg: JsMsg, settlement: Settlement): Promise<void> {
    const where = { subject: msg.subject, seq: msg.seq, delivery: msg.info.deliveryCount };
    metrics.settlements.inc({ consumer: binding.consumer, action: settlement.action });
    if (msg.info.deliveryCount > 1) metrics.redeliveries.inc({ consumer: binding.consumer });
    switch (settlement.action) {
      case 'ack':
        try {
          await msg.ackAck();
        } catch (error) {
          // The work is committed (idempotently); a lost ack only means one harmless redelivery.
          this.log.warn({ ...where, err: (error as Error).message }, 'ack not confirmed');
        }
        return;
      case 'nak':
        this.log.warn({ ...where, code: settlement.code, retryInMs: settlement.delayMs }, `will retry: ${settlement.reason}`);
        msg.nak(settlement.delayMs);
        return;
      case 'dead_letter':
        try {
          await this.publisher.deadLetter(
            deadLetterFor(
              { subject: msg.subject, data: msg.data, stream: binding.stream, streamSeq: msg.seq, consumer: binding.consumer, deliveryCount: msg.info.deliveryCount },
              settlement.code,
              settlement.reason,
            ),
          );
        } catch (error) {
          // Never drop a message we could not park: it comes back and we try again.
          this.log.error({ ...where, err: (error as Error).message }, 'dead letter publish failed; message returned');
          msg.nak(5_000);
          return;
        }
        this.log.error({ ...where, code: settlement.code }, `dead-lettered: ${settlement.reason}`);
        // No reason argument: `+TERM <reason>` needs nats-server 2.10.4+, and older servers ignore the whole ack.
        msg.term();
        return;
    }
  }
}
