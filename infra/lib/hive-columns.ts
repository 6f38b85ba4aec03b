// The Glue (Hive) columns of a dataset's table, generated from the Arrow schema of the Parquet files the engine
// writes (@sluice/normalize's outputSchemaFor): the canonical schemas stay the one source of truth.
import * as arrow from 'apache-arrow';

export interface HiveColumn {
  name: string;
  type: string;
}

/**
 * The Hive type Athena reads an Arrow (Parquet) column as. Only what has an exact Hive counterpart: an unsigned
 * integer, a half float or a zoned timestamp would be read as something else, so they fail synth instead.
 */
export function hiveTypeOf(type: arrow.DataType): string {
  if (arrow.DataType.isDictionary(type)) return hiveTypeOf(type.dictionary); // a Parquet encoding, not a type
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return 'string';
  if (arrow.DataType.isBool(type)) return 'boolean';
  if (arrow.DataType.isInt(type) && type.isSigned) {
    const byWidth: Record<number, string> = { 8: 'tinyint', 16: 'smallint', 32: 'int', 64: 'bigint' };
    return byWidth[type.bitWidth];
  }
  if (arrow.DataType.isFloat(type) && type.precision !== arrow.Precision.HALF) {
    return type.precision === arrow.Precision.SINGLE ? 'float' : 'double';
  }
  // A wall-clock timestamp (no zone), whatever the unit: Athena's TIMESTAMP holds up to microseconds of it.
  if (arrow.DataType.isTimestamp(type) && !type.timezone) return 'timestamp';
  if (arrow.DataType.isDate(type)) return 'date';
  throw new Error(`no Hive type for the Arrow type ${type}: map it in infra/lib/hive-columns.ts`);
}

/**
 * One column per field, in order. Names are lower-cased, as the Glue catalog keeps them: Athena matches Parquet
 * columns by name case-insensitively, so `VendorID` in the file is `vendorid` in the table.
 */
export function hiveColumnsOf(schema: arrow.Schema): HiveColumn[] {
  const columns = schema.fields.map((field) => ({ name: field.name.toLowerCase(), type: hiveTypeOf(field.type) }));
  const seen = new Set<string>();
  for (const { name } of columns) {
    if (seen.has(name)) throw new Error(`two columns are both '${name}' once lower-cased; Athena could not tell them apart`);
    seen.add(name);
  }
  return columns;
}
