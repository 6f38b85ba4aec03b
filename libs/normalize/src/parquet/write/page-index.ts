// The page index of a column chunk (ColumnIndex and OffsetIndex, parquet.thrift): where each data page is and
// its min/max/null count, written after the row groups so that readers (DuckDB, arrow-rs) can skip pages
// without reading their headers.
import { BoundaryOrder, ColumnIndexField as C, OffsetIndexField as O, PageLocationField as L } from '../format';
import { ThriftType } from '../thrift-compact';
import { ThriftCompactWriter } from '../thrift-compact-writer';
import type { MinMax } from './value-encoder';

export interface PageIndexEntry {
  /** Offset of the page's header from the chunk's first data page. */
  offset: number;
  /** Header and body. */
  bytes: number;
  /** Index of the page's first row in the row group. */
  firstRow: number;
  rows: number;
  nullCount: number;
  range: MinMax;
}

/**
 * The ColumnIndex, or undefined when a page has values but no min/max (only NaN): the index cannot say that
 * page may hold anything, so there is none for the chunk.
 */
export function encodeColumnIndex(pages: readonly PageIndexEntry[]): Uint8Array | undefined {
  if (pages.some((p) => p.nullCount < p.rows && !p.range)) return undefined;
  const empty = new Uint8Array(0);
  const w = new ThriftCompactWriter(64 + pages.length * 32);
  w.structBegin();
  w.listField(C.nullPages, ThriftType.BOOL_TRUE, pages.length);
  for (const p of pages) w.boolItem(p.nullCount === p.rows);
  w.listField(C.minValues, ThriftType.BINARY, pages.length);
  for (const p of pages) w.binaryItem(p.range?.min ?? empty);
  w.listField(C.maxValues, ThriftType.BINARY, pages.length);
  for (const p of pages) w.binaryItem(p.range?.max ?? empty);
  w.i32(C.boundaryOrder, BoundaryOrder.UNORDERED);
  w.listField(C.nullCounts, ThriftType.I64, pages.length);
  for (const p of pages) w.i64Item(p.nullCount);
  w.structEnd();
  return w.finish();
}

/** The OffsetIndex of a chunk whose first data page is at file offset `firstDataPage`. */
export function encodeOffsetIndex(pages: readonly PageIndexEntry[], firstDataPage: number): Uint8Array {
  const w = new ThriftCompactWriter(32 + pages.length * 16);
  w.structBegin();
  w.listField(O.pageLocations, ThriftType.STRUCT, pages.length);
  for (const p of pages) {
    w.structBegin();
    w.i64(L.offset, firstDataPage + p.offset);
    w.i32(L.compressedPageSize, p.bytes);
    w.i64(L.firstRowIndex, p.firstRow);
    w.structEnd();
  }
  w.structEnd();
  return w.finish();
}
