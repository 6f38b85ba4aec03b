// `pipeline.file.discovered`: one file at a time. Throws with a kind on failure; the transport settles the message.
import { hostname } from 'node:os';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { isCommittedFor, PermanentError, SUBJECTS, type FileDiscovered, type Manifest } from '@sluice/contracts';
import { s3OptionsOf, sourceOptionsOf, type S3Options, type SourceOptions, type TransformerEnv } from '@sluice/config';
import { LOGGER, Publisher, SERVICE_ENV } from '@sluice/messaging';
import { JetStreamContext } from '@sluice/messaging/nest';
import { schemaVersionFor, type QualityReport } from '@sluice/normalize';
import { metrics, type Logger } from '@sluice/observability';
import { RunReader } from '@sluice/run-state';
import { rangeReaderOptionsOf, SOURCE, type Source } from '@sluice/sources';
import { PipelineStores, readManifest, validateObjectKey } from '@sluice/storage';
import { processFile } from './file-processor';
import { TaskProtection } from './task-protection';
import { checkWork } from './work-check';

@Controller()
export class FileWorker {
  private readonly workerId: string;
  /** What the engine's worker thread opens the source with, in ranged read mode. */
  private readonly sourceOptions: SourceOptions;
  private readonly s3: S3Options;

  constructor(
    private readonly stores: PipelineStores,
    @Inject(SOURCE) private readonly source: Source,
    private readonly protection: TaskProtection,
    private readonly runs: RunReader,
    private readonly publisher: Publisher,
    @Inject(SERVICE_ENV) private readonly env: TransformerEnv,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.workerId = env.WORKER_ID ?? `${hostname()}-${process.pid}`;
    this.sourceOptions = sourceOptionsOf(env);
    this.s3 = s3OptionsOf(env);
  }

  @EventPattern(SUBJECTS.fileDiscovered)
  async onFile(@Payload() file: FileDiscovered, @Ctx() ctx: JetStreamContext): Promise<void> {
    const ref = { runId: file.runId, dataset: file.dataset, month: file.month, sourceKey: file.source.key };
    const log = this.log.child({ runId: file.runId, dataset: file.dataset, key: file.source.key, delivery: ctx.deliveryCount });
    const at = () => new Date().toISOString();

    // A key from outside is checked before it is used anywhere, even to look it up in the run.
    validateObjectKey(file.source.key);
    const verdict = checkWork(file, await this.runs.get(file.runId));
    switch (verdict.verdict) {
      case 'refuse':
        // Nothing read or written, and no file event: the file it names may belong to a real run.
        log.warn({ code: verdict.code }, `work refused: ${verdict.reason}`);
        throw new PermanentError(verdict.code, verdict.reason);
      case 'skip':
        log.info(`skipping a file: ${verdict.why}`);
        await this.publisher.fileEvent({ type: 'skipped', ...ref, workerId: this.workerId, reason: verdict.why, at: at() });
        return;
      case 'settled':
        log.info(`nothing to do: ${verdict.why}`);
        return;
      case 'process':
        break;
    }
    // From here on the file is this run's: any failure (reading the previous manifest included) is reported as its
    // failure event on the last attempt, so the run never waits for a file whose handler gave up.
    try {
      const output = this.stores.output(file.target);
      // Read once: the idempotency check below, and what the commit replaces (its quarantine file, if any).
      const previous = await readManifest(output, file.dataset, file.month);
      const committed = committedByThisRun(previous, file);
      if (committed) {
        // Redelivered after the commit (e.g. the ack was lost): report it again, do not redo it.
        log.info('already committed by this run');
        await this.publisher.fileEvent({
          type: 'done', ...ref, workerId: this.workerId, rowsIn: committed.rowsIn, rowsOut: committed.rowsOut, dropped: committed.dropped,
          outputKey: committed.output.key, outputBytes: committed.output.bytes, rowGroups: committed.output.rowGroups, durationMs: 0,
          alreadyCommitted: true, at: at(),
        });
        return;
      }

      await this.publisher.fileEvent({ type: 'started', ...ref, workerId: this.workerId, attempt: ctx.deliveryCount, at: at() });
      const started = Date.now();
      const result = await this.protection.hold(() =>
        processFile(
          file,
          { source: this.source, output },
          {
            workDir: this.env.WORK_DIR,
            rowGroupRows: this.env.ROW_GROUP_ROWS,
            limits: { maxFileRows: this.env.MAX_FILE_ROWS, decodeMemoryBudget: this.env.DECODE_MEMORY_BUDGET },
            readChunkBytes: this.env.SOURCE_READ_CHUNK_BYTES,
            readMode: this.env.SOURCE_READ_MODE,
            readerOptions: (key) => rangeReaderOptionsOf(this.sourceOptions, this.s3, key),
            quarantine: this.env.QUARANTINE,
            previous,
            maxDropFraction: file.maxDropFraction ?? this.env.MAX_DROP_FRACTION,
            signal: ctx.signal,
          },
        ),
      );
      const durationMs = Date.now() - started;
      recordFileMetrics(file.dataset, result.report, result.outputBytes, durationMs);
      log.info({ rowsIn: result.report.rowsIn, rowsOut: result.report.rowsOut, dropped: result.report.dropped, durationMs }, 'file committed');
      await this.publisher.fileEvent({
        type: 'done', ...ref, workerId: this.workerId, rowsIn: result.report.rowsIn, rowsOut: result.report.rowsOut,
        dropped: result.report.dropped, outputKey: result.outputKey, outputBytes: result.outputBytes, rowGroups: result.report.rowGroups,
        durationMs, at: at(),
      });
    } catch (error) {
      const final = ctx.finalFailure(error);
      if (final) {
        metrics.filesFailed.inc({ dataset: file.dataset, code: final.code });
        log.error({ code: final.code }, `file failed: ${final.reason}`);
        await this.publisher.fileEvent({
          type: 'failed', ...ref, workerId: this.workerId, code: final.code, reason: final.reason.slice(0, 2_000), attempt: ctx.deliveryCount, at: at(),
        });
      }
      throw error;
    }
  }
}

/** The manifest, when this run already committed this very source version (a redelivery after the commit). */
function committedByThisRun(m: Manifest | undefined, file: FileDiscovered): Manifest | undefined {
  return m?.runId === file.runId && isCommittedFor(m, file.source, schemaVersionFor(file.dataset)) ? m : undefined;
}

function recordFileMetrics(dataset: string, report: QualityReport, outputBytes: number, durationMs: number): void {
  metrics.filesProcessed.inc({ dataset });
  metrics.rowsIn.inc({ dataset }, report.rowsIn);
  metrics.rowsOut.inc({ dataset }, report.rowsOut);
  for (const [rule, n] of Object.entries(report.dropped)) if (n > 0) metrics.rowsDropped.inc({ dataset, rule }, n);
  metrics.outputBytes.inc({ dataset }, outputBytes);
  metrics.fileSeconds.observe({ dataset }, durationMs / 1000);
}
