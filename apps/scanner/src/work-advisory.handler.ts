// JetStream's own advisories about the work consumer: the one place that sees a file no handler settled.
// - max deliveries: every worker that held the file died (crash, out of memory, SIGKILL) or hung past the ack
//   deadline, so no handler published a failure. The message is still in the work stream: it is dead-lettered with
//   code `worker_crashed`, the file is failed in its run, and the message is removed (a work-queue stream would keep
//   it forever otherwise).
// - terminated: a handler dead-letters a message and publishes the file's failure before it terminates it. A message
//   terminated with no failure for its file (nothing else may do that) is failed as `terminated`, after giving the
//   handler's own event a few seconds to arrive.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { JetStreamManager } from '@nats-io/jetstream';
import {
  DURABLES,
  FileDiscoveredSchema,
  STREAMS,
  SUBJECTS,
  TransientError,
  WORK_ADVISORIES_PATTERN,
  WORK_ADVISORY_TYPES,
  type FileDiscovered,
  type WorkAdvisory,
} from '@sluice/contracts';
import {
  deadLetterFor,
  decodeMessage,
  isNotFoundError,
  JETSTREAM_MANAGER,
  LOGGER,
  Publisher,
  storedMessage,
} from '@sluice/messaging';
import { JetStreamContext } from '@sluice/messaging/nest';
import type { Logger } from '@sluice/observability';
import { RunWriter } from '@sluice/run-state/writer';
import { workMessageFor } from './work-message';

/** A terminated file's own failure event has until this delivery of the advisory to arrive (the backoffs before it: 1 s + 5 s). */
export const TERMINATED_GRACE_DELIVERIES = 3;

@Controller()
export class WorkAdvisoryHandler {
  constructor(
    private readonly runs: RunWriter,
    private readonly publisher: Publisher,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @EventPattern(WORK_ADVISORIES_PATTERN)
  async onAdvisory(@Payload() advisory: WorkAdvisory, @Ctx() ctx: JetStreamContext): Promise<void> {
    if (advisory.stream !== DURABLES.transformers.stream || advisory.consumer !== DURABLES.transformers.consumer) return;
    if (advisory.type === WORK_ADVISORY_TYPES.maxDeliveries) await this.onMaxDeliveries(advisory);
    else await this.onTerminated(advisory, ctx.deliveryCount);
  }

  private async onMaxDeliveries(advisory: WorkAdvisory): Promise<void> {
    const stored = await storedMessage(this.jsm, STREAMS.work, advisory.stream_seq);
    if (!stored) return; // settled meanwhile: acknowledged, terminated, or purged by a cancel
    const reason =
      `no worker settled this file in ${advisory.deliveries} deliveries: each worker that held it crashed, ` +
      'was killed (e.g. out of memory) or hung past the ack deadline';
    const decoded = decodeMessage(stored.data, FileDiscoveredSchema);
    await this.park(stored, advisory, 'worker_crashed', reason);
    if (decoded.ok) await this.failFile(decoded.value, 'worker_crashed', reason, advisory.deliveries);
    await this.jsm.streams.deleteMessage(STREAMS.work, advisory.stream_seq).catch((error: unknown) => {
      if (!isNotFoundError(error)) throw error;
    });
  }

  private async onTerminated(advisory: WorkAdvisory, delivery: number): Promise<void> {
    const lock = await this.runs.activeLock();
    const record = lock && (await this.runs.get(lock.runId));
    if (!record) return;
    const entry = Object.entries(record.files).find(([, f]) => f.workSeq === advisory.stream_seq);
    if (!entry) {
      // Its sequence may not be recorded yet (the run is still being enqueued): ask again later.
      const enqueuing = Object.values(record.files).some((f) => f.status === 'queued' && f.workSeq === undefined);
      if (enqueuing && delivery < TERMINATED_GRACE_DELIVERIES) {
        throw new TransientError('awaiting_enqueue', `work message ${advisory.stream_seq} was terminated while run ${record.runId} is still being enqueued`);
      }
      return; // not a file of the active run (e.g. refused forged work: dead-lettered by its handler)
    }
    const [key, file] = entry;
    if (file.status !== 'queued') return; // its handler's failure arrived
    if (delivery < TERMINATED_GRACE_DELIVERIES) {
      throw new TransientError('awaiting_file_event', `work message ${advisory.stream_seq} (${key}) was terminated; waiting for its failure event`);
    }
    const work = workMessageFor(record, key);
    const reason = `its work message was terminated on delivery ${advisory.deliveries} and no failure was reported for it`;
    const data = new TextEncoder().encode(JSON.stringify(work));
    await this.park({ subject: SUBJECTS.fileDiscovered, data }, advisory, 'terminated', reason);
    await this.failFile(work, 'terminated', reason, advisory.deliveries);
  }

  private async park(stored: { subject: string; data: Uint8Array }, advisory: WorkAdvisory, code: string, reason: string): Promise<void> {
    const work = DURABLES.transformers;
    const parked = { subject: stored.subject, data: stored.data, stream: work.stream, streamSeq: advisory.stream_seq, consumer: work.consumer, deliveryCount: advisory.deliveries };
    await this.publisher.deadLetter(deadLetterFor(parked, code, reason));
  }

  private async failFile(work: FileDiscovered, code: string, reason: string, deliveries: number): Promise<void> {
    this.log.error({ runId: work.runId, dataset: work.dataset, key: work.source.key, code, deliveries }, `file failed: ${reason}`);
    await this.publisher.fileEvent({
      type: 'failed',
      runId: work.runId,
      dataset: work.dataset,
      month: work.month,
      sourceKey: work.source.key,
      workerId: 'jetstream-advisory',
      code,
      reason,
      attempt: deliveries,
      at: new Date().toISOString(),
    });
  }
}
