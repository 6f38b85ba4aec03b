// Writes Arrow JS record batches as a zstd Parquet file through parquet-wasm's streaming writer, which cuts
// row groups of exactly `rowGroupRows` rows whatever the batch sizes. The file appears under its name only
// when complete: it is written to `<path>.partial` and renamed.
import { closeSync, openSync, writeSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import * as arrow from 'apache-arrow';
import { nullColumn } from './columns/canonical-columns';
import { type ParquetWasm, parquetWasm } from './engine/parquet-wasm';

export interface ParquetWriteOptions {
  rowGroupRows: number;
  /** Stored in the file's key/value metadata. */
  keyValueMetadata?: Record<string, string>;
  /** Largest batch handed to wasm at once (bounds the IPC copy); default 65,536 rows. */
  transferRows?: number;
}

const DEFAULT_TRANSFER_ROWS = 65_536;

/**
 * Streams `batches` (all with `schema`) to `path`. If the iterable throws, nothing is left behind and its
 * error is rethrown. A file with no rows still gets the schema (and no row groups).
 */
export async function writeParquetFile(
  path: string,
  schema: arrow.Schema,
  batches: AsyncIterable<arrow.RecordBatch>,
  options: ParquetWriteOptions,
): Promise<void> {
  const wasm = parquetWasm();
  const partial = `${path}.partial`;
  const transferRows = options.transferRows ?? DEFAULT_TRANSFER_ROWS;
  const iterator = batches[Symbol.asyncIterator]();
  let sourceError: { error: unknown } | undefined;
  let wroteBatch = false;

  // parquet-wasm finishes the file normally when its input stream errors: so the source's error is kept
  // aside, the stream closed, and the (valid-looking but incomplete) file deleted below.
  const input = new ReadableStream({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          if (!wroteBatch) for (const b of toWasm(wasm, emptyBatch(schema))) controller.enqueue(b);
          controller.close();
          return;
        }
        for (let start = 0; start < next.value.numRows; start += transferRows) {
          const piece = next.value.slice(start, Math.min(next.value.numRows, start + transferRows));
          for (const b of toWasm(wasm, piece)) controller.enqueue(b);
          wroteBatch = true;
        }
      } catch (error) {
        sourceError = { error };
        if (!wroteBatch) for (const b of toWasm(wasm, emptyBatch(schema))) controller.enqueue(b);
        controller.close();
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });

  try {
    const output = await wasm.transformParquetStream(input, writerProperties(wasm, options));
    await drainTo(output, partial);
    if (sourceError) throw sourceError.error;
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw sourceError ? sourceError.error : error;
  }
}

/**
 * Writes every chunk of the encoded stream as soon as it appears. The encoder does not wait for its reader:
 * with `pipeTo` a file stream's asynchronous writes fell behind and the queued output grew with the file
 * (≈ 60 MB per million rows); synchronous writes keep the queue empty.
 */
async function drainTo(output: ReadableStream<Uint8Array>, path: string): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    const reader = output.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let at = 0; at < value.length; ) at += writeSync(fd, value, at, value.length - at);
    }
  } finally {
    closeSync(fd);
  }
}

/** A whole small table as Parquet bytes in memory (fixtures and synthetic source files). */
export function encodeParquet(
  table: arrow.Table,
  options: { compression: 'snappy' | 'zstd' | 'none'; rowGroupRows?: number },
): Uint8Array {
  const wasm = parquetWasm();
  const codec = { snappy: wasm.Compression.SNAPPY, zstd: wasm.Compression.ZSTD, none: wasm.Compression.UNCOMPRESSED };
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
