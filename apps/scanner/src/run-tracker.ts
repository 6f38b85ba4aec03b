// Counts each file of a run once, from file events, however often an event repeats; completes the run when all settled.
// An event that is wrong or forged (a file the run did not plan, a `done` its manifest contradicts) changes nothing
// and is dead-lettered with the reason.
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { JetStreamManager } from '@nats-io/jetstream';
import { CLOUDWATCH_METRICS, PermanentError, STREAMS, SUBJECTS, TransientError, errorMessageOf, type FileEvent, type RunRecord } from '@sluice/contracts';
import { JETSTREAM_MANAGER, LOGGER, Publisher, storedMessage } from '@sluice/messaging';
import { cloudWatchFigures, type Logger } from '@sluice/observability';
import { RunWriter } from '@sluice/run-state/writer';
import { PipelineStores, readManifest } from '@sluice/storage';
import { checkFileEvent, type EventEvidence, type SettledEvent } from './file-event-check';
import { RunCompletion } from './run-completion';

/** Pure: the record after one settled file event the check accepted, or undefined when it changes nothing. */
export function applyFileEvent(record: RunRecord, event: SettledEvent, evidence: EventEvidence = {}, now = new Date().toISOString()): RunRecord | undefined {
  const verdict = checkFileEvent(record, event, evidence);
  if (verdict.verdict !== 'count' && verdict.verdict !== 'count_commit') return undefined;
  const next = structuredClone(record);
  const target = next.files[event.sourceKey];
  if (verdict.verdict === 'count_commit') {
    const m = verdict.manifest;
    Object.assign(target, { status: 'done', rowsIn: m.rowsIn, rowsOut: m.rowsOut, dropped: m.dropped, outputKey: m.output.key });
    next.done += 1;
    next.lastProgressAt = now;
    return next;
  }
  switch (event.type) {
    case 'done':
      Object.assign(target, { status: 'done', rowsIn: event.rowsIn, rowsOut: event.rowsOut, dropped: event.dropped, outputKey: event.outputKey });
      next.done += 1;
      break;
    case 'failed':
      Object.assign(target, { status: 'failed', failure: { code: event.code, reason: event.reason, attempt: event.attempt } });
      next.failed += 1;
      break;
    case 'skipped':
      Object.assign(target, { status: 'skipped', skipReason: event.reason });
      next.skipped += 1;
      break;
  }
  // the tracker's clock, not the event's claim
  next.lastProgressAt = now;
  return next;
}

@Controller()
export class RunTracker {
  constructor(
    private readonly runs: RunWriter,
    private readonly publisher: Publisher,
    private readonly completion: RunCompletion,
    private readonly stores: PipelineStores,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @EventPattern(SUBJECTS.fileEvents)
  async onFileEvent(@Payload() event: FileEvent): Promise<void> {
    if (event.type === 'started') return;
    const before = await this.runs.get(event.runId);
    const evidence = before ? await this.evidenceFor(before, event) : {};
    const verdict = checkFileEvent(before, event, evidence);
    if (verdict.verdict === 'refuse') {
      this.log.warn({ runId: event.runId, key: event.sourceKey, type: event.type, code: verdict.code }, `file event refused: ${verdict.reason}`);
      throw new PermanentError(verdict.code, verdict.reason);
    }
    if (verdict.verdict === 'wait') throw new TransientError('file_event_early', verdict.reason);
    if (verdict.verdict === 'ignore') return;
    if (verdict.verdict === 'count_commit') this.log.warn({ runId: event.runId, key: event.sourceKey }, verdict.why);
    const result = await this.runs.update(event.runId, (r) => applyFileEvent(r, event, evidence));
    if (!result?.changed) return;
    const { record } = result;
    this.log.debug({ runId: record.runId, key: event.sourceKey, type: event.type }, 'file settled');
    // Here a failure counts once for its run, whoever reported it: the "files failed" metric the alarms watch.
    if (event.type === 'failed' && record.files[event.sourceKey].status === 'failed') {
      cloudWatchFigures.count(CLOUDWATCH_METRICS.filesFailed, 1, { dataset: event.dataset, code: event.code });
    }
    await this.publisher.runEvent({
      type: 'progress',
      runId: record.runId,
      total: record.total,
      done: record.done,
      failed: record.failed,
      at: new Date().toISOString(),
    });
    await this.completion.finishIfSettled(record.runId);
  }

  private async evidenceFor(record: RunRecord, event: SettledEvent): Promise<EventEvidence> {
    if (event.type === 'done') return { manifest: await readManifest(this.stores.output(record.target), event.dataset, event.month) };
    const seq = Object.hasOwn(record.files, event.sourceKey) ? record.files[event.sourceKey].workSeq : undefined;
    if (event.type !== 'failed') return {};
    if (seq !== undefined && (await storedMessage(this.jsm, STREAMS.work, seq)) !== undefined) return { workStillQueued: true };
    // Whether this run committed the file after all (see checkFileEvent). A manifest that cannot be read is no
    // evidence of a commit: the failure counts, as it would have without the check, rather than hold the run.
    try {
      return { workStillQueued: false, manifest: await readManifest(this.stores.output(record.target), event.dataset, event.month) };
    } catch (error) {
      this.log.warn({ runId: record.runId, key: event.sourceKey, err: errorMessageOf(error) }, 'could not read the manifest of a failed file; counting the failure');
      return { workStillQueued: false };
    }
  }
}
