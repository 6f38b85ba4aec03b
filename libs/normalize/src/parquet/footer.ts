// The Parquet footer (FileMetaData) as far as the reader needs it: where each column chunk of each row group
// lives, and how to cut a small self-contained Parquet file out of a big one (one row group, some columns),
// so that the synchronous decoder only ever sees the bytes it has to decode.
import {
  type ThriftList,
  type ThriftStruct,
  ThriftType,
  decodeStruct,
  encodeStruct,
  fieldValue,
  withField,
  withoutFields,
} from './thrift-compact';
import {
  ARROW_SCHEMA_KEY,
  ColumnChunkField,
  ColumnMetaDataField,
  FOOTER_TRAILER_BYTES,
  FileMetaDataField,
  PARQUET_MAGIC,
  RowGroupField,
  SchemaElementField,
} from './format';

const FILE = FileMetaDataField;
const SCHEMA_ELEMENT = SchemaElementField;
const ROW_GROUP = RowGroupField;
const COLUMN_CHUNK = ColumnChunkField;
const COLUMN_META = ColumnMetaDataField;

export class FooterError extends Error {}

export interface ColumnChunkRange {
  /** Absolute byte offset of the chunk's first page (dictionary page if any). */
  start: number;
  length: number;
}

export interface RowGroupLayout {
  numRows: number;
  /** One entry per leaf column, in schema order. */
  chunks: ColumnChunkRange[];
}

export interface TopLevelColumn {
  name: string;
  /** Leaf column indexes (one for a flat column, several for a nested one). */
  leaves: number[];
  /** True when the column is a group (struct, list, map), not a primitive. */
  nested: boolean;
  /** Its schema elements: indexes [from, to) in FileMetaData.schema. */
  schemaElements: [number, number];
}

export interface ParquetFooter {
  metadata: ThriftStruct;
  numRows: number;
  columns: TopLevelColumn[];
  rowGroups: RowGroupLayout[];
}

/** Decodes the thrift FileMetaData; `dataEnd` is where the footer starts (chunks must end before it). */
export function parseFooter(footerBytes: Uint8Array, dataEnd: number): ParquetFooter {
  const { struct: metadata } = decodeStruct(footerBytes);
  const schema = listOf(metadata, FILE.schema, 'schema');
  const columns = topLevelColumns(schema.items as ThriftStruct[]);
  const leafCount = columns.reduce((n, c) => n + c.leaves.length, 0);
  const rowGroups = listOf(metadata, FILE.rowGroups, 'row_groups').items.map((rg, i) =>
    rowGroupLayout(rg as ThriftStruct, i, leafCount, dataEnd),
  );
  return { metadata, numRows: int(metadata, FILE.numRows, 'num_rows'), columns, rowGroups };
}

/** Encodes a footer as a complete Parquet file trailer: thrift bytes + length + magic. */
function trailer(metadata: ThriftStruct): Uint8Array {
  const encoded = encodeStruct(metadata);
  const out = new Uint8Array(encoded.length + FOOTER_TRAILER_BYTES);
  out.set(encoded);
  new DataView(out.buffer).setUint32(encoded.length, encoded.length, true);
  out.set(Buffer.from(PARQUET_MAGIC, 'latin1'), encoded.length + 4);
  return out;
}

/** A complete 0-row Parquet file with the same schema and key/value metadata (for reading the schema). */
export function schemaOnlyFile(footer: ParquetFooter): Uint8Array {
  let metadata = withField(footer.metadata, FILE.numRows, ThriftType.I64, 0n);
  metadata = withField(metadata, FILE.rowGroups, ThriftType.LIST, emptyList(ThriftType.STRUCT));
  return concat([Buffer.from(PARQUET_MAGIC, 'latin1'), trailer(metadata)]);
}

/**
 * A complete Parquet file holding one top-level column of one row group: the schema cut down to that column,
 * its column chunk bytes (`chunkBytes[i]` read from the range of leaf `column.leaves[i]`) and no embedded Arrow
 * schema (the decoder derives the Arrow type from the Parquet types; the full schema hint would not match a
 * one-column file). The decoder reads every column of a file, so this is how one column is decoded alone.
 */
