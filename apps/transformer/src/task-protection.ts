// On ECS, a task that holds scale-in protection is never stopped by a scale-in. The transformer holds it while it
// works on a file (renewing it for long files) and releases it after, through the ECS agent's local endpoint.
import { Inject, Injectable } from '@nestjs/common';
import type { TransformerEnv } from '@sluice/config';
import { LOGGER, SERVICE_ENV } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';

@Injectable()
export class TaskProtection {
  private readonly endpoint?: string;
  private readonly minutes: number;

  constructor(@Inject(SERVICE_ENV) env: TransformerEnv, @Inject(LOGGER) private readonly log: Logger) {
    this.endpoint = env.ECS_AGENT_URI ? `${env.ECS_AGENT_URI.replace(/\/$/, '')}/task-protection/v1/state` : undefined;
    this.minutes = env.TASK_PROTECTION_MINUTES;
  }

  /** Runs `work` under protection. Without an agent (not on ECS) it just runs it. */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    if (!this.endpoint) return work();
    await this.set(true);
    // Renew at half the expiry, so a file longer than the expiry stays protected to the end.
    const renew = setInterval(() => void this.set(true), (this.minutes * 60_000) / 2);
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.set(false);
    }
  }

  private async set(enabled: boolean): Promise<void> {
    const body = enabled ? { ProtectionEnabled: true, ExpiresInMinutes: this.minutes } : { ProtectionEnabled: false };
    try {
      const response = await fetch(this.endpoint!, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
    } catch (error) {
      // Without protection a scale-in may stop this task mid-file: the file is then redelivered, never lost.
      this.log.warn({ enabled, err: (error as Error).message }, 'could not set task scale-in protection');
    }
  }
}
