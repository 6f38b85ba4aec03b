// The footer (FileMetaData, parquet.thrift) of a file the writer made: schema, row groups and their column
// chunks, key/value metadata, and the column orders that tell readers min_value/max_value follow each type's order.
import { ThriftType } from '../thrift-compact';
import { ThriftCompactWriter } from '../thrift-compact-writer';
import type { EncodedColumnChunk } from './column-chunk-writer';
import { type ColumnDescriptor, writeSchemaElements } from './parquet-schema';
import { writeStatistics } from './statistics';

export type ColumnChunkMeta = Omit<EncodedColumnChunk, 'pages' | 'pageIndex'> & {
  fileOffset: number;
  /** Where the chunk's page index went (written after all row groups). */
  offsetIndex?: ByteRange;
  columnIndex?: ByteRange;
};

export interface ByteRange {
  offset: number;
  length: number;
}

export interface RowGroupMeta {
  numRows: number;
  fileOffset: number;
  /** One per column, in schema order. */
  columns: ColumnChunkMeta[];
}

export interface FileMeta {
  columns: readonly ColumnDescriptor[];
  codec: number;
  numRows: number;
  rowGroups: readonly RowGroupMeta[];
  keyValueMetadata: readonly [string, string][];
  createdBy: string;
}

export function encodeFileMetaData(meta: FileMeta): Uint8Array {
  const w = new ThriftCompactWriter(4096);
  w.structBegin();
  w.i32(1, 1); // version
  writeSchemaElements(w, 2, meta.columns);
  w.i64(3, meta.numRows);
  w.listField(4, ThriftType.STRUCT, meta.rowGroups.length);
  meta.rowGroups.forEach((rowGroup, ordinal) => writeRowGroup(w, meta, rowGroup, ordinal));
  w.listField(5, ThriftType.STRUCT, meta.keyValueMetadata.length);
  for (const [key, value] of meta.keyValueMetadata) {
    w.structBegin();
    w.string(1, key);
    w.string(2, value);
    w.structEnd();
  }
  w.string(6, meta.createdBy);
  w.listField(7, ThriftType.STRUCT, meta.columns.length);
  for (let i = 0; i < meta.columns.length; i++) {
    w.structBegin();
    w.emptyStruct(1); // TYPE_ORDER
    w.structEnd();
  }
  w.structEnd();
  return w.finish();
}

function writeRowGroup(w: ThriftCompactWriter, meta: FileMeta, rowGroup: RowGroupMeta, ordinal: number): void {
  w.structBegin();
  w.listField(1, ThriftType.STRUCT, rowGroup.columns.length);
  rowGroup.columns.forEach((chunk, i) => writeColumnChunk(w, meta.columns[i], meta.codec, chunk));
  w.i64(2, sum(rowGroup.columns, (c) => c.uncompressedBytes));
  w.i64(3, rowGroup.numRows);
  w.i64(5, rowGroup.fileOffset);
  w.i64(6, sum(rowGroup.columns, (c) => c.compressedBytes));
  w.i16(7, ordinal);
  w.structEnd();
}

function writeColumnChunk(w: ThriftCompactWriter, column: ColumnDescriptor, codec: number, chunk: ColumnChunkMeta): void {
  w.structBegin();
  w.i64(2, 0); // file_offset: deprecated, 0 as arrow-rs writes it
  w.structField(3); // meta_data
  w.i32(1, column.physicalType);
  w.listField(2, ThriftType.I32, chunk.encodings.length);
  for (const encoding of chunk.encodings) w.i32Item(encoding);
  w.listField(3, ThriftType.BINARY, 1);
  w.stringItem(column.name);
  w.i32(4, codec);
  w.i64(5, chunk.numValues);
  w.i64(6, chunk.uncompressedBytes);
  w.i64(7, chunk.compressedBytes);
  w.i64(9, chunk.fileOffset + chunk.dictionaryPageBytes); // data_page_offset
  if (chunk.dictionaryPageBytes > 0) w.i64(11, chunk.fileOffset);
  writeStatistics(w, 12, chunk.statistics);
  w.structEnd();
  if (chunk.offsetIndex) {
    w.i64(4, chunk.offsetIndex.offset);
    w.i32(5, chunk.offsetIndex.length);
  }
  if (chunk.columnIndex) {
    w.i64(6, chunk.columnIndex.offset);
    w.i32(7, chunk.columnIndex.length);
  }
  w.structEnd();
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  return items.reduce((n, item) => n + f(item), 0);
}
