// normalize: one source Parquet file in (any RandomAccessInput: a local file, an S3 or HTTPS object read by
// ranges), one canonical zstd Parquet stream out (any OutputSink: a local file, an S3 multipart upload), and a
// quality report. Optionally, the dropped rows go to a quarantine sink. normalizeFile is the local-file form.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PermanentError } from '@sluice/contracts';
import { BatchChannel } from './batch-channel';
import { type Dataset, isMonth } from './datasets';
import { type OutputSink, localFileSink } from './io/output-sink';
import { type RandomAccessInput, openLocalInput } from './io/random-access-input';
import { emptyDropCounts, monthWindow } from './quality';
import { assertDropFractionWithin, checkMaxDropFraction } from './quality-threshold';
import type { DecodeLimits } from './parquet/limits';
import { ParquetSource } from './reader';
import { normalizeRowGroup, quarantineArrowSchema } from './row-group';
import { canonicalArrowSchema } from './schemas/canonical';
import { schemaFor } from './schemas/registry';
import { planSchemaMapping } from './schemas/schema-mapping';
import { writeParquet } from './writer';

export interface QualityReport {
  dataset: Dataset;
  month: string;
  schemaVersion: string;
  rowsIn: number;
  rowsOut: number;
  /** Rows dropped per quality rule: every rule of the schema version is listed, 0 when it dropped nothing. */
  dropped: Record<string, number>;
  /** Source columns the canonical schema does not know, dropped. */
  droppedColumns: string[];
  /** Row groups in the output file. */
  rowGroups: number;
  outputBytes: number;
  /** Set when a quarantine sink was given: the dropped rows were written there (one row per dropped row). */
  quarantine?: { rows: number; bytes: number };
}

export interface NormalizeOptions {
  dataset: Dataset;
  month: string;
  /** Rows per output row group (the last one may be smaller); default 1,000,000. */
  rowGroupRows?: number;
  /** Source rows decoded at once per column (bounds memory); default 32,768. */
  windowRows?: number;
  /** Called after each window of source rows. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
  /**
   * Where dropped rows go: the canonical columns plus `quality_rule` (the rule each row broke), zstd Parquet.
   * Without it, dropped rows are only counted.
   */
  quarantine?: OutputSink;
  /**
   * Fail the file as `quality_threshold` (and commit neither sink) when the quality rules drop more than this
   * fraction (0..1) of its rows. Without it every fraction passes: the services and the CLI always give one.
   */
  maxDropFraction?: number;
  /**
   * What the decoder believes of a source file (MAX_FILE_ROWS, DECODE_MEMORY_BUDGET, footer and nesting bounds);
   * unset ones keep their defaults. A file over them fails as `corrupt`.
   */
  limits?: Partial<DecodeLimits>;
  /** Abandons the file: checked between windows and before anything is committed; it then fails with the signal's reason. */
  signal?: AbortSignal;
}

export interface NormalizeFileOptions extends Omit<NormalizeOptions, 'quarantine'> {
  inputPath: string;
  outputPath: string;
  /** Local file for the dropped rows (see NormalizeOptions.quarantine). */
  quarantinePath?: string;
}

export const DEFAULT_ROW_GROUP_ROWS = 1_000_000;

/**
 * How often normalize lets timers and signal handlers run while it decodes (see canonicalBatches): well inside the
 * shortest heartbeat interval (1 s at the least, a third of ack_wait) and quick enough for Ctrl-C.
 */
const EVENT_LOOP_TURN_MS = 1000;

/** What the quarantine writer gets when the output writer stopped reading the source (its own error is reported). */
class OutputStopped extends Error {
  constructor() {
    super('the output writer stopped');
  }
}

/**
 * Reads `input` (never whole: a window of rows of every column at a time) and streams the normalized file
 * into `sink`, then commits it. On any failure both sinks are aborted: no partial output is ever visible.
 * The input stays open (the caller owns it). Throws PermanentError with a precise code for a bad file:
 * `empty`, `not_parquet`, `truncated`, `corrupt`, `missing_column`, `impossible_type`, `ambiguous_column`,
 * `quality_threshold` (more than `maxDropFraction` of the rows dropped); and for bad arguments:
 * `unsupported_dataset`, `invalid_month`.
 */
