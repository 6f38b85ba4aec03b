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
import { lostFiles, lostWorkGraceMs, stalled } from './lost-work';
import { RunCompletion } from './run-completion';

@Injectable()
export class RunLease implements OnApplicationBootstrap, OnApplicationShutdown {
  /** One id per scanner process. */
  readonly holder = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  /** Runs this scanner holds the lock for but has not recorded yet (listing the source can take a while). */
  private readonly planning = new Set<string>();
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
    if (renewal.state !== 'renewed' && renewal.state !== 'taken_over') return;
    const { runId } = renewal.lock;
    const record = await this.runs.get(runId);
    // Being planned here: the record comes once the source is listed.
    if (!record && this.planning.has(runId)) return;
    if (!record || isFinalRunState(record.state)) {
      // Left by a crash between finishing the run and releasing its lock, or by a scanner that died while planning
      // (its request is redelivered and takes the lock again).
      await this.runs.releaseLock(runId);
      return;
    }
    await this.completion.finishIfSettled(runId);
    await this.failLostFiles(record);
  }

  private async failLostFiles(record: RunRecord): Promise<void> {
    if (!stalled(record, Date.now(), this.graceMs)) return;
    const { state } = await this.jsm.streams.info(STREAMS.work);
    const stored = new Set<number>();
    for (const file of Object.values(record.files)) {
      if (file.status !== 'queued' || file.workSeq === undefined) continue;
      const message = await this.jsm.streams.getMessage(STREAMS.work, { seq: file.workSeq }).catch(() => null);
      if (message) stored.add(file.workSeq);
    }
    for (const key of lostFiles(record, { messages: state.messages, stored })) {
      const file = record.files[key];
      const reason = `its work message is no longer in ${STREAMS.work} and no worker reported on it for ${Math.round(this.graceMs / 1000)} s`;
      this.log.error({ runId: record.runId, dataset: file.dataset, key, code: 'work_lost' }, `file failed: ${reason}`);
      // One event per file however many ticks see it before the tracker does (the stream drops the repeats).
      await this.publisher.fileEvent(
        {
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
        },
        `lost:${record.runId}:${key}`,
      );
    }
  }
}
