// The pages of one column chunk, from their headers: where each page is and how many rows it holds. This is
// what lets the reader decode a 20M-row column chunk a few pages at a time instead of whole.
import { DEFAULT_THRIFT_LIMITS, type ThriftStruct, decodeStruct, fieldValue, ThriftDecodeError } from './thrift-compact';
import {
  DataPageHeaderField as DATA_PAGE,
  DataPageHeaderV2Field as DATA_PAGE_V2,
  PageHeaderField,
  PageType as PAGE_TYPE,
} from './format';
import { CorruptParquetError } from './limits';

const HEADER = {
  type: PageHeaderField.type,
  uncompressedSize: PageHeaderField.uncompressedPageSize,
  compressedSize: PageHeaderField.compressedPageSize,
  dataPage: PageHeaderField.dataPageHeader,
  dictionaryPage: PageHeaderField.dictionaryPageHeader,
  dataPageV2: PageHeaderField.dataPageHeaderV2,
} as const;

export class PageIndexError extends CorruptParquetError {
  constructor(message: string) {
    super('page_invalid', message);
  }
}

/** Bytes of one page, header included. */
export interface PageSpan {
  start: number;
  length: number;
}

export interface DataPage extends PageSpan {
  /** Row index (within the row group) of the page's first row. */
  firstRow: number;
  rows: number;
  /** Values including nulls (= rows for a flat column). */
  values: number;
  /** The page's uncompressed_page_size. */
  uncompressedSize: number;
}

export interface ColumnPages {
  dictionary: PageSpan | undefined;
  pages: DataPage[];
}

export interface PageHeaderInfo {
  headerLength: number;
  type: number;
  compressedSize: number;
  /** Bytes of the page once decompressed: what bounds the decompressor's output. */
  uncompressedSize: number;
  /** Values in a data page (v1: = rows of a flat column; v2: num_values). */
  values: number;
  /** Rows in a v2 data page (v1 pages do not say; undefined). */
  rows: number | undefined;
  /** Encoding of the values of a data page (0 PLAIN, 2 PLAIN_DICTIONARY, 8 RLE_DICTIONARY, …); -1 otherwise. */
  encoding: number;
}

/**
 * Values a page header may decode. A real one holds a few dozen (sizes, encodings, statistics); the footer's bound
 * (2,000,000) let a page header carry a million empty structs as an unknown field, which took a fuzz case to 422-466
 * MiB of RSS before the header was skipped.
 */
export const PAGE_HEADER_MAX_OBJECTS = 100_000;
const PAGE_HEADER_LIMITS = { ...DEFAULT_THRIFT_LIMITS, maxObjects: PAGE_HEADER_MAX_OBJECTS };

/** Decodes one page header at the start of `bytes`; throws ThriftDecodeError when `bytes` is too short. */
export function parsePageHeader(bytes: Uint8Array): PageHeaderInfo {
  const { struct, bytesRead } = decodeStruct(bytes, PAGE_HEADER_LIMITS);
  const type = num(struct, HEADER.type, 'page type');
  const compressedSize = num(struct, HEADER.compressedSize, 'compressed_page_size');
  const uncompressedSize = num(struct, HEADER.uncompressedSize, 'uncompressed_page_size');
  let values = 0;
  let rows: number | undefined;
  let encoding = -1;
  if (type === PAGE_TYPE.DATA_PAGE) {
    const v1 = sub(struct, HEADER.dataPage, 'data_page_header');
    values = num(v1, DATA_PAGE.numValues, 'num_values');
    encoding = num(v1, DATA_PAGE.encoding, 'encoding');
  } else if (type === PAGE_TYPE.DATA_PAGE_V2) {
    const v2 = sub(struct, HEADER.dataPageV2, 'data_page_header_v2');
    values = num(v2, DATA_PAGE_V2.numValues, 'num_values');
    rows = num(v2, DATA_PAGE_V2.numRows, 'num_rows');
    encoding = num(v2, DATA_PAGE_V2.encoding, 'encoding');
  } else if (type === PAGE_TYPE.DICTIONARY_PAGE) {
    values = num(sub(struct, HEADER.dictionaryPage, 'dictionary_page_header'), DATA_PAGE.numValues, 'num_values');
  }
  return { headerLength: bytesRead, type, compressedSize, uncompressedSize, values, rows, encoding };
}

/**
 * Walks the page headers of a flat (non-nested) column chunk [start, start + length). `readAt` reads bytes of
 * the file. Throws PageIndexError when the pages overrun the chunk, or (when `numRows` is given) do not add up to
 * its `numRows` rows.
 */
export async function indexColumnPages(
  readAt: (position: number, length: number) => Promise<Uint8Array>,
  chunk: PageSpan,
  numRows: number | undefined,
): Promise<ColumnPages> {
  const end = chunk.start + chunk.length;
  const pages: DataPage[] = [];
  let dictionary: PageSpan | undefined;
  let position = chunk.start;
  let firstRow = 0;
  while (position < end) {
    const header = await readHeader(readAt, position, end);
    const length = header.headerLength + header.compressedSize;
    if (header.compressedSize < 0 || position + length > end) {
      throw new PageIndexError(`page at byte ${position} overruns its column chunk (ends at ${end})`);
    }
    if (header.type === PAGE_TYPE.DICTIONARY_PAGE) {
      if (dictionary || pages.length > 0) throw new PageIndexError(`unexpected dictionary page at byte ${position}`);
      dictionary = { start: position, length };
    } else if (header.type === PAGE_TYPE.DATA_PAGE || header.type === PAGE_TYPE.DATA_PAGE_V2) {
      const rows = header.rows ?? header.values;
      pages.push({ start: position, length, firstRow, rows, values: header.values, uncompressedSize: header.uncompressedSize });
      firstRow += rows;
    }
    position += length;
  }
  if (numRows !== undefined && firstRow !== numRows) throw new PageIndexError(`the pages hold ${firstRow} rows, the row group ${numRows}`);
  return { dictionary, pages };
}

const FIRST_HEADER_READ = 256;
const MAX_HEADER_BYTES = 16 * 2 ** 20;

async function readHeader(
  readAt: (position: number, length: number) => Promise<Uint8Array>,
  position: number,
  end: number,
): Promise<PageHeaderInfo> {
  // headers are small, but may carry statistics of any size: read more until one decodes
  for (let size = FIRST_HEADER_READ; ; size *= 4) {
    const bytes = await readAt(position, Math.min(size, end - position));
    try {
      return parsePageHeader(bytes);
    } catch (error) {
      const cutShort = error instanceof ThriftDecodeError && error.failure === 'truncated';
      if (!cutShort || bytes.length >= end - position || size >= MAX_HEADER_BYTES) {
        throw new PageIndexError(`unreadable page header at byte ${position}: ${(error as Error).message}`);
      }
    }
  }
}

function sub(struct: ThriftStruct, id: number, what: string): ThriftStruct {
  const value = fieldValue(struct, id);
  if (value && typeof value === 'object' && 'kind' in value && value.kind === 'struct') return value;
  throw new PageIndexError(`page header has no ${what}`);
}

function num(struct: ThriftStruct, id: number, what: string): number {
  const value = fieldValue(struct, id);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= 0) return n;
    throw new PageIndexError(`page header ${what} is ${value}`);
  }
  throw new PageIndexError(`page header has no ${what}`);
}
