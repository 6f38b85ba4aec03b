// Decodes one flat column chunk a few rows at a time, in JavaScript, straight from the file: page headers,
// decompression (codecs/: snappy, zstd, gzip, brotli or none), definition levels, PLAIN and dictionary-encoded INT32/INT64/FLOAT/DOUBLE and
// BYTE_ARRAY values. Its memory is the rows asked for plus a slice of the file and either one page decompressed
// whole (up to 8 MiB) or, for a bigger page, the codec's history (64 KiB for snappy, the frame's window for zstd,
// 32 KiB for gzip), whatever the size of the row group or of a page: this is what bounds memory on a one-row-group
// file whose pages hold millions of rows (DuckDB writes one page per column chunk). Anything else (other codecs,
// v2 pages, nested columns, booleans) is left to the wasm decoder: `openColumnCursor` returns undefined.
// Every size a page header declares is checked against its column chunk before anything is allocated for it
// (limits.ts): values against the chunk's num_values, levels and dictionaries against the page's bytes, and what a
// page holds (dictionary, levels, a streamed zstd window) is reserved from the file's decode memory budget.
import * as arrow from 'apache-arrow';
import { BitmapBuilder } from '../columns/bitmap';
import { withDictionaryCodes } from '../columns/dictionary-codes';
import { int32Words } from '../columns/int32-words';
import type { RandomAccessInput } from '../io/random-access-input';
import { FileRegion, MemoryBuffer, type PullBuffer } from './byte-streams';
import { type PageBytes, WHOLE_PAGE_BYTES, type WholePageBudget, decodesCodec, openPage } from './codecs';
import { zstdWindowBytes } from './codecs/zstd-frame';
import type { ColumnChunk, ParquetFooter, TopLevelColumn } from './footer';
import { Codec, Encoding, PageType, PhysicalType, Repetition, plainValueBytes } from './format';
import { CorruptParquetError, type DecodeBudget } from './limits';
import { type PageHeaderInfo, parsePageHeader } from './pages';
import { RleHybridDecoder } from './rle';
import { ThriftDecodeError } from './thrift-compact';

export class ColumnDecodeError extends Error {}

type Physical = typeof PhysicalType.INT32 | typeof PhysicalType.INT64 | typeof PhysicalType.FLOAT | typeof PhysicalType.DOUBLE | typeof PhysicalType.BYTE_ARRAY;
type NumberArray = Int32Array | Float32Array | Float64Array | BigInt64Array;

/** Value encodings this decoder reads, plus the level encodings (RLE, BIT_PACKED) a chunk may list. */
const HANDLED_ENCODINGS = new Set<number>([
  Encoding.PLAIN,
  Encoding.PLAIN_DICTIONARY,
  Encoding.RLE,
  Encoding.BIT_PACKED,
  Encoding.RLE_DICTIONARY,
]);
/** A page header is small; a larger one is garbage, not a reason to read the whole chunk looking for its end. */
const MAX_PAGE_HEADER_BYTES = 16 * 2 ** 20;
/** Definition levels of width 1 take at most 2 bytes a value (an RLE run of one); more cannot be levels. */
const MAX_LEVEL_BYTES_PER_VALUE = 2;
/** What one distinct string costs beyond its bytes: the JS string, its Map entry and its code. */
const STRING_OVERHEAD_BYTES = 64;

interface PageState {
  stream: PageBytes;
  rowsLeft: number;
  defs: RleHybridDecoder | undefined;
  indices: RleHybridDecoder | undefined;
  /** Absolute offset of the next page. */
  next: number;
  /** Gives back the page's reservations (definition levels, zstd window). */
  release: () => void;
}

/**
 * The present values of a page's stretch (dense, in order) spread to their rows: out's value done + i takes the
 * next dense value where levels[i] is 1, and `nullWord` in each of its words where it is 0. Values are moved as
 * 32-bit words (`width` of them each), so one loop serves every type with no BigInt per value.
 */
function scatter(out: Int32Array, dense: Int32Array, levels: Uint8Array, n: number, done: number, width: number, nullWord: number): void {
  let j = 0;
  if (width === 1) {
    for (let i = 0; i < n; i++) out[done + i] = levels[i] === 1 ? dense[j++] : nullWord;
    return;
  }
  for (let i = 0, o = done * 2; i < n; i++, o += 2) {
    if (levels[i] === 1) {
      out[o] = dense[j++];
      out[o + 1] = dense[j++];
    } else {
      out[o] = nullWord;
      out[o + 1] = nullWord;
    }
  }
}

