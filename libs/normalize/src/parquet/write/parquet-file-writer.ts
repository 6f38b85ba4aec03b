// A Parquet file as a sequence of byte pieces: the magic and each row group's column chunks as they are
// flushed, then the page indexes and the footer. Rows go into the open row group column by column as they arrive; the caller flushes
// it when it holds `rowGroupRows` rows (or at the end), and writes the pieces wherever it likes (see writer.ts).
import type * as arrow from 'apache-arrow';
import { ARROW_SCHEMA_KEY, PARQUET_MAGIC } from '../format';
import { arrowSchemaMetadata } from './arrow-schema-metadata';
import { ColumnChunkWriter } from './column-chunk-writer';
import { type ColumnChunkMeta, type RowGroupMeta, encodeFileMetaData } from './file-metadata';
import { type PageIndexEntry, encodeColumnIndex, encodeOffsetIndex } from './page-index';
import type { PageCompressor } from './page-compressor';
import { type ColumnDescriptor, describeColumns } from './parquet-schema';

export interface ParquetFileWriterOptions {
  rowGroupRows: number;
  /** Target size of a data page's encoded values, before compression. */
  pageBytes: number;
  compressor: PageCompressor;
  /** Distinct values of a number column's dictionary page, in bytes, before its chunk falls back to PLAIN. */
  dictionaryPageBytes?: number;
  keyValueMetadata?: Record<string, string>;
}

const CREATED_BY = 'sluice parquet writer version 1.0.0';
const PARQUET_MAGIC_BYTES = new Uint8Array(Buffer.from(PARQUET_MAGIC, 'latin1'));

export class ParquetFileWriter {
  private readonly columns: readonly ColumnDescriptor[];
  private readonly writers: ColumnChunkWriter[];
  private readonly rowGroups: RowGroupMeta[] = [];
  /** Each written chunk's data pages, until the page indexes are written at the end (a few dozen bytes a page). */
  private readonly pageIndexes: { chunk: ColumnChunkMeta; pages: PageIndexEntry[] }[] = [];
  /** Bytes handed out so far: the file offset of the next piece. */
  private offset = 0;
  private numRows = 0;
  private openRows = 0;

  constructor(
    private readonly schema: arrow.Schema,
    private readonly options: ParquetFileWriterOptions,
  ) {
    if (!Number.isSafeInteger(options.rowGroupRows) || options.rowGroupRows < 1) {
      throw new RangeError(`rowGroupRows must be a positive integer, got ${options.rowGroupRows}`);
    }
    this.columns = describeColumns(schema);
    this.writers = this.columns.map((c) => new ColumnChunkWriter(c, options.compressor, options.pageBytes, options.dictionaryPageBytes));
  }

  /** The file's magic, before the first row group or the footer. */
  private header(pieces: Uint8Array[]): void {
    if (this.offset > 0) return;
    pieces.push(PARQUET_MAGIC_BYTES);
    this.offset = PARQUET_MAGIC_BYTES.length;
  }

  /** Rows in the open row group. */
  get rowsInGroup(): number {
    return this.openRows;
  }

  get rowGroupFull(): boolean {
    return this.openRows >= this.options.rowGroupRows;
  }

  /** Appends rows of `batch` from row `start`, as many as the open row group takes; returns how many. */
  append(batch: arrow.RecordBatch, start: number): number {
    const count = Math.min(batch.numRows - start, this.options.rowGroupRows - this.openRows);
    const children = batch.data.children;
    if (children.length !== this.writers.length) {
      throw new Error(`a batch of ${children.length} columns for a schema of ${this.writers.length}`);
    }
    for (let i = 0; i < this.writers.length; i++) this.writers[i].append(children[i], start, count);
    this.openRows += count;
    return count;
  }

  /** Ends the open row group: its column chunks' pages, in file order. */
  flushRowGroup(): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    this.header(pieces);
    const rowGroup: RowGroupMeta = { numRows: this.openRows, fileOffset: this.offset, columns: [] };
    for (const writer of this.writers) {
      const { pages, pageIndex, ...encoded } = writer.finishChunk();
      const chunk: ColumnChunkMeta = { ...encoded, fileOffset: this.offset };
      rowGroup.columns.push(chunk);
      this.pageIndexes.push({ chunk, pages: pageIndex });
      pieces.push(...pages);
      this.offset += chunk.compressedBytes;
    }
    this.rowGroups.push(rowGroup);
    this.numRows += this.openRows;
    this.openRows = 0;
    return pieces;
  }

  /** The page indexes, the footer and the closing magic (a row group still open must be flushed first). */
  finish(): Uint8Array[] {
    if (this.openRows > 0) throw new Error('finish() with a row group still open');
    const pieces: Uint8Array[] = [];
    this.header(pieces);
    const place = (bytes: Uint8Array) => {
      pieces.push(bytes);
      const range = { offset: this.offset, length: bytes.length };
      this.offset += bytes.length;
      return range;
    };
    // arrow-rs's layout: every column index, then every offset index
    for (const { chunk, pages } of this.pageIndexes) {
      const columnIndex = encodeColumnIndex(pages);
      if (columnIndex) chunk.columnIndex = place(columnIndex);
    }
    for (const { chunk, pages } of this.pageIndexes) {
      chunk.offsetIndex = place(encodeOffsetIndex(pages, chunk.fileOffset + chunk.dictionaryPageBytes));
    }
    const keyValues = Object.entries(this.options.keyValueMetadata ?? {}).filter(([key]) => key !== ARROW_SCHEMA_KEY);
    keyValues.push([ARROW_SCHEMA_KEY, arrowSchemaMetadata(this.schema)]);
    const footer = encodeFileMetaData({
      columns: this.columns,
      codec: this.options.compressor.codec,
      numRows: this.numRows,
      rowGroups: this.rowGroups,
      keyValueMetadata: keyValues,
      createdBy: CREATED_BY,
    });
    const out = new Uint8Array(footer.length + 8);
    out.set(footer);
    new DataView(out.buffer).setUint32(footer.length, footer.length, true);
    out.set(PARQUET_MAGIC_BYTES, footer.length + 4);
    this.offset += out.length;
    pieces.push(out);
    return pieces;
  }
}
