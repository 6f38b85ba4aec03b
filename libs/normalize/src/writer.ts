// Writes Arrow JS record batches as a zstd Parquet stream (our own writer, parquet/write/) in row groups of
// exactly `rowGroupRows` rows whatever the batch sizes, into an OutputSink: the output becomes visible only when
// complete (a local file is written to `<path>.partial` and renamed; an S3 upload completes).
// encodeParquet (fixtures and synthetic sources, every codec) stays on parquet-wasm.
import * as arrow from 'apache-arrow';
import { nullColumn } from './columns/canonical-columns';
import { parquetWasm } from './engine/parquet-wasm';
import { type OutputSink, localFileSink } from './io/output-sink';
import { zstdCompressor } from './parquet/write/page-compressor';
import { ParquetFileWriter } from './parquet/write/parquet-file-writer';

export interface ParquetWriteOptions {
  rowGroupRows: number;
  /** Stored in the file's key/value metadata (beside ARROW:schema). */
  keyValueMetadata?: Record<string, string>;
  /** Target bytes of a data page's values before compression; default 1 MiB. */
  pageBytes?: number;
  /** zstd level; default ZSTD_LEVEL (with ZSTD_MIN_MATCH: a level given here uses zstd's own minimum match). */
  zstdLevel?: number;
  /** Bytes of distinct values an int32/float32 column chunk's dictionary takes before it falls back to PLAIN; default 1 MiB. */
  dictionaryPageBytes?: number;
}

export const DEFAULT_PAGE_BYTES = 1 << 20;

/**
 * Measured with `npx tsx bench/zstd-levels.ts` (1M fhvhv rows normalized, one row group, re-encoded at each setting,
 * best of 3; DuckDB threads=1 on the same rows: 37,561,028 bytes), 2026-11-30:
 *
 * | level | min match | bytes      | vs DuckDB | zstd time | whole write |
 * |-------|-----------|------------|-----------|-----------|-------------|
 * | 1     | default   | 37,824,977 | 1.007×    | 66 ms     | 398 ms      |
 * | 1     | 4         | 34,954,607 | 0.931×    | 155 ms    | 467 ms      |
 * | 2     | default   | 37,785,588 | 1.006×    | 81 ms     | 388 ms      |
 * | 2     | 4         | 34,671,898 | 0.923×    | 157 ms    | 472 ms      |
 * | 3     | default   | 37,652,192 | 1.002×    | 181 ms    | 485 ms      |
 * | 3     | 4         | 34,866,166 | 0.928×    | 237 ms    | 547 ms      |
 * | 4     | default   | 37,309,955 | 0.993×    | 217 ms    | 535 ms      |
 * | 4     | 4         | 34,942,342 | 0.930×    | 278 ms    | 596 ms      |
 * | 5     | default   | 36,626,882 | 0.975×    | 360 ms    | 676 ms      |
 * | 5     | 4         | 34,813,522 | 0.927×    | 391 ms    | 700 ms      |
 * | 6     | default   | 36,609,483 | 0.975×    | 416 ms    | 728 ms      |
 * | 6     | 4         | 34,800,217 | 0.926×    | 507 ms    | 818 ms      |
 *
 * Level 2 with matches of 4 bytes is the smallest output of all and costs less zstd time than level 3 or 4 at zstd's
 * defaults: the fast strategies look for 5- or 6-byte matches by default, and fixed-width columns (int32 and float32
 * values, the high bytes of µs timestamps) repeat in 4-byte patterns. At 5M rows: 173.2 MB against 186.4 MB at level
 * 4, in 0.83 s of zstd time against 1.15 s. (Synthetic fhvhv rows: real months were not at hand to measure.)
 */
export const ZSTD_LEVEL = 2;
/** zstd's minimum match length (ZSTD_c_minMatch); see ZSTD_LEVEL. */
export const ZSTD_MIN_MATCH = 4;

/** Streams `batches` to a local file at `path` (see writeParquet). */
export async function writeParquetFile(
  path: string,
  schema: arrow.Schema,
  batches: AsyncIterable<arrow.RecordBatch>,
  options: ParquetWriteOptions,
): Promise<{ bytes: number }> {
  const sink = localFileSink(path);
  await writeParquet(sink, schema, batches, options);
  return sink.commit();
}

/**
 * Streams `batches` (all with `schema`) to `sink`; the caller commits it (so that it can commit several
 * outputs only once all are written). If the iterable or the sink throws, the sink is aborted (nothing is
 * left behind) and that error is rethrown. A file with no rows still gets the schema (and no row groups).
 * The next batch is not read until the sink has taken the last row group (back-pressure).
 */