/**
 * out's first n values become the dictionary's entries codes[0, n) name, moved as 32-bit words (`width` of them
 * each): one monomorphic loop for every type, no BigInt per value. A code past the dictionary (or past 2^31, read
 * with a 32-bit width) is corrupt.
 */
export function gather(out: Int32Array, dictionary: Int32Array, codes: Int32Array, n: number, width: number): void {
  const size = dictionary.length / width;
  if (width === 1) {
    for (let i = 0; i < n; i++) {
      const code = codes[i];
      if (code < 0 || code >= size) throw new ColumnDecodeError(`dictionary index ${code >>> 0} of ${size}`);
      out[i] = dictionary[code];
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const code = codes[i];
    if (code < 0 || code >= size) throw new ColumnDecodeError(`dictionary index ${code >>> 0} of ${size}`);
    out[2 * i] = dictionary[2 * code];
    out[2 * i + 1] = dictionary[2 * code + 1];
  }
}

/**
 * gather for doubles, a value a load: a NaN's payload may not survive (the values become float32 or numbers, where
 * it does not count), which is why int64 values, whose every bit pattern counts, go through `gather` as words.
 */
export function gatherDoubles(out: Float64Array, dictionary: Float64Array, codes: Int32Array, n: number): void {
  const size = dictionary.length;
  for (let i = 0; i < n; i++) {
    const code = codes[i];
    if (code < 0 || code >= size) throw new ColumnDecodeError(`dictionary index ${code >>> 0} of ${size}`);
    out[i] = dictionary[code];
  }
}

/** A cursor over one column chunk, or undefined when this decoder does not handle it. */
export function openColumnCursor(
  input: RandomAccessInput,
  footer: ParquetFooter,
  rowGroup: number,
  column: TopLevelColumn,
  type: arrow.DataType,
  budget: DecodeBudget,
  /** The file's budget of pages decompressed whole (shared by its cursors); none: no limit but WHOLE_PAGE_BYTES. */
  wholePages?: WholePageBudget,
  /** Each read returns Data over the cursor's own buffers, overwritten by the next read (see ColumnCursor.read). */
  reuseBuffers = false,
): ColumnCursor | undefined {
  if (column.nested || column.leaves.length !== 1) return undefined;
  const leaf = footer.leaves[column.leaves[0]];
  if (leaf.repetition !== Repetition.REQUIRED && leaf.repetition !== Repetition.OPTIONAL) return undefined;
  const chunk = footer.rowGroups[rowGroup].chunks[column.leaves[0]];
  if (!decodesCodec(chunk.codec)) return undefined;
  if (!outputFits(chunk.physicalType, type)) return undefined;
  if (chunk.encodings.some((e) => !HANDLED_ENCODINGS.has(e))) return undefined;
  return new ColumnCursor(input, chunk, rowGroup, leaf.repetition === Repetition.OPTIONAL, type, budget, wholePages, reuseBuffers);
}

function outputFits(physical: number, type: arrow.DataType): boolean {
  switch (physical) {
    case PhysicalType.INT64:
      return (arrow.DataType.isInt(type) && type.bitWidth === 64) || arrow.DataType.isTimestamp(type);
    case PhysicalType.INT32:
      return arrow.DataType.isInt(type) && type.bitWidth === 32 && type.isSigned;
    case PhysicalType.FLOAT:
      return arrow.DataType.isFloat(type) && type.precision === arrow.Precision.SINGLE;
    case PhysicalType.DOUBLE:
      return arrow.DataType.isFloat(type) && type.precision === arrow.Precision.DOUBLE;
    case PhysicalType.BYTE_ARRAY:
      return arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type) || arrow.DataType.isDictionary(type);
    default:
      return false;
  }
}

