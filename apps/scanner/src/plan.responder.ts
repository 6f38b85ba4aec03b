// `pipeline.plan` (core NATS request-reply, never stored): answers what a run with this request would process
// and remove, with the very planning code a real run uses. Publishes nothing and asks for no worker.
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { errorCodeOf, errorMessageOf, SUBJECTS, type PlanReply } from '@sluice/contracts';
import { decodeMessage, LOGGER, NATS_CONNECTION } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { RunRequestSchema } from '@sluice/contracts';
import { RunPlanning } from './run-planning';

@Injectable()
export class PlanResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: Subscription;

  constructor(
    private readonly planning: RunPlanning,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(SUBJECTS.plan, {
      queue: 'scanner',
      callback: (error, msg) => {
        if (error) return;
        void this.answer(msg.data).then((reply) => msg.respond(JSON.stringify(reply)));
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private async answer(data: Uint8Array): Promise<PlanReply> {
    const decoded = decodeMessage(data, RunRequestSchema);
    if (!decoded.ok) return { ok: false, code: decoded.error.code, error: decoded.error.message };
    try {
      const request = decoded.value;
      const planned = await this.planning.plan(request, this.log.child({ dryRun: true }));
      return { ok: true, preview: RunPlanning.preview(request, planned) };
    } catch (error) {
      this.log.warn({ err: errorMessageOf(error) }, 'dry-run planning failed');
      return { ok: false, code: errorCodeOf(error), error: errorMessageOf(error) };
    }
  }
}
