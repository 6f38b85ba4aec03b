// The active-run lock is a lease. This scanner renews it while it lives (every third of RUN_LOCK_TTL_MS) and takes
// over one whose scanner stopped renewing it; the run itself goes on, since its file events are durable. With each
// renewal, the holder releases a lock left by a finished run and lets the RunWatchdog see that the active run ends.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ScannerEnv } from '@sluice/config';
import { isFinalRunState } from '@sluice/contracts';
import { LOGGER, SERVICE_ENV } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { RunWriter, type LeaseOptions, type LockResult } from '@sluice/run-state/writer';
import { RunWatchdog } from './run-watchdog';

@Injectable()
export class RunLease implements OnApplicationBootstrap, OnApplicationShutdown {
  /** One id per scanner process. */
  readonly holder = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  /** Runs this scanner holds the lock for but has not recorded yet (listing the source can take a while). */
  private readonly planning = new Set<string>();
  private readonly ttlMs: number;

  constructor(
    private readonly runs: RunWriter,
    private readonly watchdog: RunWatchdog,
    @Inject(SERVICE_ENV) env: ScannerEnv,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.ttlMs = env.RUN_LOCK_TTL_MS;
  }

  private get lease(): LeaseOptions {
    return { holder: this.holder, ttlMs: this.ttlMs };
  }

  /** Takes the lock for a run about to be planned; call planned() once its record exists (or planning failed). */
  async acquire(runId: string): Promise<LockResult> {
    const result = await this.runs.acquireLock(runId, this.lease);
    if (result.acquired) this.planning.add(runId);
    return result;
  }

  planned(runId: string): void {
    this.planning.delete(runId);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.renewSoon(), Math.max(250, Math.floor(this.ttlMs / 3)));
    this.renewSoon();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.tick;
    // Stopping on purpose: let the next scanner take over at once instead of after the TTL.
    await this.runs.renewLease({ ...this.lease, ttlMs: 0, onlyIfHeld: true }).catch(() => undefined);
  }

  private renewSoon(): void {
    if (this.tick) return;
    this.tick = this.renew()
      .catch((error: unknown) => this.log.warn({ err: (error as Error).message }, 'run lease: renewal failed; retrying'))
      .finally(() => (this.tick = undefined));
  }

  private async renew(): Promise<void> {
    const renewal = await this.runs.renewLease(this.lease);
    if (renewal.state === 'taken_over') {
      const { previous } = renewal;
      this.log.warn(
        { runId: previous.runId, previousHolder: previous.holder ?? 'unknown', expiredAt: previous.expiresAt ?? 'never set' },
        'took over the active-run lock: its scanner stopped renewing it',
      );
    }
    if (renewal.state !== 'renewed' && renewal.state !== 'taken_over') {
      // No active run: nothing is stuck. Another scanner's run: that scanner reports it. Contended: as it was.
      if (renewal.state === 'none') this.watchdog.reportStuck(0);
      if (renewal.state === 'held_by_other') this.watchdog.reportStuck(undefined);
      return;
    }
    const { runId } = renewal.lock;
    const record = await this.runs.get(runId);
    // Being planned here: the record comes once the source is listed.
    if (!record && this.planning.has(runId)) {
      this.watchdog.reportStuck(0);
      return;
    }
    if (!record || isFinalRunState(record.state)) {
      // Left by a crash between finishing the run and releasing its lock, or by a scanner that died while planning
      // (its request is redelivered and takes the lock again).
      this.watchdog.reportStuck(0);
      await this.runs.releaseLock(runId);
      return;
    }
    await this.watchdog.check(record);
  }
}
