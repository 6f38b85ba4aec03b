// PageHeader structs (parquet.thrift) of the pages the writer emits: v1 data pages and dictionary pages.
import { DataPageHeaderField as D, DictionaryPageHeaderField as DP, Encoding, PageHeaderField as H, PageType } from '../format';
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
  w.structField(H.dataPageHeader);
  w.i32(D.numValues, page.numValues);
  w.i32(D.encoding, page.encoding);
  w.i32(D.definitionLevelEncoding, Encoding.RLE);
  w.i32(D.repetitionLevelEncoding, Encoding.RLE); // none: flat columns
  if (page.statistics) writeStatistics(w, D.statistics, page.statistics);
  w.structEnd();
  w.structEnd();
  return w.finish();
}

export function dictionaryPageHeader(page: PageSizes): Uint8Array {
  const w = header(PageType.DICTIONARY_PAGE, page);
  w.structField(H.dictionaryPageHeader);
  w.i32(DP.numValues, page.numValues);
  w.i32(DP.encoding, Encoding.PLAIN);
  w.bool(DP.isSorted, false);
  w.structEnd();
  w.structEnd();
  return w.finish();
}

function header(type: number, page: PageSizes): ThriftCompactWriter {
  const w = new ThriftCompactWriter(64);
  w.structBegin();
  w.i32(H.type, type);
  w.i32(H.uncompressedPageSize, page.uncompressedBytes);
  w.i32(H.compressedPageSize, page.compressedBytes);
  return w;
}
