// The footer (FileMetaData, parquet.thrift) of a file the writer made: schema, row groups and their column
// chunks, key/value metadata, and the column orders that tell readers min_value/max_value follow each type's order.
import {
  ColumnChunkField as CC,
  ColumnMetaDataField as CM,
  ColumnOrderField,
  FileMetaDataField as F,
  KeyValueField,
  RowGroupField as RG,
} from '../format';
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
  w.i32(F.version, 1);
  writeSchemaElements(w, F.schema, meta.columns);
  w.i64(F.numRows, meta.numRows);
  w.listField(F.rowGroups, ThriftType.STRUCT, meta.rowGroups.length);
  meta.rowGroups.forEach((rowGroup, ordinal) => writeRowGroup(w, meta, rowGroup, ordinal));
  w.listField(F.keyValueMetadata, ThriftType.STRUCT, meta.keyValueMetadata.length);
  for (const [key, value] of meta.keyValueMetadata) {
    w.structBegin();
    w.string(KeyValueField.key, key);
    w.string(KeyValueField.value, value);
    w.structEnd();
  }
  w.string(F.createdBy, meta.createdBy);
  w.listField(F.columnOrders, ThriftType.STRUCT, meta.columns.length);
  for (let i = 0; i < meta.columns.length; i++) {
    w.structBegin();
    w.emptyStruct(ColumnOrderField.TYPE_ORDER);
    w.structEnd();
  }
  w.structEnd();
  return w.finish();
}

function writeRowGroup(w: ThriftCompactWriter, meta: FileMeta, rowGroup: RowGroupMeta, ordinal: number): void {
  w.structBegin();
  w.listField(RG.columns, ThriftType.STRUCT, rowGroup.columns.length);
  rowGroup.columns.forEach((chunk, i) => writeColumnChunk(w, meta.columns[i], meta.codec, chunk));
  w.i64(RG.totalByteSize, sum(rowGroup.columns, (c) => c.uncompressedBytes));
  w.i64(RG.numRows, rowGroup.numRows);
  w.i64(RG.fileOffset, rowGroup.fileOffset);
  w.i64(RG.totalCompressedSize, sum(rowGroup.columns, (c) => c.compressedBytes));
  w.i16(RG.ordinal, ordinal);
  w.structEnd();
}

function writeColumnChunk(w: ThriftCompactWriter, column: ColumnDescriptor, codec: number, chunk: ColumnChunkMeta): void {
  w.structBegin();
  w.i64(CC.fileOffset, 0); // deprecated: 0, as arrow-rs writes it
  w.structField(CC.metaData);
  w.i32(CM.type, column.physicalType);
  w.listField(CM.encodings, ThriftType.I32, chunk.encodings.length);
  for (const encoding of chunk.encodings) w.i32Item(encoding);
  w.listField(CM.pathInSchema, ThriftType.BINARY, 1);
  w.stringItem(column.name);
  w.i32(CM.codec, codec);
  w.i64(CM.numValues, chunk.numValues);
  w.i64(CM.totalUncompressedSize, chunk.uncompressedBytes);
  w.i64(CM.totalCompressedSize, chunk.compressedBytes);
  w.i64(CM.dataPageOffset, chunk.fileOffset + chunk.dictionaryPageBytes);
  if (chunk.dictionaryPageBytes > 0) w.i64(CM.dictionaryPageOffset, chunk.fileOffset);
  writeStatistics(w, CM.statistics, chunk.statistics);
  w.structEnd();
  if (chunk.offsetIndex) {
    w.i64(CC.offsetIndexOffset, chunk.offsetIndex.offset);
    w.i32(CC.offsetIndexLength, chunk.offsetIndex.length);
  }
  if (chunk.columnIndex) {
    w.i64(CC.columnIndexOffset, chunk.columnIndex.offset);
    w.i32(CC.columnIndexLength, chunk.columnIndex.length);
  }
  w.structEnd();
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  return items.reduce((n, item) => n + f(item), 0);
}
