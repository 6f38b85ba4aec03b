// Decodes one flat column chunk a few rows at a time, in JavaScript, straight from the file: page headers,
// decompression (codecs/: snappy, zstd, gzip, brotli or none), definition levels, PLAIN and dictionary-encoded INT32/INT64/FLOAT/DOUBLE and
// BYTE_ARRAY values. Its memory is the rows asked for plus a slice of the file and either one page decompressed
// whole (up to 8 MiB) or, for a bigger page, the codec's history (64 KiB for snappy, the frame's window for zstd,
// 32 KiB for gzip), whatever the size of the row group or of a page: this is what bounds memory on a one-row-group
// file whose pages hold millions of rows (DuckDB writes one page per column chunk). Anything else (other codecs,
// v2 pages, nested columns, booleans) is left to the wasm decoder: `openColumnCursor` returns undefined.
import * as arrow from 'apache-arrow';
import { BitmapBuilder } from '../columns/bitmap';
import type { RandomAccessInput } from '../io/random-access-input';
import { FileRegion, MemoryBuffer, type PullBuffer } from './byte-streams';
import { type PageBytes, decodesCodec, openPage } from './codecs';
import type { ParquetFooter, TopLevelColumn } from './footer';
import { PageType as PAGE_TYPE } from './format';
import { parsePageHeader } from './pages';
import { RleHybridDecoder } from './rle';
import { type ThriftList, type ThriftStruct, ThriftDecodeError, fieldValue } from './thrift-compact';

const PHYSICAL = { INT32: 1, INT64: 2, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const ENCODING = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE_DICTIONARY: 8 } as const;
const REPETITION = { REQUIRED: 0, OPTIONAL: 1 } as const;

export class ColumnDecodeError extends Error {}

type Physical = (typeof PHYSICAL)[keyof typeof PHYSICAL];
type NumberArray = Int32Array | Float32Array | Float64Array | BigInt64Array;

interface PageState {
  stream: PageBytes;
  rowsLeft: number;
  defs: RleHybridDecoder | undefined;
  indices: RleHybridDecoder | undefined;
  /** Absolute offset of the next page. */
  next: number;
}

/** A cursor over one column chunk, or undefined when this decoder does not handle it. */
export function openColumnCursor(
  input: RandomAccessInput,
  footer: ParquetFooter,
  rowGroup: number,
  column: TopLevelColumn,
  type: arrow.DataType,
): ColumnCursor | undefined {
  if (column.nested || column.leaves.length !== 1) return undefined;
  const schema = (fieldValue(footer.metadata, 2) as ThriftList).items as ThriftStruct[];
  const element = schema[column.schemaElements[0]];
  const repetition = fieldValue(element, 3);
  if (repetition !== REPETITION.REQUIRED && repetition !== REPETITION.OPTIONAL) return undefined;
  const groups = (fieldValue(footer.metadata, 4) as ThriftList).items as ThriftStruct[];
  const chunks = (fieldValue(groups[rowGroup], 1) as ThriftList).items as ThriftStruct[];
  const meta = fieldValue(chunks[column.leaves[0]], 3) as ThriftStruct;
  const physical = fieldValue(meta, 1) as number;
  const codec = fieldValue(meta, 4) as number;
  if (!decodesCodec(codec)) return undefined;
  if (!outputFits(physical, type)) return undefined;
  const encodings = ((fieldValue(meta, 2) as ThriftList | undefined)?.items ?? []) as number[];
  // RLE (3) and BIT_PACKED (4) are level encodings; anything else for values is not ours
  if (encodings.some((e) => ![0, 2, 3, 4, 8].includes(e))) return undefined;
  const range = footer.rowGroups[rowGroup].chunks[column.leaves[0]];
  return new ColumnCursor(input, range.start, range.length, physical as Physical, codec, repetition === REPETITION.OPTIONAL, type);
}

