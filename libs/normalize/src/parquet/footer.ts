// The Parquet footer (FileMetaData) as far as the reader needs it: where each column chunk of each row group
// lives, and how to cut a small self-contained Parquet file out of a big one (one row group, some columns),
// so that the synchronous decoder only ever sees the bytes it has to decode. parseFooter also validates what the
// footer declares (row counts, column chunk ranges, types, nesting) and hands the decoders typed descriptors:
// nothing past this module reads a thrift field number.
import { concatBytes } from './concat-bytes';
import {
  type ThriftList,
  type ThriftStruct,
  ThriftType,
  ThriftDecodeError,
  decodeStruct,
  encodeStruct,
  fieldValue,
  withField,
  withoutFields,
} from './thrift-compact';
import {
  ARROW_SCHEMA_KEY,
  Codec,
  ColumnChunkField,
  ColumnMetaDataField,
  FOOTER_TRAILER_BYTES,
  FileMetaDataField,
  PARQUET_MAGIC,
  PhysicalType,
  Repetition,
  RowGroupField,
  SchemaElementField,
} from './format';
import { type CorruptReason, CorruptParquetError, DEFAULT_DECODE_LIMITS, type DecodeLimits } from './limits';

const FILE = FileMetaDataField;
const SCHEMA_ELEMENT = SchemaElementField;
const ROW_GROUP = RowGroupField;
const COLUMN_CHUNK = ColumnChunkField;
const COLUMN_META = ColumnMetaDataField;

export class FooterError extends CorruptParquetError {}

export interface ColumnChunkRange {
  /** Absolute byte offset of the chunk's first page (dictionary page if any); 0 for an empty chunk. */
  start: number;
  length: number;
}

/** One leaf (primitive) column of the schema. */
export interface LeafColumn {
  /** Names from the top-level column down to this leaf. */
  path: string[];
  physicalType: PhysicalType;
  repetition: Repetition;
  /** 0 for a required flat column, 1 for an optional one; more inside groups. */
  maxDefinitionLevel: number;
  maxRepetitionLevel: number;
}

/** One column chunk, as its ColumnMetaData declares it, checked against the schema and the file. */
export interface ColumnChunk extends ColumnChunkRange {
  leaf: number;
  /** The leaf column's path in the schema (the chunk's path_in_schema must say the same). */
  path: string[];
  /** The path joined with '.': how messages name the column. */
  name: string;
  repetition: Repetition;
  physicalType: PhysicalType;
  codec: Codec;
  encodings: number[];
  /** Values including nulls (= rows of a flat column). */
  numValues: number;
  dataPageOffset: number;
  dictionaryPageOffset: number | undefined;
  totalCompressedSize: number;
  totalUncompressedSize: number;
}

export interface RowGroupLayout {
  numRows: number;
  /** One entry per leaf column, in schema order. */
  chunks: ColumnChunk[];
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
  leaves: LeafColumn[];
  rowGroups: RowGroupLayout[];
}

/**
 * Decodes and validates the thrift FileMetaData; `dataEnd` is where the footer starts (chunks must end before it).
 * Throws FooterError (a CorruptParquetError) when the footer declares what the file cannot hold.
 */
export function parseFooter(footerBytes: Uint8Array, dataEnd: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): ParquetFooter {
  const metadata = decodeMetadata(footerBytes, limits);
  const schema = listOf(metadata, FILE.schema, 'schema');
  const { columns, leaves } = walkSchema(schema.items as ThriftStruct[], limits.maxSchemaDepth);
  const numRows = int(metadata, FILE.numRows, 'num_rows');
  if (numRows > limits.maxFileRows) {
    throw new FooterError('too_many_rows', `the file claims ${numRows} rows, more than the ${limits.maxFileRows} allowed (MAX_FILE_ROWS)`);
  }
  const rowGroups = listOf(metadata, FILE.rowGroups, 'row_groups').items.map((rg, i) =>
    rowGroupLayout(rg as ThriftStruct, i, leaves, dataEnd, limits),
  );
  const sum = rowGroups.reduce((n, rg) => n + rg.numRows, 0);
  if (sum !== numRows) {
    throw new FooterError('row_count_mismatch', `the file claims ${numRows} rows, its ${rowGroups.length} row groups hold ${sum}`);
  }
  checkNoOverlap(rowGroups);
  return { metadata, numRows, columns, leaves, rowGroups };
}

