// Every Parquet constant the reader and the writer share, from parquet.thrift (apache/parquet-format): the enums
// (physical types, encodings, codecs, page types, repetition, converted types) and the thrift field ids of the
// structs we read or write. One place, so that no module spells a field number or an enum value of its own.

/** `Type`: how values are stored. */
export const PhysicalType = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  INT96: 3,
  FLOAT: 4,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
  FIXED_LEN_BYTE_ARRAY: 7,
} as const;
export type PhysicalType = (typeof PhysicalType)[keyof typeof PhysicalType];

/** `ConvertedType` (the pre-LogicalType annotations, still written for old readers). */
export const ConvertedType = {
  UTF8: 0,
  MAP: 1,
  MAP_KEY_VALUE: 2,
  LIST: 3,
  ENUM: 4,
  DECIMAL: 5,
  DATE: 6,
  TIME_MILLIS: 7,
  TIME_MICROS: 8,
  TIMESTAMP_MILLIS: 9,
  TIMESTAMP_MICROS: 10,
  UINT_8: 11,
  UINT_16: 12,
  UINT_32: 13,
  UINT_64: 14,
  INT_8: 15,
  INT_16: 16,
  INT_32: 17,
  INT_64: 18,
  JSON: 19,
  BSON: 20,
  INTERVAL: 21,
} as const;
export type ConvertedType = (typeof ConvertedType)[keyof typeof ConvertedType];

/** `FieldRepetitionType`. */
export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export type Repetition = (typeof Repetition)[keyof typeof Repetition];

/** `Encoding`. RLE and BIT_PACKED are level encodings; 1 (GROUP_VAR_INT) was never used. */
export const Encoding = {
  PLAIN: 0,
  PLAIN_DICTIONARY: 2,
  RLE: 3,
  BIT_PACKED: 4,
  DELTA_BINARY_PACKED: 5,
  DELTA_LENGTH_BYTE_ARRAY: 6,
  DELTA_BYTE_ARRAY: 7,
  RLE_DICTIONARY: 8,
  BYTE_STREAM_SPLIT: 9,
} as const;
export type Encoding = (typeof Encoding)[keyof typeof Encoding];

/** `CompressionCodec`. */
export const Codec = {
  UNCOMPRESSED: 0,
  SNAPPY: 1,
  GZIP: 2,
  LZO: 3,
  BROTLI: 4,
  LZ4: 5,
  ZSTD: 6,
  LZ4_RAW: 7,
} as const;
export type Codec = (typeof Codec)[keyof typeof Codec];

