// PageHeader structs (parquet.thrift) of the pages the writer emits: v1 data pages and dictionary pages.
import { Encoding, PageType } from '../format';
import { ThriftCompactWriter } from '../thrift-compact-writer';
import { type ColumnStatistics, writeStatistics } from './statistics';

export interface PageSizes {
  uncompressedBytes: number;
  compressedBytes: number;
  /** Values in the page, nulls included (a data page), or dictionary entries (a dictionary page). */
  numValues: number;
}

export function dataPageHeader(page: PageSizes & { encoding: number; statistics?: ColumnStatistics }): Uint8Array {
  const w = header(PageType.DATA_PAGE, page);
  w.structField(5); // data_page_header
  w.i32(1, page.numValues);
  w.i32(2, page.encoding);
  w.i32(3, Encoding.RLE); // definition levels
  w.i32(4, Encoding.RLE); // repetition levels (none: flat columns)
  if (page.statistics) writeStatistics(w, 5, page.statistics);
  w.structEnd();
  w.structEnd();
  return w.finish();
}

export function dictionaryPageHeader(page: PageSizes): Uint8Array {
  const w = header(PageType.DICTIONARY_PAGE, page);
  w.structField(7); // dictionary_page_header
  w.i32(1, page.numValues);
  w.i32(2, Encoding.PLAIN);
  w.bool(3, false); // is_sorted
  w.structEnd();
  w.structEnd();
  return w.finish();
}

function header(type: number, page: PageSizes): ThriftCompactWriter {
  const w = new ThriftCompactWriter(64);
  w.structBegin();
  w.i32(1, type);
  w.i32(2, page.uncompressedBytes);
  w.i32(3, page.compressedBytes);
  return w;
}
