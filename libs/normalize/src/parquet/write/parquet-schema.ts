// The Parquet schema of an Arrow schema the engine writes: flat columns of int32, float32, timestamp(µs),
// bool and Dictionary<int, Utf8>, nullable or not, annotated as arrow-rs annotates them (so DuckDB, arrow-rs
// and pyarrow read the same types whether or not they look at ARROW:schema).
import * as arrow from 'apache-arrow';
import {
  ConvertedType,
  LogicalTypeField,
  PhysicalType,
  Repetition,
  SchemaElementField as E,
  TimeUnitField,
  TimestampTypeField,
} from '../format';
import { ThriftType } from '../thrift-compact';
import type { ThriftCompactWriter } from '../thrift-compact-writer';

export type ColumnKind = 'int32' | 'float32' | 'timestamp_us' | 'boolean' | 'dictionary_utf8';

export interface ColumnDescriptor {
  name: string;
  kind: ColumnKind;
  physicalType: number;
  optional: boolean;
  /** timestamp_us: true when the Arrow type has a time zone (instants), false for wall-clock times. */
  utcAdjusted: boolean;
}

export class UnsupportedColumnError extends Error {}

export function describeColumns(schema: arrow.Schema): ColumnDescriptor[] {
  return schema.fields.map((field) => {
    const base = { name: field.name, optional: field.nullable, utcAdjusted: false };
    const type = field.type;
    if (arrow.DataType.isInt(type) && type.bitWidth === 32 && type.isSigned) return { ...base, kind: 'int32', physicalType: PhysicalType.INT32 };
    if (arrow.DataType.isFloat(type) && type.precision === arrow.Precision.SINGLE) return { ...base, kind: 'float32', physicalType: PhysicalType.FLOAT };
    if (arrow.DataType.isBool(type)) return { ...base, kind: 'boolean', physicalType: PhysicalType.BOOLEAN };
    if (arrow.DataType.isTimestamp(type) && type.unit === arrow.TimeUnit.MICROSECOND) {
      return { ...base, kind: 'timestamp_us', physicalType: PhysicalType.INT64, utcAdjusted: Boolean(type.timezone) };
    }
    // codes read as JS numbers: up to 32-bit indices (Arrow JS holds 64-bit ones as BigInt64Array)
    if (arrow.DataType.isDictionary(type) && arrow.DataType.isUtf8(type.dictionary) && type.indices.bitWidth <= 32) {
      return { ...base, kind: 'dictionary_utf8', physicalType: PhysicalType.BYTE_ARRAY };
    }
    throw new UnsupportedColumnError(`the Parquet writer cannot write column '${field.name}' of type ${type}`);
  });
}

/** FileMetaData.schema (field `id`): the root, then one leaf per column. */
export function writeSchemaElements(w: ThriftCompactWriter, id: number, columns: readonly ColumnDescriptor[]): void {
  w.listField(id, ThriftType.STRUCT, columns.length + 1);
  w.structBegin();
  w.string(E.name, 'arrow_schema'); // arrow-rs's root name
  w.i32(E.numChildren, columns.length);
  w.structEnd();
  for (const column of columns) {
    w.structBegin();
    w.i32(E.type, column.physicalType);
    w.i32(E.repetitionType, column.optional ? Repetition.OPTIONAL : Repetition.REQUIRED);
    w.string(E.name, column.name);
    if (column.kind === 'dictionary_utf8') {
      w.i32(E.convertedType, ConvertedType.UTF8);
      w.structField(E.logicalType);
      w.emptyStruct(LogicalTypeField.STRING);
      w.structEnd();
    } else if (column.kind === 'timestamp_us') {
      w.i32(E.convertedType, ConvertedType.TIMESTAMP_MICROS);
      w.structField(E.logicalType);
      w.structField(LogicalTypeField.TIMESTAMP);
      w.bool(TimestampTypeField.isAdjustedToUTC, column.utcAdjusted);
      w.structField(TimestampTypeField.unit);
      w.emptyStruct(TimeUnitField.MICROS);
      w.structEnd();
      w.structEnd();
      w.structEnd();
    }
    w.structEnd();
  }
}
