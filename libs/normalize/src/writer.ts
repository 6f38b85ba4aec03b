// Writes Arrow JS record batches as a zstd Parquet stream through parquet-wasm's streaming writer, which cuts
// row groups of exactly `rowGroupRows` rows whatever the batch sizes, into an OutputSink: the output becomes
// visible only when complete (a local file is written to `<path>.partial` and renamed; an S3 upload completes).
import * as arrow from 'apache-arrow';
import { nullColumn } from './columns/canonical-columns';
import { type ParquetWasm, parquetWasm } from './engine/parquet-wasm';
import { type OutputSink, localFileSink } from './io/output-sink';

export interface ParquetWriteOptions {
  rowGroupRows: number;
  /** Stored in the file's key/value metadata. */
  keyValueMetadata?: Record<string, string>;
  /** Largest batch handed to wasm at once (bounds the IPC copy); default 65,536 rows. */
  transferRows?: number;
}

const DEFAULT_TRANSFER_ROWS = 65_536;

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
 */
export async function writeParquet(
  sink: OutputSink,
  schema: arrow.Schema,
  batches: AsyncIterable<arrow.RecordBatch>,
  options: ParquetWriteOptions,
): Promise<void> {
  const wasm = parquetWasm();
  const transferRows = options.transferRows ?? DEFAULT_TRANSFER_ROWS;
  const iterator = batches[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  let wroteBatch = false;
  // The sink write in progress: the input waits for it, so encoded output never piles up ahead of a slow sink.
  let writing: Promise<void> | undefined;

  // parquet-wasm finishes the file normally when its input stream errors: so the failure (source or sink) is kept
  // aside, the stream closed, and the (valid-looking but incomplete) output aborted below.
  const input = new ReadableStream({
    async pull(controller) {
      // parquet-wasm learns the schema from the first batch: a stream that ends before any still gets one
      const end = () => {
        if (!wroteBatch) for (const b of toWasm(wasm, emptyBatch(schema))) controller.enqueue(b);
        controller.close();
      };
      try {
        while (writing) await writing;
        if (failure) {
          // the sink failed: stop reading the source, and let the encoder finish what it has
          end();
          await iterator.return?.();
          return;
        }
        const next = await iterator.next();
        if (next.done) {
          end();
          return;
        }
        for (let start = 0; start < next.value.numRows; start += transferRows) {
          const piece = next.value.slice(start, Math.min(next.value.numRows, start + transferRows));
          for (const b of toWasm(wasm, piece)) controller.enqueue(b);
          wroteBatch = true;
        }
      } catch (error) {
        failure ??= { error };
        end();
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });

  try {
    const output = await wasm.transformParquetStream(input, writerProperties(wasm, options));
    const reader = output.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (failure) continue; // the output is discarded: just let the encoder finish
      writing = sink.write(value).then(
        () => {
          writing = undefined;
        },
        (error: unknown) => {
          failure ??= { error };
          writing = undefined;
        },
      );
      await writing;
    }
    if (failure) throw failure.error;
  } catch (error) {
    await sink.abort();
    throw failure ? failure.error : error;
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

function writerProperties(wasm: ParquetWasm, options: ParquetWriteOptions) {
  let builder = new wasm.WriterPropertiesBuilder()
    .setCompression(wasm.Compression.ZSTD)
    .setMaxRowGroupSize(options.rowGroupRows)
    // min/max per row group and per page (with page indexes): readers such as DuckDB skip what they need not read
    .setStatisticsEnabled(wasm.EnabledStatistics.Page);
  if (options.keyValueMetadata) builder = builder.setKeyValueMetadata(new Map(Object.entries(options.keyValueMetadata)));
  return builder.build();
}

function toWasm(wasm: ParquetWasm, batch: arrow.RecordBatch) {
  const table = wasm.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table([batch]), 'stream'));
  const out = table.recordBatches();
  table.free();
  return out;
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
