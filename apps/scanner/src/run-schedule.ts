// Outside AWS (where EventBridge Scheduler does it), the scanner can request the weekly incremental run itself.
// Each tick publishes `pipeline.run` with a Msg-Id of its scheduled time, so two scanners cannot start it twice.
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ScannerEnv } from '@sluice/config';
import { scheduledRunMsgId, SUBJECTS, type RunRequestInput } from '@sluice/contracts';
import { LOGGER, Publisher, SERVICE_ENV } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { Cron } from 'croner';

@Injectable()
export class RunSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: Cron;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: ScannerEnv,
    private readonly publisher: Publisher,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const expression = this.env.SCHEDULE_CRON;
    if (!expression) return;
    // The expression and its time zone were checked with the rest of the environment (scannerEnvSchema).
    this.job = new Cron(expression, { timezone: this.env.SCHEDULE_TIMEZONE, protect: true }, () => this.tick());
    this.log.info({ cron: expression, timezone: this.env.SCHEDULE_TIMEZONE, next: this.job.nextRun()?.toISOString() }, 'scheduled incremental runs');
  }

  onApplicationShutdown(): void {
    this.job?.stop();
  }

  private async tick(): Promise<void> {
    const scheduledFor = this.job?.currentRun()?.toISOString() ?? new Date().toISOString();
    const request: RunRequestInput = { intent: 'incremental', requestedBy: 'schedule' };
    try {
      const { duplicate } = await this.publisher.publishJson(SUBJECTS.run, request, scheduledRunMsgId(scheduledFor));
      this.log.info({ scheduledFor, duplicate, next: this.job?.nextRun()?.toISOString() }, 'scheduled run requested');
    } catch (error) {
      this.log.error({ scheduledFor, err: (error as Error).message }, 'could not request the scheduled run');
    }
  }
}
