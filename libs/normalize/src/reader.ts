// Reads a Parquet file (a local file, or any RandomAccessInput) one column chunk at a time: our own footer parsing says where each chunk is, we
// read just those bytes and decode them with parquet-wasm's synchronous decoder, then move them to Arrow JS.
// Why not ParquetFile.stream(): its async decoder turns a decoding error into a wasm panic thrown from a
// microtask, which no caller can catch, and the awaited promise never settles (measured with parquet-wasm
// 0.8.0 on corrupted pages). The synchronous path returns the error, and a panic there is catchable.
import * as arrow from 'apache-arrow';
import { PermanentError, PipelineError } from '@sluice/contracts';
import { discardParquetWasm, isWasmTrap, parquetWasm } from './engine/parquet-wasm';
import {
  type ColumnChunk,
  type ParquetFooter,
  type RowGroupLayout,
  columnChunkFile,
  parseFooter,
  schemaOnlyFile,
} from './parquet/footer';
import { indexColumnPages } from './parquet/pages';
import { CorruptParquetError, DEFAULT_DECODE_LIMITS, DecodeBudget, type DecodeLimits } from './parquet/limits';
import { HEAD_BYTES, locateFooter } from './source-envelope';
import { openColumnCursor } from './parquet/column-cursor';
import { WholePageBudget } from './parquet/codecs';
import { type RandomAccessInput, openLocalInput } from './io/random-access-input';

export interface OpenColumnOptions {
  /**
   * The Data a read returns may be overwritten by the column's next read (the streamed decoder then decodes every
   * window into the same buffers). For a reader that is done with a window before it asks for the next.
   */
  reuseBuffers?: boolean;
}

/** One column of one row group, read from first row to last, any number of rows at a time. */
export interface ColumnRows {
  /** The next `rows` rows; throws PermanentError `corrupt` if they cannot be decoded. */
  read(rows: number): Promise<arrow.Data>;
  /** 'stream': decoded page by page in bounded memory; 'whole': the chunk decoded at once by parquet-wasm. */
  readonly mode: 'stream' | 'whole';
}

export class ParquetSource {
  private constructor(
    private readonly input: RandomAccessInput,
    /** Whether close() closes the input (it does when the source opened it from a path). */
    private readonly ownsInput: boolean,
    readonly path: string,
    readonly sizeBytes: number,
    readonly footer: ParquetFooter,
    /** The file's Arrow schema (with the writer's embedded Arrow schema applied, if any). */
    readonly schema: arrow.Schema,
    /** What the file's decoding may hold at a time (DECODE_MEMORY_BUDGET). */
    private readonly budget: DecodeBudget,
    /** Pages decompressed whole that this file's column cursors may hold at once; bigger totals stream. */
    private readonly wholePages: WholePageBudget,
  ) {}

  /**
   * Opens and checks a Parquet file: a local path (opened and closed by the source) or an input the caller
   * owns. Throws PermanentError `empty`, `not_parquet`, `truncated` or `corrupt`.
   */
  static async open(from: string | RandomAccessInput, limits: Partial<DecodeLimits> = {}): Promise<ParquetSource> {
    const bounds = { ...DEFAULT_DECODE_LIMITS, ...limits };
    const ownsInput = typeof from === 'string';
    const input = typeof from === 'string' ? openLocalInput(from) : from;
    try {
      const size = input.size;
      const head = readAt(input, 0, Math.min(size, HEAD_BYTES));
      const tail = readAt(input, Math.max(0, size - 8), Math.min(size, 8));
      const location = locateFooter(size, head, tail);
      const footerBytes = readAt(input, location.start, location.length);
      const footer = decodeFooter(footerBytes, location.start, bounds);
      const schema = withDecoder(`the schema of ${input.name}`, () => {
        const wasmSchema = parquetWasm().readSchema(schemaOnlyFile(footer));
        return arrow.tableFromIPC(wasmSchema.intoIPCStream()).schema;
      });
      return new ParquetSource(input, ownsInput, input.name, size, footer, schema, new DecodeBudget(bounds.decodeMemoryBudget), new WholePageBudget(bounds.wholePagesPerFileBytes));
    } catch (error) {
      if (ownsInput) await input.close();
      throw error;
    }
  }