export function columnChunkFile(
  footer: ParquetFooter,
  rowGroup: number,
  column: TopLevelColumn,
  chunkBytes: readonly Uint8Array[],
): Uint8Array {
  const layout = footer.rowGroups[rowGroup];
  const schema = fieldValue(footer.metadata, FILE.schema) as ThriftList;
  const rowGroups = fieldValue(footer.metadata, FILE.rowGroups) as ThriftList;
  const source = rowGroups.items[rowGroup] as ThriftStruct;
  const sourceChunks = fieldValue(source, ROW_GROUP.columns) as ThriftList;

  let offset = PARQUET_MAGIC.length;
  const chunks = column.leaves.map((leaf, i) => {
    const moved = relocateChunk(sourceChunks.items[leaf] as ThriftStruct, offset - layout.chunks[leaf].start);
    offset += chunkBytes[i].length;
    return moved;
  });
  let group = withField(source, ROW_GROUP.columns, ThriftType.LIST, { ...sourceChunks, items: chunks });
  group = withoutFields(group, [
    ROW_GROUP.sortingColumns,
    ROW_GROUP.fileOffset,
    ROW_GROUP.totalCompressedSize,
    ROW_GROUP.ordinal,
  ]);

  const root = withField(schema.items[0] as ThriftStruct, SCHEMA_ELEMENT.numChildren, ThriftType.I32, 1);
  const elements = schema.items.slice(column.schemaElements[0], column.schemaElements[1]);
  let metadata = withField(footer.metadata, FILE.schema, ThriftType.LIST, { ...schema, items: [root, ...elements] });
  metadata = withField(metadata, FILE.numRows, ThriftType.I64, BigInt(layout.numRows));
  metadata = withField(metadata, FILE.rowGroups, ThriftType.LIST, { ...rowGroups, items: [group] });
  const columnOrders = fieldValue(metadata, FILE.columnOrders) as ThriftList | undefined;
  if (columnOrders) {
    const items = column.leaves.map((leaf) => columnOrders.items[leaf]);
    metadata = withField(metadata, FILE.columnOrders, ThriftType.LIST, { ...columnOrders, items });
  }
  metadata = withoutArrowSchema(metadata);
  return concat([Buffer.from(PARQUET_MAGIC, 'latin1'), ...chunkBytes, trailer(metadata)]);
}

function withoutArrowSchema(metadata: ThriftStruct): ThriftStruct {
  const keyValues = fieldValue(metadata, FILE.keyValueMetadata) as ThriftList | undefined;
  if (!keyValues) return metadata;
  const items = keyValues.items.filter((kv) => {
    const key = fieldValue(kv as ThriftStruct, 1);
    return !(key instanceof Uint8Array && Buffer.from(key).toString('utf8') === ARROW_SCHEMA_KEY);
  });
  return withField(metadata, FILE.keyValueMetadata, ThriftType.LIST, { ...keyValues, items });
}

/** Moves a chunk's page offsets by `shift` bytes. */
function relocateChunk(chunk: ThriftStruct, shift: number): ThriftStruct {
  const meta = fieldValue(chunk, COLUMN_CHUNK.metaData) as ThriftStruct;
  let moved = withoutFields(meta, [COLUMN_META.bloomFilterOffset, COLUMN_META.bloomFilterLength]);
  for (const id of [COLUMN_META.dataPageOffset, COLUMN_META.indexPageOffset, COLUMN_META.dictionaryPageOffset]) {
    const value = fieldValue(moved, id);
    if (typeof value !== 'bigint') continue;
    moved = withField(moved, id, ThriftType.I64, value + BigInt(shift));
  }
  let out = withField(chunk, COLUMN_CHUNK.metaData, ThriftType.STRUCT, moved);
  const fileOffset = fieldValue(out, COLUMN_CHUNK.fileOffset);
  if (typeof fileOffset === 'bigint') {
    out = withField(out, COLUMN_CHUNK.fileOffset, ThriftType.I64, fileOffset + BigInt(shift));
  }
  // page indexes live outside the chunk's byte range: not copied, so not referenced
  return withoutFields(out, [
    COLUMN_CHUNK.offsetIndexOffset,
    COLUMN_CHUNK.offsetIndexLength,
    COLUMN_CHUNK.columnIndexOffset,
    COLUMN_CHUNK.columnIndexLength,
  ]);
}