export class ColumnCursor {
  private readonly region: FileRegion;
  private page: PageState | undefined;
  /** Dictionary page values: numbers, or string codes into `strings`. */
  private dictionary: NumberArray | Int32Array | undefined;
  /** BYTE_ARRAY columns: every distinct string seen, by code. */
  private readonly strings: string[] = [];
  private readonly stringCodes = new Map<string, number>();
  private readonly decoder = new TextDecoder();
  /** Scratch for a page's dictionary indices, kept between reads. */
  private codes = new Int32Array(0);
  /** Scratch for a read's definition levels. */
  private levels = new Uint8Array(0);
  /** Scratch for the values present in a read that has nulls. */
  private dense: NumberArray | undefined;
  /** With reuseBuffers: the values and validity every read returns. */
  private out: NumberArray | undefined;
  private validityOut = new Uint8Array(0);
  /** With reuseBuffers, for number columns: each row's dictionary index, when the read's rows all had one. */
  private codesOut: Int32Array | undefined;
  private dictionaryVector: arrow.Vector<arrow.Utf8> | undefined;
  private dictionaryVectorSize = -1;
  private readonly physical: Physical;
  /** Values the chunk's pages have declared so far: never more than the chunk's num_values. */
  private valuesDeclared = 0;
  private valuesRead = 0;
  private releaseDictionary: (() => void) | undefined;
  private readonly what: string;

  constructor(
    input: RandomAccessInput,
    private readonly chunk: ColumnChunk,
    rowGroup: number,
    private readonly optional: boolean,
    private readonly type: arrow.DataType,
    private readonly budget: DecodeBudget,
    private readonly wholePages?: WholePageBudget,
    private readonly reuseBuffers = false,
  ) {
    this.physical = chunk.physicalType as Physical;
    this.region = new FileRegion(input, chunk.start, chunk.start + chunk.length);
    this.what = `column '${chunk.name}' of row group ${rowGroup}`;
  }

  /**
   * The next `rows` rows as Arrow data of the column's type (strings as Dictionary<Utf8, Int32>). With
   * `reuseBuffers`, the values and validity are the cursor's own buffers, overwritten by the next read: a window of
   * rows is decoded into the same memory each time (fewer, smaller allocations: garbage collection followed
   * the bytes allocated, not the bytes live).
   */
  read(rows: number): arrow.Data {
    const values = this.reuseBuffers ? this.outputValues(rows) : this.allocate(rows);
    const validity = new BitmapBuilder(rows, this.reuseBuffers ? this.validityBits(rows) : undefined);
    if (this.levels.length < rows) this.levels = new Uint8Array(rows);
    const levels = this.levels;
    // the rows' dictionary indices, while every stretch so far came from dictionary pages of one dictionary
    let codesOut = this.reuseBuffers && this.physical !== PhysicalType.BYTE_ARRAY && !arrow.DataType.isTimestamp(this.type) ? this.codesBuffer(rows) : undefined;
    let codedBy: NumberArray | Int32Array | undefined;
    let done = 0;
    while (done < rows) {
      const page = this.currentPage();
      const n = Math.min(page.rowsLeft, rows - done);
      let present = n;
      if (page.defs && !page.defs.skipRun(1, n)) {
        page.defs.read(levels, 0, n);
        present = 0;
        for (let i = 0; i < n; i++) present += levels[i];
      }
      let codes: Int32Array | undefined;
      if (present === n) {
        codes = this.readValues(page, values, done, n);
        validity.pushRun(true, n);
        if (codesOut && codes) codesOut.set(codes.subarray(0, n), done);
      } else {
        if (!this.dense || this.dense.length < present) this.dense = this.allocate(Math.max(present, 1024));
        const dense = this.dense;
        codes = this.readValues(page, dense, 0, present);
        validity.pushLevels(levels, n);
        // a null's slot: -1 for a string code, else zero (a reused buffer holds the last window's values)
        scatter(int32Words(values), int32Words(dense), levels, n, done, values.BYTES_PER_ELEMENT >> 2, this.physical === PhysicalType.BYTE_ARRAY ? -1 : 0);
        if (codesOut && codes) scatter(codesOut, codes, levels, n, done, 1, -1);
      }
      if (codesOut && present > 0) {
        if (!codes || (codedBy !== undefined && codedBy !== this.dictionary)) codesOut = undefined;
        else codedBy = this.dictionary;
      }
      done += n;
      page.rowsLeft -= n;
      this.valuesRead += n;
      if (page.rowsLeft === 0) {
        page.stream.finish();
        page.release();
        this.region.seek(page.next);
        this.page = undefined;
        if (this.valuesRead === this.chunk.numValues) this.finish();
      }
    }
    const data = this.toData(values, validity, rows);
    return codesOut && codedBy ? withDictionaryCodes(data, { codes: codesOut, dictionary: codedBy }) : data;
  }

