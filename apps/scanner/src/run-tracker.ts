// Counts each file of a run once, from file events, however often an event repeats; completes the run when all settled.
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { isFinalRunState, SUBJECTS, type FileEvent, type RunRecord } from '@sluice/contracts';
import { LOGGER, Publisher, RunStore } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { RunCompletion } from './run-completion';

type SettledEvent = Extract<FileEvent, { type: 'done' | 'failed' | 'skipped' }>;

/** Pure: the record after one settled file event, or undefined when the event changes nothing. */
export function applyFileEvent(record: RunRecord, event: SettledEvent): RunRecord | undefined {
  if (isFinalRunState(record.state)) return undefined;
  const file = record.files[event.sourceKey];
  if (!file || file.status !== 'queued') return undefined; // unknown file, or already counted
  const next = structuredClone(record);
  const target = next.files[event.sourceKey];
  switch (event.type) {
    case 'done':
      Object.assign(target, { status: 'done', rowsIn: event.rowsIn, rowsOut: event.rowsOut, dropped: event.dropped, outputKey: event.outputKey });
      next.done += 1;
      break;
    case 'failed':
      Object.assign(target, { status: 'failed', error: `${event.code}: ${event.reason}` });
      next.failed += 1;
      break;
    case 'skipped':
      Object.assign(target, { status: 'skipped', error: event.reason });
      next.skipped += 1;
      break;
  }
  return next;
}

@Controller()
export class RunTracker {
  constructor(
    private readonly runs: RunStore,
    private readonly publisher: Publisher,
    private readonly completion: RunCompletion,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @EventPattern(SUBJECTS.fileEvents)
  async onFileEvent(@Payload() event: FileEvent): Promise<void> {
    if (event.type === 'started') return;
    const result = await this.runs.update(event.runId, (r) => applyFileEvent(r, event));
    if (!result?.changed) return;
    const { record } = result;
    this.log.debug({ runId: record.runId, key: event.sourceKey, type: event.type }, 'file settled');
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
}