function decodeMetadata(bytes: Uint8Array, limits: DecodeLimits): ThriftStruct {
  try {
    return decodeStruct(bytes, { maxDepth: limits.maxThriftDepth, maxObjects: limits.maxFooterObjects }).struct;
  } catch (error) {
    if (!(error instanceof ThriftDecodeError)) throw error;
    const reason: CorruptReason =
      error.failure === 'too_deep' ? 'thrift_too_deep' : error.failure === 'too_large' ? 'thrift_too_large' : 'thrift_invalid';
    throw new FooterError(reason, `the footer (${bytes.length} bytes): ${error.message}`, { cause: error });
  }
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
  return concatBytes([Buffer.from(PARQUET_MAGIC, 'latin1'), trailer(metadata)]);
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
  return concatBytes([Buffer.from(PARQUET_MAGIC, 'latin1'), ...chunkBytes, trailer(metadata)]);
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

function rowGroupLayout(
  group: ThriftStruct,
  index: number,
  leaves: readonly LeafColumn[],
  dataEnd: number,
  limits: DecodeLimits,
): RowGroupLayout {
  const numRows = int(group, ROW_GROUP.numRows, `row group ${index} num_rows`);
  if (numRows > limits.maxFileRows) {
    throw new FooterError('too_many_rows', `row group ${index} claims ${numRows} rows, more than the ${limits.maxFileRows} allowed (MAX_FILE_ROWS)`);
  }
  const list = listOf(group, ROW_GROUP.columns, `row group ${index} columns`);
  if (list.items.length !== leaves.length) {
    throw new FooterError('chunk_invalid', `row group ${index} has ${list.items.length} column chunks, the schema has ${leaves.length} columns`);
  }
  const chunks = list.items.map((c, leaf) => {
    const chunk = c as ThriftStruct;
    const what = `column '${leafName(leaves[leaf])}' of row group ${index}`;
    if (fieldValue(chunk, COLUMN_CHUNK.filePath) !== undefined) {
      throw new FooterError('chunk_invalid', `${what} lives in another file (file_path is set)`);
    }
    const meta = fieldValue(chunk, COLUMN_CHUNK.metaData);
    if (!meta || typeof meta !== 'object' || !('kind' in meta) || meta.kind !== 'struct') {
      throw new FooterError('chunk_invalid', `${what} has no column metadata`);
    }
    const descriptor = columnChunk(meta, leaf, leaves[leaf], what, dataEnd);
    // a flat column holds one value per row; a repeated one at least one per row
    const flat = leaves[leaf].maxRepetitionLevel === 0;
    if (flat ? descriptor.numValues !== numRows : descriptor.numValues < numRows) {
      throw new FooterError(
        'row_count_mismatch',
        `${what} holds ${descriptor.numValues} values, the row group claims ${numRows} rows`,
      );
    }
    return descriptor;
  });
  return { numRows, chunks };
}

const CODECS = new Set<number>(Object.values(Codec));

function columnChunk(meta: ThriftStruct, leaf: number, column: LeafColumn, what: string, dataEnd: number): ColumnChunk {
  const physicalType = int(meta, COLUMN_META.type, `${what} type`);
  if (physicalType !== column.physicalType) {
    throw new FooterError('chunk_invalid', `${what} declares physical type ${physicalType}, the schema ${column.physicalType}`);
  }
  const codec = int(meta, COLUMN_META.codec, `${what} codec`);
  if (!CODECS.has(codec)) throw new FooterError('chunk_invalid', `${what} declares unknown codec ${codec}`);
  const encodingList = fieldValue(meta, COLUMN_META.encodings);
  const encodings =
    encodingList && typeof encodingList === 'object' && 'kind' in encodingList && encodingList.kind === 'list'
      ? encodingList.items.filter((e): e is number => typeof e === 'number')
      : [];
  const numValues = int(meta, COLUMN_META.numValues, `${what} num_values`);
  const totalCompressedSize = int(meta, COLUMN_META.totalCompressedSize, `${what} total_compressed_size`);
  const totalUncompressedSize = int(meta, COLUMN_META.totalUncompressedSize, `${what} total_uncompressed_size`);
  const dataPageOffset = int(meta, COLUMN_META.dataPageOffset, `${what} data_page_offset`);
  const dictionary = fieldValue(meta, COLUMN_META.dictionaryPageOffset);
  // some writers store 0 for "no dictionary page"
  const dictionaryPageOffset = typeof dictionary === 'bigint' && dictionary > 0n ? Number(dictionary) : undefined;
  const pathInSchema = fieldValue(meta, COLUMN_META.pathInSchema);
  if (pathInSchema && typeof pathInSchema === 'object' && 'kind' in pathInSchema && pathInSchema.kind === 'list') {
    const path = pathInSchema.items.map((p) => (p instanceof Uint8Array ? Buffer.from(p).toString('utf8') : String(p)));
    if (path.join('.') !== leafName(column)) {
      throw new FooterError('chunk_invalid', `${what} declares path_in_schema '${path.join('.')}'`);
    }
  }
  const common = {
    leaf,
    path: column.path,
    name: leafName(column),
    repetition: column.repetition,
    physicalType: physicalType as PhysicalType,
    codec: codec as Codec,
    encodings,
    numValues,
    dataPageOffset,
    dictionaryPageOffset,
    totalCompressedSize,
    totalUncompressedSize,
  };
  // Arrow writes a 0-row column chunk as no pages at all, at data_page_offset 0: nothing to read, from nowhere
  if (numValues === 0 && (dataPageOffset === 0 || totalCompressedSize === 0)) return { ...common, start: 0, length: 0 };
  const start = dictionaryPageOffset !== undefined ? Math.min(dictionaryPageOffset, dataPageOffset) : dataPageOffset;
  const length = totalCompressedSize;
  if (start < PARQUET_MAGIC.length || start + length > dataEnd || dataPageOffset >= start + length) {
    throw new FooterError(
      'chunk_out_of_bounds',
      `${what} claims bytes ${start}..${start + length} (data page at ${dataPageOffset}), outside the data region 4..${dataEnd}`,
    );
  }
  return { ...common, start, length };
}

/** Column chunks own their bytes: two that share any would decode one column's pages as another's. */
function checkNoOverlap(rowGroups: readonly RowGroupLayout[]): void {
  const ranges = rowGroups
    .flatMap((rg, index) => rg.chunks.map((chunk) => ({ chunk, index })))
    .filter(({ chunk }) => chunk.length > 0)
    .sort((a, b) => a.chunk.start - b.chunk.start);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1];
    const next = ranges[i];
    if (prev.chunk.start + prev.chunk.length > next.chunk.start) {
      throw new FooterError(
        'chunks_overlap',
        `column '${prev.chunk.name}' of row group ${prev.index} (bytes ${prev.chunk.start}..${prev.chunk.start + prev.chunk.length}) ` +
          `overlaps column '${next.chunk.name}' of row group ${next.index} (bytes ${next.chunk.start}..${next.chunk.start + next.chunk.length})`,
      );
    }
  }
}