function outputFits(physical: number, type: arrow.DataType): boolean {
  switch (physical) {
    case PHYSICAL.INT64:
      return (arrow.DataType.isInt(type) && type.bitWidth === 64) || arrow.DataType.isTimestamp(type);
    case PHYSICAL.INT32:
      return arrow.DataType.isInt(type) && type.bitWidth === 32 && type.isSigned;
    case PHYSICAL.FLOAT:
      return arrow.DataType.isFloat(type) && type.precision === arrow.Precision.SINGLE;
    case PHYSICAL.DOUBLE:
      return arrow.DataType.isFloat(type) && type.precision === arrow.Precision.DOUBLE;
    case PHYSICAL.BYTE_ARRAY:
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
  private dictionaryVector: arrow.Vector<arrow.Utf8> | undefined;
  private dictionaryVectorSize = -1;

  constructor(
    input: RandomAccessInput,
    start: number,
    length: number,
    private readonly physical: Physical,
    private readonly codec: number,
    private readonly optional: boolean,
    private readonly type: arrow.DataType,
  ) {
    this.region = new FileRegion(input, start, start + length);
  }

  /** The next `rows` rows as Arrow data of the column's type (strings as Dictionary<Utf8, Int32>). */
  read(rows: number): arrow.Data {
    const values = this.allocate(rows);
    const validity = new BitmapBuilder(rows);
    const levels = new Uint8Array(rows);
    let done = 0;
    while (done < rows) {
      const page = this.currentPage();
      const n = Math.min(page.rowsLeft, rows - done);
      let present = n;
      if (page.defs) {
        page.defs.read(levels, 0, n);
        present = 0;
        for (let i = 0; i < n; i++) present += levels[i];
      }
      if (present === n) {
        this.readValues(page, values, done, n);
        for (let i = 0; i < n; i++) validity.push(true);
      } else {
        const dense = this.allocate(present);
        this.readValues(page, dense, 0, present);
        let j = 0;
        for (let i = 0; i < n; i++) {
          const ok = levels[i] === 1;
          validity.push(ok);
          if (ok) values[done + i] = dense[j++];
          else if (this.physical === PHYSICAL.BYTE_ARRAY) (values as Int32Array)[done + i] = -1;
        }
      }
      done += n;
      page.rowsLeft -= n;
      if (page.rowsLeft === 0) {
        page.stream.finish();
        this.region.seek(page.next);
        this.page = undefined;
      }
    }
    return this.toData(values, validity, rows);
  }

  private allocate(n: number): NumberArray {
    switch (this.physical) {
      case PHYSICAL.INT64:
        return new BigInt64Array(n);
      case PHYSICAL.DOUBLE:
        return new Float64Array(n);
      case PHYSICAL.FLOAT:
        return new Float32Array(n);
      default:
        return new Int32Array(n); // INT32 values, or string codes
    }
  }

  private readValues(page: PageState, out: NumberArray, at: number, n: number): void {
    if (n === 0) return;
    if (page.indices) {
      const codes = new Int32Array(n);
      page.indices.read(codes, 0, n);
      const dictionary = this.dictionary;
      if (!dictionary) throw new ColumnDecodeError('dictionary-encoded page without a dictionary page');
      for (let i = 0; i < n; i++) {
        const code = codes[i];
        if (code >= dictionary.length) throw new ColumnDecodeError(`dictionary index ${code} of ${dictionary.length}`);
        out[at + i] = dictionary[code];
      }
      return;
    }
    if (this.physical === PHYSICAL.BYTE_ARRAY) {
      const codes = out as Int32Array;
      for (let i = 0; i < n; i++) codes[at + i] = this.plainString(page.stream);
      return;
    }
    const width = out.BYTES_PER_ELEMENT;
    page.stream.ensure(n * width);
    new Uint8Array(out.buffer, out.byteOffset + at * width, n * width).set(
      page.stream.buf.subarray(page.stream.pos, page.stream.pos + n * width),
    );
    page.stream.pos += n * width;
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

  private currentPage(): PageState {
    while (!this.page) {
      const start = this.region.position;
      const header = this.header();
      const next = start + header.headerLength + header.compressedSize;
      if (header.type === PAGE_TYPE.DICTIONARY_PAGE) {
        const stream = openPage(this.codec, this.region, header.compressedSize, header.uncompressedSize);
        this.dictionary = this.readDictionary(stream, header.values);
        stream.finish();
        this.region.seek(next);
      } else if (header.type === PAGE_TYPE.DATA_PAGE) {
        const stream = openPage(this.codec, this.region, header.compressedSize, header.uncompressedSize);
        this.page = this.startDataPage(stream, header.values, header.encoding, next);
      } else if (header.type === PAGE_TYPE.DATA_PAGE_V2) {
        throw new ColumnDecodeError('a v2 data page after v1 pages');
      } else {
        this.region.seek(next); // index pages: nothing to decode
      }
    }
    return this.page;
  }

  private header() {
    for (let size = 256; ; size *= 4) {
      const want = Math.min(size, this.region.remaining);
      if (want <= 0) throw new ColumnDecodeError('the column chunk ended before its rows did');
      this.region.ensure(want);
      try {
        const header = parsePageHeader(this.region.buf.subarray(this.region.pos, this.region.pos + want));
        this.region.pos += header.headerLength;
        return header;
      } catch (error) {
        if (!(error instanceof ThriftDecodeError) || want === this.region.remaining) throw error;
      }
    }
  }

  private startDataPage(stream: PageBytes, values: number, encoding: number, next: number): PageState {
    let defs: RleHybridDecoder | undefined;
    if (this.optional) {
      stream.ensure(4);
      const b = stream.buf;
      const length = (b[stream.pos] | (b[stream.pos + 1] << 8) | (b[stream.pos + 2] << 16) | (b[stream.pos + 3] << 24)) >>> 0;
      stream.pos += 4;
      stream.ensure(length);
      const levels = stream.buf.slice(stream.pos, stream.pos + length);
      stream.pos += length;
      defs = new RleHybridDecoder(new MemoryBuffer(levels), 1);
    }
    let indices: RleHybridDecoder | undefined;
    if (encoding === ENCODING.PLAIN_DICTIONARY || encoding === ENCODING.RLE_DICTIONARY) {
      stream.ensure(1);
      indices = new RleHybridDecoder(stream, stream.buf[stream.pos++]);
    } else if (encoding !== ENCODING.PLAIN) {
      throw new ColumnDecodeError(`page encoding ${encoding}`);
    }
    return { stream, rowsLeft: values, defs, indices, next };
  }

  private readDictionary(stream: PullBuffer, count: number): NumberArray {
    const values = this.allocate(count);
    if (this.physical === PHYSICAL.BYTE_ARRAY) {
      for (let i = 0; i < count; i++) values[i] = this.plainString(stream);
      return values;
    }
    const bytes = count * values.BYTES_PER_ELEMENT;
    stream.ensure(bytes);
    new Uint8Array(values.buffer).set(stream.buf.subarray(stream.pos, stream.pos + bytes));
    stream.pos += bytes;
    return values;
  }

  private toData(values: NumberArray, validity: BitmapBuilder, length: number): arrow.Data {
    const common = { length, nullCount: validity.unset, nullBitmap: validity.nullBitmap() };
    if (this.physical !== PHYSICAL.BYTE_ARRAY) return arrow.makeData({ type: this.type as arrow.Int, ...common, data: values as Int32Array });
    if (this.dictionaryVectorSize !== this.strings.length) {
      this.dictionaryVector = arrow.vectorFromArray(this.strings, new arrow.Utf8());
      this.dictionaryVectorSize = this.strings.length;
    }
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    return arrow.makeData({ type, ...common, data: values as Int32Array, dictionary: this.dictionaryVector });
  }
}
