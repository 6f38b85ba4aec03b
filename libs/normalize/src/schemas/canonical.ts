// What a canonical (output) schema is made of: column kinds, their exact Arrow types, and which source
// Arrow types each kind accepts. Datasets declare their columns in `<dataset>.schema.ts` with these kinds.
import * as arrow from 'apache-arrow';
import type { QualityRuleSpec } from '../quality';

/**
 * - `dictionary_utf8`: Dictionary<Int32, Utf8>: low-cardinality strings (base numbers, license numbers).
 * - `timestamp_us`: Timestamp(µs) with no time zone: the TLC publishes New York wall-clock times; labelling them
 *   UTC would be a lie. DuckDB reads them as TIMESTAMP.
 * - `int32`, `float32`: narrowed numbers.
 * - `flag_bool`: 'Y' → true, 'N' → false, anything else (null, ' ', '') → null.
 */
export type CanonicalKind = 'dictionary_utf8' | 'timestamp_us' | 'int32' | 'float32' | 'flag_bool';

export interface CanonicalColumn {
  name: string;
  kind: CanonicalKind;
  /** Source column names accepted for it, in order of preference; the canonical name first. */
  sourceNames: readonly string[];
  /** An optional column absent from the source becomes an all-null column. */
  optional?: boolean;
  /**
   * Source classes accepted for this column beyond its kind's (ACCEPTED_SOURCES), for drift seen in the real
   * files: e.g. `['float']` for an int32 column some files store as double with nulls (non-integral values
   * become null), `['integer', 'float']` for a flag stored as 1/0 (1 → true, 0 → false, other → null).
   */
  alsoAccepts?: readonly SourceClass[];
}

export interface DatasetSchema {
  /** Goes into every manifest: bump it when columns, types or rules change. */
  version: string;
  columns: readonly CanonicalColumn[];
  /** Quality rules in evaluation order; they read canonical columns of `columns`. */
  rules: readonly QualityRuleSpec[];
}

/** How a source column's Arrow type is classified for mapping. */
export type SourceClass = 'string' | 'timestamp' | 'integer' | 'float' | 'bool' | 'null' | 'unsupported';

export const ACCEPTED_SOURCES: Record<CanonicalKind, readonly SourceClass[]> = {
  dictionary_utf8: ['string', 'null'],
  timestamp_us: ['timestamp', 'null'],
  int32: ['integer', 'null'],
  float32: ['float', 'integer', 'null'],
  flag_bool: ['string', 'bool', 'null'],
};

/** Source classes a column accepts: its kind's, plus its own `alsoAccepts`. */
export function acceptedSources(column: CanonicalColumn): readonly SourceClass[] {
  return [...ACCEPTED_SOURCES[column.kind], ...(column.alsoAccepts ?? [])];
}

/** Time zones whose instants are the stored values unchanged (no zone, or UTC spelled some way). */
const UTC_ZONES = new Set(['', 'UTC', 'Etc/UTC', 'utc', 'Z', '+00:00', 'GMT']);

export function sourceClassOf(type: arrow.DataType): SourceClass {
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return 'string';
  if (arrow.DataType.isDictionary(type)) {
    const values = type.dictionary;
    return arrow.DataType.isUtf8(values) || arrow.DataType.isLargeUtf8(values) ? 'string' : 'unsupported';
  }
  if (arrow.DataType.isTimestamp(type)) return UTC_ZONES.has(type.timezone ?? '') ? 'timestamp' : 'unsupported';
  if (arrow.DataType.isInt(type)) return 'integer';
  if (arrow.DataType.isFloat(type)) return type.precision === arrow.Precision.HALF ? 'unsupported' : 'float';
  if (arrow.DataType.isBool(type)) return 'bool';
  if (arrow.DataType.isNull(type)) return 'null';
  return 'unsupported';
}

export function arrowTypeOf(kind: CanonicalKind): arrow.DataType {
  switch (kind) {
    case 'dictionary_utf8':
      return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    case 'timestamp_us':
      return new arrow.TimestampMicrosecond();
    case 'int32':
      return new arrow.Int32();
    case 'float32':
      return new arrow.Float32();
    case 'flag_bool':
      return new arrow.Bool();
  }
}

/** The exact output Arrow schema: every column nullable (nulls stay nulls). */
export function canonicalArrowSchema(schema: DatasetSchema): arrow.Schema {
  return new arrow.Schema(schema.columns.map((c) => new arrow.Field(c.name, arrowTypeOf(c.kind), true)));
}
