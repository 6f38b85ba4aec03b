// One column of the open row group: Arrow rows in, compressed pages out as they fill (about `pageBytes` of
// encoded values each), so a row group's column is held encoded and compressed, never as raw Arrow data.
// Encodings: strings, int32 and float32 through a dictionary (numbers fall back to PLAIN past
// `dictionaryPageBytes` of distinct values), timestamps and booleans PLAIN.
// v1 data pages: [definition levels: 4-byte length + RLE] [values], then compressed whole.
import type * as arrow from 'apache-arrow';
import { Encoding } from '../format';
import { ByteBuffer } from './byte-buffer';
import { DefinitionLevels } from './definition-levels';
import { DictionaryStringEncoder } from './dictionary-encoder';
import { dataPageHeader, dictionaryPageHeader } from './page-header';
import type { PageCompressor } from './page-compressor';
import type { PageIndexEntry } from './page-index';
import type { ColumnDescriptor } from './parquet-schema';
import { DICTIONARY_PAGE_BYTES, DictionaryNumberEncoder } from './number-dictionary-encoder';
import { BooleanPlainEncoder, Int64PlainEncoder } from './plain-encoders';
import type { ColumnStatistics } from './statistics';
import type { ValueEncoder } from './value-encoder';

export interface EncodedColumnChunk {
  /** Each page as two pieces, its header then its compressed bytes; the dictionary page first. */
  pages: Uint8Array[];
  /** Bytes of `pages` (headers included), and what they would be uncompressed. */
  compressedBytes: number;
  uncompressedBytes: number;
  /** Bytes of the dictionary page at the chunk's start (0: none): the first data page follows it. */
  dictionaryPageBytes: number;
  /** Rows, nulls included. */
  numValues: number;
  statistics: ColumnStatistics;
  encodings: number[];
  /** The data pages, for the page index. */
  pageIndex: PageIndexEntry[];
}

/** Rows appended at a time: a page ends within this many rows of reaching its size. */
const APPEND_SLICE_ROWS = 8192;
/**
 * Rows a page holds at most, whatever its size: dictionary indices are buffered as int32 until their page ends
 * (its bit width is known only then), and a 1 MiB page of 5-bit indices would be a whole 1M-row row group.
 */
export const MAX_PAGE_ROWS = 1 << 17;

export class ColumnChunkWriter {
  private readonly values: ValueEncoder;
  private readonly levels: DefinitionLevels | undefined;
  /** The chunk's bytes so far, in pieces (each page: its header, then its compressed bytes). */
  private pages: Uint8Array[] = [];
  private readonly body = new ByteBuffer(1 << 16);
  private pageIndex: PageIndexEntry[] = [];
  /** Bytes of the data pages so far (the next one's offset from the first). */
  private dataPageBytes = 0;
  private pageRows = 0;
  private pageNulls = 0;
  private chunkRows = 0;
  private chunkNulls = 0;
  private compressedBytes = 0;
  private uncompressedBytes = 0;

  constructor(
    readonly column: ColumnDescriptor,
    private readonly compressor: PageCompressor,
    private readonly pageBytes: number,
    dictionaryPageBytes = DICTIONARY_PAGE_BYTES,
  ) {
    this.values = valueEncoderFor(column, dictionaryPageBytes, pageBytes);
    this.levels = column.optional ? new DefinitionLevels() : undefined;
  }

  /** Appends rows [start, start + count) of `data` (this column's Arrow data in a batch). */
  append(data: arrow.Data, start: number, count: number): void {
    if (!this.levels && data.nullCount > 0) {
      throw new Error(`column '${this.column.name}' is not nullable, but a batch has ${data.nullCount} nulls in it`);
    }
    for (let at = start; at < start + count; ) {
      const n = Math.min(APPEND_SLICE_ROWS, start + count - at, MAX_PAGE_ROWS - this.pageRows);
      if (this.levels) this.pageNulls += this.levels.append(data, at, n);
      this.values.append(data, at, n);
      this.pageRows += n;
      at += n;
      if (this.pageRows >= MAX_PAGE_ROWS || this.values.pageBytes() >= this.pageBytes || this.values.pageMustEnd?.()) {
        this.closePage();
      }
    }
  }