export async function writeParquet(
  sink: OutputSink,
  schema: arrow.Schema,
  batches: AsyncIterable<arrow.RecordBatch>,
  options: ParquetWriteOptions,
): Promise<void> {
  const iterator = batches[Symbol.asyncIterator]();
  let sourceFailed = false;
  const nextBatch = async () => {
    try {
      return await iterator.next();
    } catch (error) {
      sourceFailed = true;
      throw error;
    }
  };
  try {
    const file = new ParquetFileWriter(schema, {
      rowGroupRows: options.rowGroupRows,
      pageBytes: options.pageBytes ?? DEFAULT_PAGE_BYTES,
      compressor: options.zstdLevel === undefined ? zstdCompressor(ZSTD_LEVEL, ZSTD_MIN_MATCH) : zstdCompressor(options.zstdLevel),
      keyValueMetadata: options.keyValueMetadata,
      dictionaryPageBytes: options.dictionaryPageBytes,
    });
    for (let next = await nextBatch(); !next.done; next = await nextBatch()) {
      const batch = next.value;
      for (let at = 0; at < batch.numRows; ) {
        at += file.append(batch, at);
        if (file.rowGroupFull) await writeAll(sink, file.flushRowGroup());
      }
    }
    if (file.rowsInGroup > 0) await writeAll(sink, file.flushRowGroup());
    await writeAll(sink, file.finish());
  } catch (error) {
    // The source is told to stop (a generator runs its finally, a channel releases its producer), unless it is
    // what failed; then the sink is discarded.
    if (!sourceFailed) await iterator.return?.().catch(() => undefined);
    await sink.abort();
    throw error;
  }
}

/**
 * Small pieces (page headers, small pages) are joined into writes of up to WRITE_BYTES: a sink is paid per write (a
 * syscall, a promise). A piece of OWN_WRITE_BYTES or more is written as it is: joining it would only copy it (and
 * allocating those copies, about the output's size, was a fifth of what made V8 collect garbage).
 */
const WRITE_BYTES = 1 << 20;
const OWN_WRITE_BYTES = 1 << 16;

async function writeAll(sink: OutputSink, pieces: readonly Uint8Array[]): Promise<void> {
  for (let i = 0; i < pieces.length; ) {
    let bytes = pieces[i].length;
    let end = i + 1;
    if (bytes < OWN_WRITE_BYTES) {
      while (end < pieces.length && pieces[end].length < OWN_WRITE_BYTES && bytes + pieces[end].length <= WRITE_BYTES) bytes += pieces[end++].length;
    }
    if (end === i + 1) {
      await sink.write(pieces[i]);
    } else {
      const joined = new Uint8Array(bytes);
      for (let at = 0; i < end; i++) {
        joined.set(pieces[i], at);
        at += pieces[i].length;
      }
      await sink.write(joined);
    }
    i = end;
  }
}

/** A whole small table as Parquet bytes in memory (fixtures and synthetic source files). */
export function encodeParquet(
  table: arrow.Table,
  options: { compression: 'snappy' | 'zstd' | 'gzip' | 'none'; rowGroupRows?: number },
): Uint8Array {
  const wasm = parquetWasm();
  const codec = {
    snappy: wasm.Compression.SNAPPY,
    zstd: wasm.Compression.ZSTD,
    gzip: wasm.Compression.GZIP,
    none: wasm.Compression.UNCOMPRESSED,
  };
  let builder = new wasm.WriterPropertiesBuilder()
    .setCompression(codec[options.compression])
    .setStatisticsEnabled(wasm.EnabledStatistics.Chunk);
  if (options.rowGroupRows !== undefined) builder = builder.setMaxRowGroupSize(Math.max(1, options.rowGroupRows));
  const wasmTable = wasm.Table.fromIPCStream(arrow.tableToIPC(withBatch(table), 'stream'));
  return wasm.writeParquet(wasmTable, builder.build());
}

/** parquet-wasm learns the schema from the first batch: a file with no rows needs one empty batch. */
function emptyBatch(schema: arrow.Schema): arrow.RecordBatch {
  const children = schema.fields.map((f) => nullColumn(f.type, 0));
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: 0, nullCount: 0, children }),
  );
}

function withBatch(table: arrow.Table): arrow.Table {
  return table.batches.length > 0 ? table : new arrow.Table([emptyBatch(table.schema)]);
}