/** `PageType`. */
export const PageType = { DATA_PAGE: 0, INDEX_PAGE: 1, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;
export type PageType = (typeof PageType)[keyof typeof PageType];

/** `BoundaryOrder` (column index). */
export const BoundaryOrder = { UNORDERED: 0, ASCENDING: 1, DESCENDING: 2 } as const;

/** Field ids of the `LogicalType` union, and of the structs inside it. */
export const LogicalTypeField = {
  STRING: 1,
  MAP: 2,
  LIST: 3,
  ENUM: 4,
  DECIMAL: 5,
  DATE: 6,
  TIME: 7,
  TIMESTAMP: 8,
  INTEGER: 10,
  UNKNOWN: 11,
  JSON: 12,
  BSON: 13,
  UUID: 14,
  FLOAT16: 15,
} as const;
export const TimestampTypeField = { isAdjustedToUTC: 1, unit: 2 } as const;
export const TimeTypeField = { isAdjustedToUTC: 1, unit: 2 } as const;
/** `TimeUnit` union members. */
export const TimeUnitField = { MILLIS: 1, MICROS: 2, NANOS: 3 } as const;
export const IntTypeField = { bitWidth: 1, isSigned: 2 } as const;
export const DecimalTypeField = { scale: 1, precision: 2 } as const;

// Thrift field ids of the structs of parquet.thrift.

export const FileMetaDataField = {
  version: 1,
  schema: 2,
  numRows: 3,
  rowGroups: 4,
  keyValueMetadata: 5,
  createdBy: 6,
  columnOrders: 7,
  encryptionAlgorithm: 8,
  footerSigningKeyMetadata: 9,
} as const;

export const KeyValueField = { key: 1, value: 2 } as const;

export const SchemaElementField = {
  type: 1,
  typeLength: 2,
  repetitionType: 3,
  name: 4,
  numChildren: 5,
  convertedType: 6,
  scale: 7,
  precision: 8,
  fieldId: 9,
  logicalType: 10,
} as const;

export const RowGroupField = {
  columns: 1,
  totalByteSize: 2,
  numRows: 3,
  sortingColumns: 4,
  fileOffset: 5,
  totalCompressedSize: 6,
  ordinal: 7,
} as const;

export const ColumnChunkField = {
  filePath: 1,
  fileOffset: 2,
  metaData: 3,
  offsetIndexOffset: 4,
  offsetIndexLength: 5,
  columnIndexOffset: 6,
  columnIndexLength: 7,
  cryptoMetadata: 8,
  encryptedColumnMetadata: 9,
} as const;

export const ColumnMetaDataField = {
  type: 1,
  encodings: 2,
  pathInSchema: 3,
  codec: 4,
  numValues: 5,
  totalUncompressedSize: 6,
  totalCompressedSize: 7,
  keyValueMetadata: 8,
  dataPageOffset: 9,
  indexPageOffset: 10,
  dictionaryPageOffset: 11,
  statistics: 12,
  encodingStats: 13,
  bloomFilterOffset: 14,
  bloomFilterLength: 15,
  sizeStatistics: 16,
} as const;

export const StatisticsField = {
  max: 1,
  min: 2,
  nullCount: 3,
  distinctCount: 4,
  maxValue: 5,
  minValue: 6,
  isMaxValueExact: 7,
  isMinValueExact: 8,
} as const;

export const PageEncodingStatsField = { pageType: 1, encoding: 2, count: 3 } as const;

/** `ColumnOrder` union: TYPE_ORDER holds an empty TypeDefinedOrder struct. */
export const ColumnOrderField = { TYPE_ORDER: 1 } as const;

export const PageHeaderField = {
  type: 1,
  uncompressedPageSize: 2,
  compressedPageSize: 3,
  crc: 4,
  dataPageHeader: 5,
  indexPageHeader: 6,
  dictionaryPageHeader: 7,
  dataPageHeaderV2: 8,
} as const;

export const DataPageHeaderField = {
  numValues: 1,
  encoding: 2,
  definitionLevelEncoding: 3,
  repetitionLevelEncoding: 4,
  statistics: 5,
} as const;

export const DictionaryPageHeaderField = { numValues: 1, encoding: 2, isSorted: 3 } as const;

/** The page index: `ColumnIndex` and `OffsetIndex` (with its `PageLocation`s). */
export const ColumnIndexField = { nullPages: 1, minValues: 2, maxValues: 3, boundaryOrder: 4, nullCounts: 5 } as const;
export const OffsetIndexField = { pageLocations: 1 } as const;
export const PageLocationField = { offset: 1, compressedPageSize: 2, firstRowIndex: 3 } as const;

export const DataPageHeaderV2Field = {
  numValues: 1,
  numNulls: 2,
  numRows: 3,
  encoding: 4,
  definitionLevelsByteLength: 5,
  repetitionLevelsByteLength: 6,
  isCompressed: 7,
  statistics: 8,
} as const;

/** The file starts and ends with this; the footer is followed by its 4-byte length and the magic. */
export const PARQUET_MAGIC = 'PAR1';
/** 4-byte footer length + 4-byte magic. */
export const FOOTER_TRAILER_BYTES = 8;
/** The key/value metadata entry holding the writer's Arrow schema (an IPC schema message, base64). */
export const ARROW_SCHEMA_KEY = 'ARROW:schema';

/** Bytes of one PLAIN value of a fixed-width physical type (BOOLEAN is bit-packed: 1/8; others vary). */
export function plainValueBytes(type: PhysicalType): number | undefined {
  switch (type) {
    case PhysicalType.INT32:
    case PhysicalType.FLOAT:
      return 4;
    case PhysicalType.INT64:
    case PhysicalType.DOUBLE:
      return 8;
    case PhysicalType.INT96:
      return 12;
    default:
      return undefined;
  }
}