function leafName(leaf: LeafColumn): string {
  return leaf.path.join('.');
}

interface GroupFrame {
  /** Children not yet visited. */
  left: number;
  definition: number;
  repetition: number;
  path: string[];
}

/**
 * The schema is a depth-first list: an element with num_children is a group whose children follow it. Walked
 * with an explicit stack bounded by `maxDepth`, so a 200k-deep schema is refused, not a stack overflow.
 */
function walkSchema(schema: ThriftStruct[], maxDepth: number): { columns: TopLevelColumn[]; leaves: LeafColumn[] } {
  if (schema.length === 0) throw new FooterError('schema_invalid', 'empty schema');
  const rootChildren = childCount(schema[0], 0, schema.length);
  const columns: TopLevelColumn[] = [];
  const leaves: LeafColumn[] = [];
  const root: GroupFrame = { left: rootChildren, definition: 0, repetition: 0, path: [] };
  let index = 1;
  while (root.left > 0) {
    if (index >= schema.length) throw new FooterError('schema_invalid', 'schema has fewer columns than the root declares');
    const from = index;
    const firstLeaf = leaves.length;
    const stack: GroupFrame[] = [root];
    let name = '';
    let nested = false;
    do {
      const parent = stack[stack.length - 1];
      parent.left--;
      if (index >= schema.length) throw new FooterError('schema_invalid', 'schema ends inside a group');
      const element = schema[index];
      const elementName = Buffer.from(binary(element, SCHEMA_ELEMENT.name, `schema element ${index} name`)).toString('utf8');
      const repetitionValue = fieldValue(element, SCHEMA_ELEMENT.repetitionType);
      const repetition = (typeof repetitionValue === 'number' ? repetitionValue : Repetition.REQUIRED) as Repetition;
      if (repetition !== Repetition.REQUIRED && repetition !== Repetition.OPTIONAL && repetition !== Repetition.REPEATED) {
        throw new FooterError('schema_invalid', `schema element '${elementName}' has repetition ${repetition}`);
      }
      const definition = parent.definition + (repetition === Repetition.REQUIRED ? 0 : 1);
      const repeated = parent.repetition + (repetition === Repetition.REPEATED ? 1 : 0);
      const path = [...parent.path, elementName];
      const type = fieldValue(element, SCHEMA_ELEMENT.type);
      if (stack.length === 1) {
        name = elementName;
        nested = type === undefined;
      }
      index++;
      if (type !== undefined) {
        if (typeof type !== 'number') throw new FooterError('schema_invalid', `schema element '${elementName}' has type ${type}`);
        leaves.push({ path, physicalType: type as PhysicalType, repetition, maxDefinitionLevel: definition, maxRepetitionLevel: repeated });
      } else {
        const children = childCount(element, index, schema.length);
        if (children > 0) {
          if (stack.length > maxDepth) {
            throw new FooterError('schema_too_deep', `column '${name}' nests groups deeper than ${maxDepth} levels`);
          }
          stack.push({ left: children, definition, repetition: repeated, path });
        }
      }
      while (stack.length > 1 && stack[stack.length - 1].left === 0) stack.pop();
    } while (stack.length > 1);
    const count = leaves.length - firstLeaf;
    columns.push({ name, nested, leaves: Array.from({ length: count }, (_, i) => firstLeaf + i), schemaElements: [from, index] });
  }
  return { columns, leaves };
}

