// `pipeline.plan` (core NATS request-reply, never stored): answers what a run with this request would process
// and remove, with the very planning code a real run uses. Publishes nothing and asks for no worker.
// One plan at a time: each lists the whole source, so a request while one runs is answered `busy` at once
// rather than queued (a flood of requests must not become a queue of full listings).
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { errorCodeOf, errorMessageOf, MESSAGE_SCHEMAS, SUBJECTS, type PlanReply } from '@sluice/contracts';
import { decodeMessage, LOGGER, NATS_CONNECTION } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { RunPlanning } from './run-planning';

/**
 * The reply subject is the requester's to choose: only an inbox is answered. Anything else (a JetStream API subject,
 * a KV key such as `$KV.sluice_runs.active`) would have the scanner publish there with its own rights.
 */
export const ANSWERABLE_REPLY = /^_INBOX(\.[A-Za-z0-9_-]+)+$/;

/** Plans listed at once; more would only compete for the same source (the HTTPS source HEADs every month). */
export const MAX_CONCURRENT_PLANS = 1;

export const BUSY_REPLY: PlanReply = {
  ok: false,
  code: 'busy',
  error: 'the scanner is already planning another request; try again when it is done',
};

@Injectable()
export class PlanResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: Subscription;
  private planning = 0;

  constructor(
    private readonly planner: RunPlanning,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(SUBJECTS.plan, {
      queue: 'scanner',
      callback: (error, msg) => {
        if (error) return;
        if (!msg.reply || !ANSWERABLE_REPLY.test(msg.reply)) {
          this.log.warn({ reply: msg.reply?.slice(0, 120) ?? null }, 'plan request ignored: its reply subject is not an inbox');
          return;
        }
        if (this.planning >= MAX_CONCURRENT_PLANS) {
          msg.respond(JSON.stringify(BUSY_REPLY));
          return;
        }
        this.planning += 1;
        void this.answer(msg.data)
          .then((reply) => msg.respond(JSON.stringify(reply)))
          .catch((error: unknown) => this.log.warn({ err: errorMessageOf(error) }, 'plan answer not sent'))
          .finally(() => (this.planning -= 1));
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private async answer(data: Uint8Array): Promise<PlanReply> {
    const decoded = decodeMessage(data, MESSAGE_SCHEMAS[SUBJECTS.plan]);
    if (!decoded.ok) return { ok: false, code: decoded.error.code, error: decoded.error.message };
    try {
      const request = decoded.value;
      const planned = await this.planner.plan(request, this.log.child({ dryRun: true }));
      return { ok: true, preview: RunPlanning.preview(request, planned) };
    } catch (error) {
      this.log.warn({ err: errorMessageOf(error) }, 'dry-run planning failed');
      return { ok: false, code: errorCodeOf(error), error: errorMessageOf(error) };
    }
  }
}