  /** Ends the column chunk: its pages and metadata; the writer then starts the next row group's chunk. */
  finishChunk(): EncodedColumnChunk {
    if (this.pageRows > 0) this.closePage();
    const { range, dictionary } = this.values.takeChunk();
    let dictionaryPageBytes = 0;
    if (dictionary) {
      dictionaryPageBytes = this.page(dictionary.values, (sizes) => dictionaryPageHeader({ ...sizes, numValues: dictionary.count }), 'prepend');
    }
    const chunk: EncodedColumnChunk = {
      pages: this.pages,
      compressedBytes: this.compressedBytes,
      uncompressedBytes: this.uncompressedBytes,
      dictionaryPageBytes,
      numValues: this.chunkRows,
      statistics: { nullCount: this.chunkNulls, ...range },
      // RLE: the definition levels (listed by arrow-rs for every column, optional or not)
      encodings: dictionary ? [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY] : [Encoding.PLAIN, Encoding.RLE],
      pageIndex: this.pageIndex,
    };
    this.pages = [];
    this.pageIndex = [];
    this.dataPageBytes = 0;
    this.chunkRows = 0;
    this.chunkNulls = 0;
    this.compressedBytes = 0;
    this.uncompressedBytes = 0;
    return chunk;
  }

  private closePage(): void {
    const levels = this.levels?.finish();
    const encoding = this.values.encoding; // before takePage: a dictionary encoder may switch to PLAIN after it
    const { values, range } = this.values.takePage();
    // the page's bytes are assembled in one buffer kept from page to page: compression copies them out
    const body = this.body;
    body.reset();
    if (levels) {
      body.uint32le(levels.length);
      body.append(levels);
    }
    body.append(values);
    const numValues = this.pageRows;
    const statistics = { nullCount: this.pageNulls, ...range };
    const pageBytes = this.page(body.view(), (sizes) => dataPageHeader({ ...sizes, numValues, encoding, statistics }), 'append');
    this.pageIndex.push({ offset: this.dataPageBytes, bytes: pageBytes, firstRow: this.chunkRows, rows: numValues, nullCount: this.pageNulls, range });
    this.dataPageBytes += pageBytes;
    this.chunkRows += this.pageRows;
    this.chunkNulls += this.pageNulls;
    this.pageRows = 0;
    this.pageNulls = 0;
    this.levels?.reset();
  }

  /**
   * Compresses `body` and adds the page to the chunk's pieces (its header, then its bytes: two pieces, not joined),
   * at the end or at the front; returns the page's bytes.
   */
  private page(
    body: Uint8Array,
    header: (sizes: { uncompressedBytes: number; compressedBytes: number }) => Uint8Array,
    where: 'append' | 'prepend',
  ): number {
    const compressed = this.compressor.compress(body);
    // an uncompressed page is the body itself, which the next page overwrites
    const stored = compressed.buffer === body.buffer ? compressed.slice() : compressed;
    const head = header({ uncompressedBytes: body.length, compressedBytes: stored.length });
    if (where === 'append') this.pages.push(head, stored);
    else this.pages.unshift(head, stored);
    this.compressedBytes += head.length + stored.length;
    this.uncompressedBytes += head.length + body.length;
    return head.length + stored.length;
  }
}

function valueEncoderFor(column: ColumnDescriptor, dictionaryPageBytes: number, pageBytes: number): ValueEncoder {
  // the most a page's PLAIN values take before it ends: no buffer grows past it
  const plainBytes = (width: number) => Math.min(pageBytes, MAX_PAGE_ROWS * width) + APPEND_SLICE_ROWS * width;
  switch (column.kind) {
    case 'int32':
    case 'float32':
      return new DictionaryNumberEncoder(column.kind, dictionaryPageBytes, plainBytes(4));
    case 'timestamp_us':
      return new Int64PlainEncoder(plainBytes(8));
    case 'boolean':
      return new BooleanPlainEncoder(plainBytes(1 / 8));
    case 'dictionary_utf8':
      return new DictionaryStringEncoder();
  }
}