  get numRows(): number {
    return this.rowGroups.reduce((n, rg) => n + rg.numRows, 0);
  }

  get rowGroups(): readonly RowGroupLayout[] {
    return this.footer.rowGroups;
  }

  /** Decodes one column of one row group; throws PermanentError `corrupt` if it cannot be decoded. */
  async readColumn(rowGroup: number, name: string): Promise<arrow.Data> {
    const column = this.footer.columns.find((c) => c.name === name);
    if (!column) throw new Error(`no column '${name}' in ${this.path}`);
    const layout = this.footer.rowGroups[rowGroup];
    const what = `column '${name}' of row group ${rowGroup}`;
    const chunks: Uint8Array[] = [];
    for (const leaf of column.leaves) {
      const chunk = layout.chunks[leaf];
      const bytes = readAt(this.input, chunk.start, chunk.length);
      // the fallback decoder trusts the page headers: they must add up to the chunk before it sees them
      await checkPages(bytes, chunk, what);
      chunks.push(bytes);
    }
    const data = withDecoder(what, () => {
      const file = columnChunkFile(this.footer, rowGroup, column, chunks);
      const table = parquetWasm().readParquet(file, { batchSize: Math.max(1, layout.numRows) });
      return arrow.tableFromIPC(table.intoIPCStream()).getChildAt(0)?.data ?? [];
    });
    if (data.length !== 1 || data[0].length !== layout.numRows) {
      const rows = data.reduce((n, d) => n + d.length, 0);
      throw new PermanentError('corrupt', `${what} decoded to ${rows} rows, the footer says ${layout.numRows}`);
    }
    return withFileType(data[0], this.schema.fields.find((f) => f.name === name)?.type);
  }

  /**
   * Opens one column of one row group for reading in slices. Flat columns of the usual types, uncompressed or
   * in snappy, zstd, gzip or brotli, are decoded page by page (parquet/column-cursor.ts), in bounded memory;
   * others (LZ4, LZO, booleans, nested, v2 pages) fall back to parquet-wasm, which decodes the whole column
   * chunk on the first read (memory: that one chunk).
   */
  openColumn(rowGroup: number, name: string, options: OpenColumnOptions = {}): ColumnRows {
    const column = this.footer.columns.find((c) => c.name === name);
    const field = this.schema.fields.find((f) => f.name === name);
    if (!column || !field) throw new Error(`no column '${name}' in ${this.path}`);
    const what = `column '${name}' of row group ${rowGroup}`;
    const cursor = withDecoder(what, () =>
      openColumnCursor(this.input, this.footer, rowGroup, column, field.type, this.budget, this.wholePages, options.reuseBuffers),
    );
    if (cursor) {
      return {
        mode: 'stream',
        read: async (rows) => {
          try {
            return cursor.read(rows);
          } catch (error) {
            if (error instanceof PipelineError) throw error;
            throw new PermanentError('corrupt', `cannot decode ${what}: ${describe(error)}`, { cause: error });
          }
        },
      };
    }
    let whole: arrow.Data | undefined;
    let release: (() => void) | undefined;
    let done = 0;
    return {
      mode: 'whole',
      read: async (rows) => {
        if (!whole) {
          release = withDecoder(what, () => this.budget.reserve(this.wholeColumnBytes(rowGroup, column.leaves), `${what}, decoded whole`));
          whole = await this.readColumn(rowGroup, name);
        }
        const slice = whole.slice(done, rows);
        done += rows;
        if (done >= whole.length) {
          whole = undefined;
          release?.();
        }
        return slice;
      },
    };
  }

  /**
   * What decoding a column chunk whole holds: its compressed bytes, its decoded pages, and the Arrow output
   * (at least 8 bytes a value for the numbers and dictionary codes of our datasets).
   */
  private wholeColumnBytes(rowGroup: number, leaves: readonly number[]): number {
    return leaves.reduce((n, leaf) => {
      const chunk = this.footer.rowGroups[rowGroup].chunks[leaf];
      return n + chunk.totalCompressedSize + chunk.totalUncompressedSize + chunk.numValues * 8;
    }, 0);
  }