function rowGroupLayout(group: ThriftStruct, index: number, leafCount: number, dataEnd: number): RowGroupLayout {
  const chunks = listOf(group, ROW_GROUP.columns, `row group ${index} columns`).items.map((c, leaf) => {
    const chunk = c as ThriftStruct;
    if (fieldValue(chunk, COLUMN_CHUNK.filePath) !== undefined) {
      throw new FooterError(`row group ${index} column ${leaf} lives in another file (file_path is set)`);
    }
    const meta = fieldValue(chunk, COLUMN_CHUNK.metaData);
    if (!meta || typeof meta !== 'object' || !('kind' in meta) || meta.kind !== 'struct') {
      throw new FooterError(`row group ${index} column ${leaf} has no column metadata`);
    }
    return chunkRange(meta, `row group ${index} column ${leaf}`, dataEnd);
  });
  if (chunks.length !== leafCount) {
    throw new FooterError(`row group ${index} has ${chunks.length} column chunks, the schema has ${leafCount} columns`);
  }
  return { numRows: int(group, ROW_GROUP.numRows, `row group ${index} num_rows`), chunks };
}

function chunkRange(meta: ThriftStruct, what: string, dataEnd: number): ColumnChunkRange {
  const data = int(meta, COLUMN_META.dataPageOffset, `${what} data_page_offset`);
  const dictionary = fieldValue(meta, COLUMN_META.dictionaryPageOffset);
  // some writers store 0 for "no dictionary page"
  const start = typeof dictionary === 'bigint' && dictionary > 0n ? Math.min(Number(dictionary), data) : data;
  const length = int(meta, COLUMN_META.totalCompressedSize, `${what} total_compressed_size`);
  if (start < PARQUET_MAGIC.length || length < 0 || start + length > dataEnd) {
    throw new FooterError(`${what} claims bytes ${start}..${start + length}, outside the data region 4..${dataEnd}`);
  }
  return { start, length };
}

function topLevelColumns(schema: ThriftStruct[]): TopLevelColumn[] {
  if (schema.length === 0) throw new FooterError('empty schema');
  const rootChildren = childCount(schema[0]);
  const columns: TopLevelColumn[] = [];
  let index = 1;
  let leaf = 0;
  // Depth-first walk: an element with num_children is a group whose children follow it.
  const walk = (): number => {
    if (index >= schema.length) throw new FooterError('schema ends inside a group');
    const element = schema[index++];
    const children = childCount(element);
    if (fieldValue(element, SCHEMA_ELEMENT.type) !== undefined) {
      leaf++;
      return 1;
    }
    let leaves = 0;
    for (let i = 0; i < children; i++) leaves += walk();
    return leaves;
  };
  for (let c = 0; c < rootChildren; c++) {
    const element = schema[index];
    if (!element) throw new FooterError('schema has fewer columns than the root declares');
    const name = Buffer.from(binary(element, SCHEMA_ELEMENT.name, 'schema element name')).toString('utf8');
    const first = leaf;
    const nested = fieldValue(element, SCHEMA_ELEMENT.type) === undefined;
    const from = index;
    const count = walk();
    columns.push({ name, nested, leaves: Array.from({ length: count }, (_, i) => first + i), schemaElements: [from, index] });
  }
  return columns;
}

function childCount(element: ThriftStruct): number {
  const value = fieldValue(element, SCHEMA_ELEMENT.numChildren);
  return typeof value === 'number' ? value : 0;
}

function listOf(struct: ThriftStruct, id: number, what: string): ThriftList {
  const value = fieldValue(struct, id);
  if (value && typeof value === 'object' && 'kind' in value && value.kind === 'list') return value;
  throw new FooterError(`missing ${what}`);
}

function int(struct: ThriftStruct, id: number, what: string): number {
  const value = fieldValue(struct, id);
  if (typeof value === 'bigint' || typeof value === 'number') {
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= 0) return n;
    throw new FooterError(`${what} is ${value}`);
  }
  throw new FooterError(`missing ${what}`);
}

function binary(struct: ThriftStruct, id: number, what: string): Uint8Array {
  const value = fieldValue(struct, id);
  if (value instanceof Uint8Array) return value;
  throw new FooterError(`missing ${what}`);
}

function emptyList(elemType: number): ThriftList {
  return { kind: 'list', wireType: ThriftType.LIST, elemType, items: [] };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
