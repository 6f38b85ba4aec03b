// `pipeline.run` and `pipeline.cancel`: one active run at a time, planned, persisted, then enqueued file by file.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { JetStreamManager } from '@nats-io/jetstream';
import {
  isFinalRunState,
  manifestKey,
  outputKey,
  quarantineKey,
  runEventMsgId,
  STREAMS,
  SUBJECTS,
  type CancelRequest,
  type RunRecord,
  type RunRequest,
} from '@sluice/contracts';
import { JETSTREAM_MANAGER, LOGGER, Publisher } from '@sluice/messaging';
import { JetStreamContext } from '@sluice/messaging/nest';
import type { Logger } from '@sluice/observability';
import { RunWriter } from '@sluice/run-state/writer';
import { PipelineStores } from '@sluice/storage';
import { RunCompletion } from './run-completion';
import { runIdFor } from './run-id';
import { RunLease } from './run-lease';
import { workMessageFor } from './work-message';

/** Work stream sequences are written to the run record this many files at a time while enqueuing. */
const WORK_SEQ_BATCH = 25;
import type { CommittedOutput } from './run-planner';
import { RunPlanning } from './run-planning';

@Controller()
export class RunHandler {
  constructor(
    private readonly runs: RunWriter,
    private readonly publisher: Publisher,
    private readonly stores: PipelineStores,
    private readonly completion: RunCompletion,
    private readonly planning: RunPlanning,
    private readonly lease: RunLease,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @EventPattern(SUBJECTS.run)
  async onRun(@Payload() request: RunRequest, @Ctx() ctx: JetStreamContext): Promise<void> {
    const runId = request.runId ?? runIdFor(ctx.storedAtMs, ctx.streamSequence);
    const log = this.log.child({ runId });
    const existing = await this.runs.get(runId);
    if (existing && isFinalRunState(existing.state)) return; // a redelivery of a run that already finished

    const lock = await this.lease.acquire(runId);
    if (!lock.acquired) {
      const reason = `run ${lock.holder.runId} is active since ${lock.holder.since}; one run at a time`;
      log.warn({ activeRunId: lock.holder.runId }, 'run rejected');
      await this.publisher.runEvent({ type: 'rejected', runId, reason, activeRunId: lock.holder.runId, at: now() });
      return;
    }
    let record: RunRecord;
    try {
      if (existing) {
        // The scanner stopped after persisting the plan: publish its files again; Msg-Ids drop the ones already queued.
        log.info('resuming a run whose plan was persisted');
        record = existing;
      } else {
        await this.publisher.runEvent({ type: 'accepted', runId, intent: request.intent, at: now() }, runEventMsgId('accepted', runId));
        record = await this.plan(runId, request, log);
      }
    } finally {
      this.lease.planned(runId);
    }
    await this.enqueue(record);
    // After the work is queued, so the capacity manager, nudged by this event, already sees the backlog.
    await this.announcePlanned(record);
    if (record.total === 0) await this.completion.finishIfSettled(runId); // nothing to do: no worker is ever asked for
  }

  @EventPattern(SUBJECTS.cancel)
  async onCancel(@Payload() request: CancelRequest): Promise<void> {
    const log = this.log.child({ runId: request.runId });
    const record = await this.runs.get(request.runId);
    if (!record || isFinalRunState(record.state)) {
      log.warn({ state: record?.state ?? 'unknown' }, 'cancel ignored: run is not active');
      return;
    }
    // Only one run is active, so everything still queued belongs to it; files in progress finish or are skipped.
    await this.jsm.streams.purge(STREAMS.work);
    await this.completion.cancel(request.runId, request.reason ?? `cancelled by ${request.requestedBy ?? 'a user'}`);
  }

  private async plan(runId: string, request: RunRequest, log: Logger): Promise<RunRecord> {
    const { target, plan, listing } = await this.planning.plan(request, log);
    const orphansRemoved = await this.removeOrphans(plan.orphans, log);
    const startedAt = now();
    const record: RunRecord = {
      runId,
      intent: request.intent,
      state: 'running',
      target,
      requestedBy: request.requestedBy,
      filters: { datasets: request.datasets, months: request.months, limit: request.limit },
      ...(request.maxDropFraction !== undefined ? { options: { maxDropFraction: request.maxDropFraction } } : {}),
      source: listing.summary.url,
      sourceListing: listing.summary,
      sink: this.stores.output(target).url,
      candidates: plan.candidates,
      total: plan.files.length,
      done: 0,
      failed: 0,
      skipped: 0,
      orphansRemoved,
      files: Object.fromEntries(plan.files.map((file) => [file.source.key, { ...file, status: 'queued' as const }])),
      requestedAt: startedAt,
      startedAt,
      lastProgressAt: startedAt,
    };
    if (!(await this.runs.create(record))) return (await this.runs.get(runId))!;
    return record;
  }

  private async announcePlanned(record: RunRecord): Promise<void> {
    await this.publisher.runEvent(
      {
        type: 'planned',
        runId: record.runId,
        intent: record.intent,
        source: record.source,
        listing: record.sourceListing,
        candidates: record.candidates,
        total: record.total,
        orphans: record.orphansRemoved.length,
        at: now(),
      },
      runEventMsgId('planned', record.runId),
    );
  }

  /**
   * Publishes every file still queued; each carries its Msg-Id so a repeat is stored once. The stream sequence of
   * each is kept in the record: an advisory about a work message names only that.
   */
  private async enqueue(record: RunRecord): Promise<void> {
    let seqs = new Map<string, number>();
    for (const [key, file] of Object.entries(record.files)) {
      if (file.status !== 'queued') continue;
      const { seq } = await this.publisher.work(workMessageFor(record, key));
      seqs.set(key, seq);
      // In batches: an advisory about an early file must not wait for the whole run to be enqueued.
      if (seqs.size >= WORK_SEQ_BATCH) {
        await this.recordWorkSeqs(record.runId, seqs);
        seqs = new Map();
      }
    }
    await this.recordWorkSeqs(record.runId, seqs);
  }

  private async recordWorkSeqs(runId: string, seqs: Map<string, number>): Promise<void> {
    if (seqs.size === 0) return;
    await this.runs.update(runId, (r) => {
      const missing = [...seqs].filter(([key, seq]) => r.files[key] && r.files[key].workSeq !== seq);
      if (missing.length === 0) return undefined;
      for (const [key, seq] of missing) r.files[key].workSeq = seq;
      return r;
    });
  }

  /** Uncommits first (manifest), then removes the data: a reader never trusts an output being removed. */
  private async removeOrphans(orphans: CommittedOutput[], log: Logger): Promise<string[]> {
    const removed: string[] = [];
    for (const orphan of orphans) {
      await this.stores.sink.delete(manifestKey(orphan.dataset, orphan.month));
      await this.stores.sink.delete(outputKey(orphan.dataset, orphan.month));
      if (orphan.hasQuarantine) await this.stores.sink.delete(quarantineKey(orphan.dataset, orphan.month));
      removed.push(outputKey(orphan.dataset, orphan.month));
      log.info({ dataset: orphan.dataset, month: orphan.month, sourceKey: orphan.source.key }, 'removed orphan output');
    }
    return removed;
  }
}

const now = () => new Date().toISOString();