  /** The reused codes output, `rows` long. */
  private codesBuffer(rows: number): Int32Array {
    if (!this.codesOut || this.codesOut.length < rows) this.codesOut = new Int32Array(rows);
    return this.codesOut.subarray(0, rows);
  }

  /** The reused output values, `rows` long. */
  private outputValues(rows: number): NumberArray {
    if (!this.out || this.out.length < rows) this.out = this.allocate(rows);
    return this.out.subarray(0, rows);
  }

  /** The reused validity bytes for `rows` rows, zeroed. */
  private validityBits(rows: number): Uint8Array {
    const bytes = (rows + 7) >> 3;
    if (this.validityOut.length < bytes) this.validityOut = new Uint8Array(bytes);
    else this.validityOut.fill(0, 0, bytes);
    return this.validityOut;
  }

  private allocate(n: number): NumberArray {
    switch (this.physical) {
      case PhysicalType.INT64:
        return new BigInt64Array(n);
      case PhysicalType.DOUBLE:
        return new Float64Array(n);
      case PhysicalType.FLOAT:
        return new Float32Array(n);
      default:
        return new Int32Array(n); // INT32 values, or string codes
    }
  }

  /** Reads n values into out at `at`; for a dictionary-encoded page, returns their indices (valid until the next read). */
  private readValues(page: PageState, out: NumberArray, at: number, n: number): Int32Array | undefined {
    if (n === 0) return undefined;
    if (page.indices) {
      if (this.codes.length < n) this.codes = new Int32Array(n);
      const codes = this.codes;
      page.indices.read(codes, 0, n);
      const dictionary = this.dictionary;
      if (!dictionary) throw new ColumnDecodeError('dictionary-encoded page without a dictionary page');
      if (out instanceof Float64Array) gatherDoubles(out.subarray(at), dictionary as Float64Array, codes, n);
      else gather(int32Words(out).subarray(at * (out.BYTES_PER_ELEMENT >> 2)), int32Words(dictionary), codes, n, out.BYTES_PER_ELEMENT >> 2);
      return codes;
    }
    if (this.physical === PhysicalType.BYTE_ARRAY) {
      const codes = out as Int32Array;
      for (let i = 0; i < n; i++) codes[at + i] = this.plainString(page.stream);
      return undefined;
    }
    const width = out.BYTES_PER_ELEMENT;
    page.stream.ensure(n * width);
    new Uint8Array(out.buffer, out.byteOffset + at * width, n * width).set(
      page.stream.buf.subarray(page.stream.pos, page.stream.pos + n * width),
    );
    page.stream.pos += n * width;
    return undefined;
  }

  private plainString(stream: PullBuffer): number {
    stream.ensure(4);
    const b = stream.buf;
    const length = (b[stream.pos] | (b[stream.pos + 1] << 8) | (b[stream.pos + 2] << 16) | (b[stream.pos + 3] << 24)) >>> 0;
    stream.pos += 4;
    stream.ensure(length);
    const text = this.decoder.decode(stream.buf.subarray(stream.pos, stream.pos + length));
    stream.pos += length;
    let code = this.stringCodes.get(text);
    if (code === undefined) {
      code = this.strings.push(text) - 1;
      this.stringCodes.set(text, code);
    }
    return code;
  }

  /**
   * The chunk's last declared row is read: its dictionary can go, and no data page may follow (pages holding
   * more rows than the row group claims would otherwise be dropped without a word).
   */
  private finish(): void {
    this.releaseDictionary?.();
    this.releaseDictionary = undefined;
    while (this.region.remaining > 0) {
      const header = this.header();
      if ((header.type === PageType.DATA_PAGE || header.type === PageType.DATA_PAGE_V2) && header.values > 0) {
        throw this.corrupt(
          'row_count_mismatch',
          `its pages hold more than the ${this.chunk.numValues} values the column chunk and the row group claim`,
        );
      }
      this.region.seek(Math.min(this.region.position + header.compressedSize, this.chunk.start + this.chunk.length));
    }
  }

