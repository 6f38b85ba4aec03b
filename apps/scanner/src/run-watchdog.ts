// Sees that the active run ends, whatever happened to its scanner or its messages (called by the lease holder on
// each renewal): completes a run whose files have all settled (a scanner may have died in between), and fails queued
// files whose work message is gone once the run has stalled (lost-work.ts).
import { Inject, Injectable } from '@nestjs/common';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { ScannerEnv } from '@sluice/config';
import { CLOUDWATCH_METRICS, lostFileMsgId, STREAMS, type RunRecord } from '@sluice/contracts';
import { JETSTREAM_MANAGER, LOGGER, Publisher, SERVICE_ENV, storedMessage } from '@sluice/messaging';
import { cloudWatchFigures, metrics, type Logger } from '@sluice/observability';
import { lostFiles, lostWorkGraceMs, stalled } from './lost-work';
import { RunCompletion } from './run-completion';

@Injectable()
export class RunWatchdog {
  private readonly graceMs: number;

  constructor(
    private readonly completion: RunCompletion,
    private readonly publisher: Publisher,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(SERVICE_ENV) env: ScannerEnv,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.graceMs = lostWorkGraceMs(env.CONTROL_ACK_WAIT_MS, env.WORK_ACK_WAIT_MS);
  }

  async check(record: RunRecord): Promise<void> {
    await this.completion.finishIfSettled(record.runId);
    const stuck = stalled(record, Date.now(), this.graceMs);
    this.reportStuck(stuck ? 1 : 0);
    if (stuck) await this.failLostFiles(record);
  }

  /**
   * The "runs stuck" figure, from the lock holder only: 0 or 1 with the lock, undefined (not reported) when another
   * scanner holds it, so a second scanner's 0 never hides the holder's 1.
   */
  reportStuck(runs: 0 | 1 | undefined): void {
    metrics.runsStuck.set(runs ?? 0);
    cloudWatchFigures.set(CLOUDWATCH_METRICS.runsStuck, runs);
  }

  private async failLostFiles(record: RunRecord): Promise<void> {
    const { state } = await this.jsm.streams.info(STREAMS.work);
    const stored = new Set<number>();
    for (const file of Object.values(record.files)) {
      if (file.status !== 'queued' || file.workSeq === undefined) continue;
      if (await storedMessage(this.jsm, STREAMS.work, file.workSeq)) stored.add(file.workSeq);
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
          workerId: 'scanner',
          code: 'work_lost',
          reason,
          attempt: 0,
          at: new Date().toISOString(),
        },
        lostFileMsgId(record.runId, key),
      );
    }
  }
}
