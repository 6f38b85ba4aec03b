// Test helper: what the normalized output must hold for a source table, computed from the source values and
// the documented casts alone (not from the engine's code), and the assertion that an output matches it.
import * as arrow from 'apache-arrow';
import { expect } from 'vitest';
import { type CanonicalColumn, type DatasetSchema, canonicalArrowSchema } from '../schemas/canonical';
import { columnValues } from './parquet-readback';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The canonical values of `column` for every source row (before any row is dropped). */
export function expectedValues(source: arrow.Table, column: CanonicalColumn): unknown[] {
  const field = source.schema.fields.find((f) => column.sourceNames.includes(f.name));
  if (!field || arrow.DataType.isNull(field.type)) return new Array(source.numRows).fill(null);
  const values = columnValues(source, field.name);
  switch (column.kind) {
    case 'timestamp_us': {
      const unit = (field.type as arrow.Timestamp).unit;
      return values.map((v) => (v === null ? null : toMicros(v as bigint, unit)));
    }
    case 'int32':
      return values.map((v) => {
        const n = v === null ? NaN : Number(v);
        return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : null;
      });
    case 'float32':
      return values.map((v) => (v === null ? null : Math.fround(Number(v))));
    case 'dictionary_utf8':
      return values;
    case 'flag_bool':
      return values.map((v) => {
        if (v === 'Y' || v === true || v === 1 || v === 1n) return true;
        if (v === 'N' || v === false || v === 0 || v === 0n) return false;
        return null;
      });
  }
}

export function toMicros(v: bigint, unit: arrow.TimeUnit): bigint {
  switch (unit) {
    case arrow.TimeUnit.SECOND:
      return v * 1_000_000n;
    case arrow.TimeUnit.MILLISECOND:
      return v * 1000n;
    case arrow.TimeUnit.NANOSECOND:
      return v >= 0n ? v / 1000n : -((-v + 999n) / 1000n); // floor
    default:
      return v;
  }
}

/** The output has exactly the canonical schema, and holds the source rows not in `droppedRows`, cast as documented. */
export function expectNormalizedOutput(
  schema: DatasetSchema,
  source: arrow.Table,
  output: arrow.Table,
  droppedRows: readonly number[] = [],
): void {
  const describe = (s: arrow.Schema) => s.fields.map((f) => `${f.name}: ${f.type} ${f.nullable ? 'null' : 'not null'}`);
  expect(describe(output.schema)).toEqual(describe(canonicalArrowSchema(schema)));
  for (const field of output.schema.fields) {
    if (!arrow.DataType.isTimestamp(field.type)) continue;
    expect(field.type.unit, field.name).toBe(arrow.TimeUnit.MICROSECOND);
    expect(field.type.timezone ?? null, field.name).toBeNull();
  }
  const dropped = new Set(droppedRows);
  const kept = Array.from({ length: source.numRows }, (_, i) => i).filter((i) => !dropped.has(i));
  expect(output.numRows).toBe(kept.length);
  for (const column of schema.columns) {
    const expected = expectedValues(source, column);
    expect(columnValues(output, column.name), column.name).toEqual(kept.map((i) => expected[i]));
  }
}