/** num_children of a group whose children start at `from`: each child is at least one more element. */
function childCount(element: ThriftStruct, from: number, elements: number): number {
  const value = fieldValue(element, SCHEMA_ELEMENT.numChildren);
  const children = typeof value === 'number' ? value : 0;
  if (children < 0 || children > elements - from) {
    throw new FooterError('schema_invalid', `a schema group claims ${children} children, ${elements - from} elements follow it`);
  }
  return children;
}

function listOf(struct: ThriftStruct, id: number, what: string): ThriftList {
  const value = fieldValue(struct, id);
  if (value && typeof value === 'object' && 'kind' in value && value.kind === 'list') return value;
  throw new FooterError('chunk_invalid', `missing ${what}`);
}

function int(struct: ThriftStruct, id: number, what: string): number {
  const value = fieldValue(struct, id);
  if (typeof value === 'bigint' || typeof value === 'number') {
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= 0) return n;
    throw new FooterError('chunk_invalid', `${what} is ${value}`);
  }
  throw new FooterError('chunk_invalid', `missing ${what}`);
}

function binary(struct: ThriftStruct, id: number, what: string): Uint8Array {
  const value = fieldValue(struct, id);
  if (value instanceof Uint8Array) return value;
  throw new FooterError('chunk_invalid', `missing ${what}`);
}

function emptyList(elemType: number): ThriftList {
  return { kind: 'list', wireType: ThriftType.LIST, elemType, items: [] };
}

