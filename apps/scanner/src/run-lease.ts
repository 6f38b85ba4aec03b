// The active-run lock is a lease. This scanner renews it while it lives (every third of RUN_LOCK_TTL_MS) and takes
// over one whose scanner stopped renewing it; the run itself goes on, since its file events are durable. Whoever
// holds the lease also sees to it that the run ends: it completes a run whose files have all settled (a scanner may
// have died in between), fails queued files whose work message is gone (lost-work.ts), and releases a lock left by a
// finished run.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { ScannerEnv } from '@sluice/config';
import { isFinalRunState, STREAMS, type RunRecord } from '@sluice/contracts';
import { JETSTREAM_MANAGER, LOGGER, Publisher, RunStore, SERVICE_ENV, type LeaseOptions, type LockResult } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { lostFiles, lostWorkGraceMs } from './lost-work';
import { RunCompletion } from './run-completion';

@Injectable()
export class RunLease implements OnApplicationBootstrap, OnApplicationShutdown {
  /** One id per scanner process. */
  readonly holder = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private readonly ttlMs: number;
  private readonly graceMs: number;

  constructor(
    private readonly runs: RunStore,
    private readonly completion: RunCompletion,
    private readonly publisher: Publisher,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(SERVICE_ENV) env: ScannerEnv,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.ttlMs = env.RUN_LOCK_TTL_MS;
    this.graceMs = lostWorkGraceMs(env.CONTROL_ACK_WAIT_MS, env.WORK_ACK_WAIT_MS);
  }

  private get lease(): LeaseOptions {
    return { holder: this.holder, ttlMs: this.ttlMs };
  }

  acquire(runId: string): Promise<LockResult> {
    return this.runs.acquireLock(runId, this.lease);
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
    if (renewal.state !== 'renewed' && renewal.state !== 'taken_over') return;
    const { runId } = renewal.lock;
    const record = await this.runs.get(runId);
    if (!record || isFinalRunState(record.state)) {
      // left by a crash between finishing the run and releasing its lock
      await this.runs.releaseLock(runId);
      return;
    }
    await this.completion.finishIfSettled(runId);
    await this.failLostFiles(record);
  }

  private async failLostFiles(record: RunRecord): Promise<void> {
    const { state } = await this.jsm.streams.info(STREAMS.work);
    const lost = lostFiles(record, { messages: state.messages }, Date.now(), this.graceMs);
    for (const key of lost) {
      const file = record.files[key];
      const reason = `its work message is no longer in ${STREAMS.work} and no worker reported on it for ${Math.round(this.graceMs / 1000)} s`;
      this.log.error({ runId: record.runId, dataset: file.dataset, key, code: 'work_lost' }, `file failed: ${reason}`);
      await this.publisher.fileEvent({
        type: 'failed',
        runId: record.runId,
        dataset: file.dataset,
        month: file.month,
        sourceKey: key,
        workerId: `scanner ${this.holder}`,
        code: 'work_lost',
        reason,
        attempt: 0,
        at: new Date().toISOString(),
      });
    }
  }
}