export async function normalize(input: RandomAccessInput, sink: OutputSink, opts: NormalizeOptions): Promise<QualityReport> {
  const { dataset, month, onProgress, quarantine } = opts;
  const rowGroupRows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  let source: ParquetSource | undefined;
  try {
    const schema = schemaFor(dataset);
    if (!schema) {
      throw new PermanentError('unsupported_dataset', `no canonical schema for dataset '${dataset}' yet`);
    }
    if (!isMonth(month)) throw new PermanentError('invalid_month', `month '${month}' is not YYYY-MM`);
    if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
      throw new RangeError(`rowGroupRows must be a positive integer, got ${rowGroupRows}`);
    }
    if (opts.maxDropFraction !== undefined) checkMaxDropFraction(opts.maxDropFraction);
    const opened = await ParquetSource.open(input, opts.limits);
    source = opened;
    const fields = opened.schema.fields.map((f) => ({ name: f.name, type: f.type }));
    const mapping = planSchemaMapping(schema, fields);
    const canonical = canonicalArrowSchema(schema);
    const quarantineSchema = quarantine ? quarantineArrowSchema(canonical) : undefined;
    const window = monthWindow(month);
    const { rules } = schema;
    const dropped: Record<string, number> = emptyDropCounts(rules);
    const rowsTotal = opened.numRows;
    let rowsIn = 0;
    let rowsOut = 0;
    let quarantinedRows = 0;
    const rejected = quarantine ? new BatchChannel() : undefined;

    async function* canonicalBatches() {
      let finished = false;
      let lastTurn = performance.now();
      try {
        for (let rowGroup = 0; rowGroup < opened.rowGroups.length; rowGroup++) {
          if (opened.rowGroups[rowGroup].numRows === 0) continue;
          // a batch is yielded to the writer, which encodes it before it asks for the next: its arrays are reused
          const windows = normalizeRowGroup(opened, rowGroup, mapping, canonical, rules, window, opts.windowRows, quarantineSchema, true);
          for await (const result of windows) {
            rowsIn += result.rowsIn;
            rowsOut += result.batch.numRows;
            for (const [rule, n] of Object.entries(result.dropped)) dropped[rule] += n;
            if (rejected && result.quarantined && result.quarantined.numRows > 0) {
              quarantinedRows += result.quarantined.numRows;
              await rejected.push(result.quarantined);
            }
            onProgress?.(rowsIn, rowsTotal);
            // Decoding and a local sink's writes are synchronous, and promises alone never leave the microtask
            // queue: without a turn of the event loop now and then, a whole file went by with no timer (heartbeats)
            // and no signal handler (Ctrl-C) running. Once a second, not every window: each turn also lets V8 run its
            // deferred GC tasks, and a turn per window (or per 50 ms) cost 20-25 % more CPU on the 5M-row benchmark.
            if (performance.now() - lastTurn >= EVENT_LOOP_TURN_MS) {
              await nextTurn();
              lastTurn = performance.now();
            }
            opts.signal?.throwIfAborted();
            if (result.batch.numRows > 0) yield result.batch;
          }
        }
        finished = true;
        rejected?.close();
      } catch (error) {
        rejected?.close(error);
        throw error;
      } finally {
        // stopped early by the output writer (its sink failed): the quarantine writer must not wait for more
        if (!finished) rejected?.close(new OutputStopped());
      }
    }

    const meta = { 'sluice.schema_version': schema.version, 'sluice.month': month };
    const main = writeParquet(sink, canonical, canonicalBatches(), { rowGroupRows, keyValueMetadata: meta });
    const side =
      quarantine && rejected && quarantineSchema
        ? writeParquet(quarantine, quarantineSchema, rejected, { rowGroupRows, keyValueMetadata: { ...meta, 'sluice.quarantine': 'true' } })
        : undefined;
    // Both writers run together (the quarantine one fed through the bounded channel). Each aborts its own sink
    // on failure; the quarantine writer's own error explains a failure better than the channel it broke.
    // Nothing is committed until both are written: a failed quarantine must not leave a visible output.
    const [written, quarantined] = await Promise.allSettled([main, side]);
    if (quarantined.status === 'rejected' && !(quarantined.reason instanceof OutputStopped)) throw quarantined.reason;
    if (written.status === 'rejected') throw written.reason;
    // Every row is accounted for before anything becomes visible.
    const droppedRows = Object.values(dropped).reduce((a, b) => a + b, 0);
    if (rowsIn !== rowsTotal || rowsOut + droppedRows !== rowsIn) {
      throw new PermanentError(
        'row_count_mismatch',
        `rows in ${rowsIn} (the footer says ${rowsTotal}) != rows out ${rowsOut} + dropped ${droppedRows}`,
      );
    }
    opts.signal?.throwIfAborted();
    // Before either commit: a file the rules mostly threw away is a wrong file, and must not replace a good output.
    if (opts.maxDropFraction !== undefined) assertDropFractionWithin({ dataset, month, rowsIn, dropped }, opts.maxDropFraction);
    const quarantineBytes = quarantine ? (await quarantine.commit()).bytes : 0;
    const { bytes } = await sink.commit();
    return {
      dataset,
      month,
      schemaVersion: schema.version,
      rowsIn,
      rowsOut,
      dropped,
      droppedColumns: mapping.droppedColumns,
      rowGroups: Math.ceil(rowsOut / rowGroupRows),
      outputBytes: bytes,
      ...(quarantine ? { quarantine: { rows: quarantinedRows, bytes: quarantineBytes } } : {}),
    };
  } catch (error) {
    await sink.abort();
    await quarantine?.abort();
    throw error;
  } finally {
    await source?.close();
  }
}

/**
 * normalize() from a local file to a local file (through `${outputPath}.partial` and a rename: no partial
 * output is ever visible), and the dropped rows to `quarantinePath` when given.
 */
export async function normalizeFile(opts: NormalizeFileOptions): Promise<QualityReport> {
  const { inputPath, outputPath, quarantinePath, ...options } = opts;
  const input = openLocalInput(inputPath);
  try {
    const sink = localFileSink(outputPath);
    let quarantine: OutputSink | undefined;
    try {
      quarantine = quarantinePath ? localFileSink(quarantinePath) : undefined;
    } catch (error) {
      await sink.abort();
      throw error;
    }
    return await normalize(input, sink, { ...options, quarantine });
  } finally {
    await input.close();
  }
}