  /** The reader's message names the column and row group already. */
  private corrupt(reason: ConstructorParameters<typeof CorruptParquetError>[0], detail: string): CorruptParquetError {
    return new CorruptParquetError(reason, detail);
  }

  private currentPage(): PageState {
    while (!this.page) {
      const start = this.region.position;
      const header = this.header();
      this.checkPage(header, start);
      const next = start + header.headerLength + header.compressedSize;
      if (header.type === PageType.DICTIONARY_PAGE) {
        this.readDictionary(header);
        this.region.seek(next);
      } else if (header.type === PageType.DATA_PAGE) {
        this.page = this.startDataPage(header, next);
      } else if (header.type === PageType.DATA_PAGE_V2) {
        throw new ColumnDecodeError('a v2 data page after v1 pages');
      } else {
        this.region.seek(next); // index pages: nothing to decode
      }
    }
    return this.page;
  }

  /** Sizes and counts a page header declares, against the chunk that holds it. */
  private checkPage(header: PageHeaderInfo, start: number): void {
    if (header.compressedSize > this.region.remaining) {
      throw this.corrupt(
        'page_invalid',
        `the page at byte ${start} claims ${header.compressedSize} compressed bytes, the column chunk has ${this.region.remaining} left`,
      );
    }
    if (header.uncompressedSize > this.chunk.totalUncompressedSize) {
      throw this.corrupt(
        'page_too_large',
        `the page at byte ${start} claims ${header.uncompressedSize} bytes uncompressed, the whole column chunk ${this.chunk.totalUncompressedSize}`,
      );
    }
    if (header.type !== PageType.DATA_PAGE && header.type !== PageType.DATA_PAGE_V2) return;
    const left = this.chunk.numValues - this.valuesDeclared;
    if (header.values > left) {
      throw this.corrupt(
        'row_count_mismatch',
        `the page at byte ${start} claims ${header.values} values, the column chunk (and the row group) ${left} more`,
      );
    }
    this.valuesDeclared += header.values;
  }

  private header(): PageHeaderInfo {
    for (let size = 256; ; size *= 4) {
      const want = Math.min(size, this.region.remaining, MAX_PAGE_HEADER_BYTES);
      if (want <= 0) {
        throw this.corrupt(
          'row_count_mismatch',
          `the column chunk ended after ${this.valuesDeclared} values, it claims ${this.chunk.numValues}`,
        );
      }
      this.region.ensure(want);
      try {
        const header = parsePageHeader(this.region.buf.subarray(this.region.pos, this.region.pos + want));
        this.region.pos += header.headerLength;
        return header;
      } catch (error) {
        const cutShort = error instanceof ThriftDecodeError && error.failure === 'truncated';
        if (!cutShort || want === this.region.remaining || want === MAX_PAGE_HEADER_BYTES) throw error;
      }
    }
  }

