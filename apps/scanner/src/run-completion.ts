// Finishing a run, whichever way it ends (all files settled, no files at all, cancelled):
// final state in KV, the report in the sink, the lock released, a `completed` run event.
import { Inject, Injectable } from '@nestjs/common';
import { isFinalRunState, runEventMsgId, runReportKey, type RunRecord, type RunState } from '@sluice/contracts';
import { LOGGER, Publisher } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { RunWriter } from '@sluice/run-state/writer';
import { PipelineStores } from '@sluice/storage';
import { buildRunReport } from './run-report';

@Injectable()
export class RunCompletion {
  constructor(
    private readonly runs: RunWriter,
    private readonly publisher: Publisher,
    private readonly stores: PipelineStores,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Completes the run if every file has settled; a no-op otherwise or if it already finished. */
  async finishIfSettled(runId: string): Promise<void> {
    await this.finish(runId, (r) => {
      if (r.done + r.failed + r.skipped < r.total) return undefined;
      return r.failed > 0 ? 'completed_with_failures' : 'succeeded';
    });
  }

  /** Cancels a running run; returns false if it was unknown or already finished. */
  async cancel(runId: string, reason: string): Promise<boolean> {
    return this.finish(runId, () => 'cancelled', reason);
  }

  private async finish(runId: string, finalState: (r: RunRecord) => RunState | undefined, cancelReason?: string): Promise<boolean> {
    const result = await this.runs.update(runId, (r) => {
      if (isFinalRunState(r.state)) return undefined;
      const state = finalState(r);
      if (!state) return undefined;
      return { ...r, state, finishedAt: new Date().toISOString(), reportKey: runReportKey(runId), cancelReason };
    });
    if (!result?.changed) return false;
    const record = result.record;
    const store = this.stores.output(record.target);
    await store.put(runReportKey(runId), JSON.stringify(buildRunReport(record), null, 2), { contentType: 'application/json' });
    await this.runs.releaseLock(runId);
    await this.publisher.runEvent(
      {
        type: 'completed',
        runId,
        state: record.state,
        total: record.total,
        done: record.done,
        failed: record.failed,
        reportKey: `${store.url.replace(/\/?$/, '/')}${runReportKey(runId)}`,
        durationMs: Date.parse(record.finishedAt!) - Date.parse(record.startedAt),
        at: record.finishedAt!,
      },
      runEventMsgId('completed', runId),
    );
    this.log.info({ runId, state: record.state, done: record.done, failed: record.failed, total: record.total }, 'run finished');
    return true;
  }
}