  async close(): Promise<void> {
    if (this.ownsInput) await this.input.close();
  }
}

/**
 * Parquet has no seconds unit: arrow-rs stores a Timestamp(s) column as a bare INT64 and restores the unit from
 * the file's embedded Arrow schema. The one-column file decoded above has no such schema, so the column comes
 * back as Int64: it gets the file's timestamp type back (same values, same validity).
 */
function withFileType(data: arrow.Data, fileType: arrow.DataType | undefined): arrow.Data {
  if (!fileType || !arrow.DataType.isTimestamp(fileType) || !arrow.DataType.isInt(data.type) || data.type.bitWidth !== 64) {
    return data;
  }
  return data.clone(fileType);
}

/** Row groups and size of a written Parquet file, from its footer. */
export async function inspectParquetFile(path: string): Promise<{ sizeBytes: number; rowGroupRows: number[] }> {
  const source = await ParquetSource.open(path);
  try {
    return { sizeBytes: source.sizeBytes, rowGroupRows: source.rowGroups.map((rg) => rg.numRows) };
  } finally {
    await source.close();
  }
}

/** Any failure to parse the footer is the file's fault: the bytes are untrusted, the parser's limits are ours. */
function decodeFooter(bytes: Uint8Array, dataEnd: number, limits: DecodeLimits): ParquetFooter {
  try {
    return parseFooter(bytes, dataEnd, limits);
  } catch (error) {
    throw new PermanentError('corrupt', `corrupt Parquet footer: ${describe(error)}`, { cause: error });
  }
}

/**
 * The page headers of a column chunk held in memory add up: their values to the chunk's num_values, and no page
 * claims more decoded bytes than the whole chunk.
 */
async function checkPages(bytes: Uint8Array, chunk: ColumnChunk, what: string): Promise<void> {
  if (chunk.length === 0) return;
  const pages = await withDecoderAsync(what, () =>
    indexColumnPages(async (position, length) => bytes.subarray(position, position + length), { start: 0, length: bytes.length }, undefined),
  );
  const values = pages.pages.reduce((n, p) => n + p.values, 0);
  if (values !== chunk.numValues) {
    throw new PermanentError(
      'corrupt',
      `cannot decode ${what}: row_count_mismatch: its pages hold ${values} values, the column chunk claims ${chunk.numValues}`,
    );
  }
  const largest = Math.max(0, ...pages.pages.map((p) => p.uncompressedSize));
  if (largest > chunk.totalUncompressedSize) {
    throw new PermanentError(
      'corrupt',
      `cannot decode ${what}: page_too_large: a page claims ${largest} bytes uncompressed, the whole column chunk ${chunk.totalUncompressedSize}`,
    );
  }
}

/**
 * What a decoding failure says. A RangeError (an allocation the file asked for, or the stack overflowing on its
 * nesting) is the file's fault like any other: without this it had no code and was retried as transient.
 */
function describe(error: unknown): string {
  if (error instanceof CorruptParquetError) return error.message;
  if (error instanceof RangeError) return `decoder_overflow: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function withDecoderAsync<T>(what: string, decode: () => Promise<T>): Promise<T> {
  try {
    return await decode();
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PermanentError('corrupt', `cannot decode ${what}: ${describe(error)}`, { cause: error });
  }
}

/**
 * Runs a parquet-wasm decode. Its errors mean the bytes are bad (`corrupt`); a wasm trap (a Rust panic or
 * running out of wasm memory) may leave the instance broken, so it is discarded before reporting.
 */
function withDecoder<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    if (isWasmTrap(error)) {
      discardParquetWasm();
      throw new PermanentError(
        'corrupt',
        `the Parquet decoder crashed on ${what} (${error.message}): the data is corrupt, or too large to decode`,
        { cause: error },
      );
    }
    throw new PermanentError('corrupt', `cannot decode ${what}: ${describe(error)}`, { cause: error });
  }
}

function readAt(input: RandomAccessInput, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const bytesRead = input.readSync(buffer, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new PermanentError('truncated', `the file ended at byte ${position + done}, ${length - done} bytes early`);
    }
    done += bytesRead;
  }
  return buffer;
}