  /**
   * The page's decompressed bytes (codecs/: never more than its uncompressed_page_size). A zstd page too big to
   * be decompressed whole is streamed through a window the frame declares: that window is reserved first.
   */
  private pageStream(header: PageHeaderInfo): { stream: PageBytes; release: () => void } {
    let release = () => {};
    const streamed =
      header.compressedSize > WHOLE_PAGE_BYTES ||
      header.uncompressedSize > WHOLE_PAGE_BYTES ||
      !(this.wholePages?.fits(header.uncompressedSize) ?? true);
    if (this.chunk.codec === Codec.ZSTD && streamed) {
      const peek = Math.min(18, header.compressedSize);
      this.region.ensure(peek);
      const window = zstdWindowBytes(this.region.buf.subarray(this.region.pos, this.region.pos + peek));
      if (window !== undefined) release = this.budget.reserve(window, `the zstd window of ${this.what}`);
    }
    try {
      const limits = { budget: this.wholePages };
      return { stream: openPage(this.chunk.codec, this.region, header.compressedSize, header.uncompressedSize, limits), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  private startDataPage(header: PageHeaderInfo, next: number): PageState {
    const values = header.values;
    const encoding = header.encoding;
    if (encoding === Encoding.PLAIN && !this.optional) {
      // every value is stored: n fixed-width values need n times the width, n strings at least 4n bytes
      const width = plainValueBytes(this.chunk.physicalType) ?? 4;
      if (values * width > header.uncompressedSize) {
        throw this.corrupt(
          'values_exceed_page',
          `a PLAIN page claims ${values} values, its ${header.uncompressedSize} bytes hold at most ${Math.floor(header.uncompressedSize / width)}`,
        );
      }
    }
    const { stream, release: releaseStream } = this.pageStream(header);
    const releases = [releaseStream];
    const release = () => {
      for (const r of releases) r();
    };
    let defs: RleHybridDecoder | undefined;
    if (this.optional) {
      stream.ensure(4);
      const b = stream.buf;
      const length = (b[stream.pos] | (b[stream.pos + 1] << 8) | (b[stream.pos + 2] << 16) | (b[stream.pos + 3] << 24)) >>> 0;
      stream.pos += 4;
      if (length > header.uncompressedSize - 4 || length > values * MAX_LEVEL_BYTES_PER_VALUE + 16) {
        release();
        throw this.corrupt(
          'values_exceed_page',
          `a page of ${values} values and ${header.uncompressedSize} bytes claims ${length} bytes of definition levels`,
        );
      }
      releases.push(this.budget.reserve(length, `the definition levels of ${this.what}`));
      stream.ensure(length);
      const levels = stream.buf.slice(stream.pos, stream.pos + length);
      stream.pos += length;
      defs = new RleHybridDecoder(new MemoryBuffer(levels), 1, values, 'definition levels');
    }
    let indices: RleHybridDecoder | undefined;
    if (encoding === Encoding.PLAIN_DICTIONARY || encoding === Encoding.RLE_DICTIONARY) {
      stream.ensure(1);
      indices = new RleHybridDecoder(stream, stream.buf[stream.pos++], values, 'dictionary indices');
    } else if (encoding !== Encoding.PLAIN) {
      release();
      throw new ColumnDecodeError(`page encoding ${encoding}`);
    }
    return { stream, rowsLeft: values, defs, indices, next, release };
  }

  private readDictionary(header: PageHeaderInfo): void {
    const count = header.values;
    // a dictionary holds distinct values of the chunk: never more than it has values
    if (count > this.chunk.numValues) {
      throw this.corrupt('values_exceed_page', `a dictionary of ${count} values for a column chunk of ${this.chunk.numValues} values`);
    }
    const width = plainValueBytes(this.chunk.physicalType);
    const minBytes = count * (width ?? 4); // a string is at least its 4-byte length
    if (minBytes > header.uncompressedSize) {
      throw this.corrupt(
        'values_exceed_page',
        `a dictionary page claims ${count} values, its ${header.uncompressedSize} bytes hold at most ${Math.floor(header.uncompressedSize / (width ?? 4))}`,
      );
    }
    const holds = width !== undefined ? count * width : header.uncompressedSize * 2 + count * STRING_OVERHEAD_BYTES;
    this.releaseDictionary?.();
    this.releaseDictionary = this.budget.reserve(holds, `the dictionary of ${this.what} (${count} values)`);
    const { stream, release } = this.pageStream(header);
    try {
      const values = this.allocate(count);
      if (this.physical === PhysicalType.BYTE_ARRAY) {
        for (let i = 0; i < count; i++) values[i] = this.plainString(stream);
      } else {
        const bytes = count * values.BYTES_PER_ELEMENT;
        stream.ensure(bytes);
        new Uint8Array(values.buffer).set(stream.buf.subarray(stream.pos, stream.pos + bytes));
        stream.pos += bytes;
      }
      stream.finish();
      this.dictionary = values;
    } finally {
      release();
    }
  }

  private toData(values: NumberArray, validity: BitmapBuilder, length: number): arrow.Data {
    const common = { length, nullCount: validity.unset, nullBitmap: validity.nullBitmap() };
    if (this.physical !== PhysicalType.BYTE_ARRAY) return arrow.makeData({ type: this.type as arrow.Int, ...common, data: values as Int32Array });
    if (this.dictionaryVectorSize !== this.strings.length) {
      this.dictionaryVector = arrow.vectorFromArray(this.strings, new arrow.Utf8());
      this.dictionaryVectorSize = this.strings.length;
    }
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    return arrow.makeData({ type, ...common, data: values as Int32Array, dictionary: this.dictionaryVector });
  }
}
