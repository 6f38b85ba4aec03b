// One file, start to commit: open the pinned source version (downloaded to a temp dir, or read by ranges) →
// normalize, streaming the output into the sink at its deterministic key (S3 multipart: invisible until it
// completes) → write the manifest (the commit point). The temp dir, if any, is always removed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  manifestKey,
  outputKey,
  quarantineKey,
  type FileDiscovered,
  type Manifest,
} from '@sluice/contracts';
import {
  normalize,
  type NormalizeOptions,
  openLocalInput,
  openRemoteInput,
  type OutputSink,
  type QualityReport,
  type RandomAccessInput,
} from '@sluice/normalize';
import { SOURCE_RANGE_READER_MODULE, type SourceRangeReaderOptions, type Source } from '@sluice/sources';
import type { ObjectStore } from '@sluice/storage';

export interface ProcessedFile {
  report: QualityReport;
  outputKey: string;
  outputBytes: number;
  manifest: Manifest;
}

export interface FileProcessorOptions {
  workDir?: string;
  rowGroupRows: number;
  /** What the decoder believes of the source (MAX_FILE_ROWS, DECODE_MEMORY_BUDGET); unset ones keep their defaults. */
  limits?: NormalizeOptions['limits'];
  readChunkBytes: number;
  /** `download` to a temp file first, or `ranged` reads as the engine decodes (then readerOptions is required). */
  readMode: 'download' | 'ranged';
  /** Options of the source's range reader for this file's key (ranged mode). */
  readerOptions?: (key: string) => SourceRangeReaderOptions;
  /** Write the dropped rows next to the outputs, under `_quarantine/`. */
  quarantine: boolean;
  /** The manifest this file's commit replaces, if any (the caller has read it for its idempotency check). */
  previous?: Manifest;
  /** Above this fraction of dropped rows the file fails `quality_threshold`, before anything is committed. */
  maxDropFraction: number;
  /** Abandons the file (its deadline): the read stops, nothing is committed, it fails with the signal's reason. */
  signal?: AbortSignal;
}

const PARQUET = 'application/vnd.apache.parquet';

export async function processFile(
  file: FileDiscovered,
  stores: { source: Source; output: ObjectStore },
  opts: FileProcessorOptions,
): Promise<ProcessedFile> {
  const dir = opts.readMode === 'download' ? await mkdtemp(join(opts.workDir ?? tmpdir(), 'sluice-file-')) : undefined;
  let input: (RandomAccessInput & { etag: string; size: number }) | undefined;
  try {
    // Pinned to the version current when this attempt starts (the planned one, unless it was replaced since):
    // the manifest records the ETag actually read, so the next incremental run compares against the truth.
    input = await openPinnedInput(file, stores.source, opts, dir);
    const key = outputKey(file.dataset, file.month);
    const qKey = quarantineKey(file.dataset, file.month);
    const sink = stores.output.openWriter(key, { contentType: PARQUET });
    let quarantine: OutputSink | undefined;
    try {
      quarantine = opts.quarantine ? stores.output.openWriter(qKey, { contentType: PARQUET }) : undefined;
    } catch (error) {
      await sink.abort();
      throw error;
    }
    // normalize commits both sinks, or aborts both
    const report = await normalize(input, sink, {
      dataset: file.dataset,
      month: file.month,
      rowGroupRows: opts.rowGroupRows,
      limits: opts.limits,
      quarantine,
      maxDropFraction: opts.maxDropFraction,
      signal: opts.signal,
    });
    const manifest: Manifest = {
      manifestVersion: 1,
      dataset: file.dataset,
      month: file.month,
      source: { store: stores.source.url, key: file.source.key, etag: input.etag, size: input.size },
      schemaVersion: report.schemaVersion,
      rowsIn: report.rowsIn,
      rowsOut: report.rowsOut,
      dropped: report.dropped,
      droppedColumns: report.droppedColumns,
      output: { key, bytes: report.outputBytes, rowGroups: report.rowGroups },
      ...(report.quarantine ? { quarantine: { key: qKey, ...report.quarantine } } : {}),
      runId: file.runId,
      writtenAt: new Date().toISOString(),
    };
    // A quarantine file from an earlier run with QUARANTINE=true no longer matches the output. Only one the replaced
    // manifest lists is deleted (no request for the files that never had one), and before the new manifest: if this
    // attempt dies in between, the redelivery still finds it listed and deletes it then.
    if (!opts.quarantine && opts.previous?.quarantine) await stores.output.delete(qKey);
    // The manifest is written last: until it exists, a reader (and the next incremental run) ignores the output.
    await stores.output.put(manifestKey(file.dataset, file.month), JSON.stringify(manifest, null, 2), { contentType: 'application/json' });
    return { report, outputKey: key, outputBytes: report.outputBytes, manifest };
  } finally {
    await input?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

async function openPinnedInput(
  file: FileDiscovered,
  source: Source,
  opts: FileProcessorOptions,
  dir: string | undefined,
): Promise<RandomAccessInput & { etag: string; size: number }> {
  if (opts.readMode === 'ranged') {
    if (!opts.readerOptions) throw new Error('ranged reads need the source range reader options');
    return openRemoteInput({
      module: SOURCE_RANGE_READER_MODULE,
      options: opts.readerOptions(file.source.key),
      name: `${source.url}${file.source.key}`,
    });
  }
  const inputPath = join(dir as string, 'source.parquet');
  const pinned = await source.download(file.source.key, inputPath, { chunkBytes: opts.readChunkBytes, signal: opts.signal });
  return Object.assign(openLocalInput(inputPath), { etag: pinned.etag });
}
