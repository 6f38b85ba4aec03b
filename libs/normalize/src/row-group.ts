// Normalizes one source row group in windows of rows: every bound column is read in lockstep, one window at a
// time; the quality rules and the canonical casts run on the window, and its record batch goes to the writer.
// Memory is a window of every column, never a whole row group.
import * as arrow from 'apache-arrow';
import {
  dictionaryColumn,
  flagColumn,
  float32Column,
  int32Column,
  nullColumn,
  timestampColumn,
} from './columns/canonical-columns';
import {
  type CodedStrings,
  type NumberColumn,
  type TimestampColumn,
  type TriState,
  codedStrings,
  flagsOf,
  numbersOf,
  timestampsAsMicros,
} from './columns/source-columns';
import { type MonthWindow, type QualityRuleSpec, type RuleColumns, applyQualityRules } from './quality';
import type { ColumnRows, ParquetSource } from './reader';
import type { CanonicalKind } from './schemas/canonical';
import type { SchemaMapping } from './schemas/schema-mapping';

type SourceValues =
  | { kind: 'timestamp_us'; column: TimestampColumn }
  | { kind: 'int32' | 'float32'; column: NumberColumn }
  | { kind: 'dictionary_utf8'; column: CodedStrings }
  | { kind: 'flag_bool'; column: TriState };

export interface NormalizedWindow {
  batch: arrow.RecordBatch;
  rowsIn: number;
  dropped: Record<string, number>;
}

/** Rows decoded at once per column; the window's memory is about 120 bytes × this × columns. */
export const DEFAULT_WINDOW_ROWS = 32_768;

export async function* normalizeRowGroup(
  source: ParquetSource,
  rowGroup: number,
  mapping: SchemaMapping,
  schema: arrow.Schema,
  rules: readonly QualityRuleSpec[],
  window: MonthWindow,
  windowRows = DEFAULT_WINDOW_ROWS,
): AsyncGenerator<NormalizedWindow> {
  const total = source.rowGroups[rowGroup].numRows;
  const columns = new Map<string, { kind: CanonicalKind; reader: ColumnRows; sourceName: string }>();
  for (const { column, source: field } of mapping.bindings) {
    if (field) columns.set(column.name, { kind: column.kind, reader: source.openColumn(rowGroup, field.name), sourceName: field.name });
  }
  for (let start = 0; start < total; start += windowRows) {
    const rows = Math.min(windowRows, total - start);
    const values = new Map<string, SourceValues>();
    for (const [name, { kind, reader, sourceName }] of columns) {
      const data = await reader.read(rows);
      values.set(name, readValues(kind, data, sourceName));
    }
    yield normalizeWindow(values, rows, schema, rules, window);
  }
}

function normalizeWindow(
  values: Map<string, SourceValues>,
  rowsIn: number,
  schema: arrow.Schema,
  rules: readonly QualityRuleSpec[],
  window: MonthWindow,
): NormalizedWindow {
  const { keep, kept, dropped } = applyQualityRules(rules, ruleColumns(values, rowsIn), window);
  const children = schema.fields.map((field) => {
    const v = values.get(field.name);
    if (!v) return nullColumn(field.type, kept);
    switch (v.kind) {
      case 'timestamp_us':
        return timestampColumn(field.type, v.column, keep, kept);
      case 'int32':
        return int32Column(field.type, v.column, keep, kept);
      case 'float32':
        return float32Column(field.type, v.column, keep, kept);
      case 'dictionary_utf8':
        return dictionaryColumn(field.type, v.column, keep, kept);
      case 'flag_bool':
        return flagColumn(field.type, v.column, keep, kept);
    }
  });
  const batch = new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: kept, nullCount: 0, children }),
  );
  return { batch, rowsIn, dropped };
}

function readValues(kind: CanonicalKind, data: arrow.Data, name: string): SourceValues {
  switch (kind) {
    case 'timestamp_us':
      return { kind, column: timestampsAsMicros(data, name) };
    case 'int32':
    case 'float32':
      return { kind, column: numbersOf(data, name) };
    case 'dictionary_utf8':
      return { kind, column: codedStrings(data, name) };
    case 'flag_bool':
      return { kind, column: flagsOf(data, name) };
  }
}

/**
 * The rules read canonical columns of the window. The schema tests check that every rule column is a required
 * column of the right kind; an unbound one would read as all null (a null never breaks a rule).
 */
function ruleColumns(values: Map<string, SourceValues>, length: number): RuleColumns {
  const allNull = new Uint8Array((length + 7) >> 3);
  return {
    length,
    timestamps(name) {
      const v = values.get(name);
      if (!v) return { length, micros: new BigInt64Array(length), valid: allNull };
      if (v.kind !== 'timestamp_us') throw new Error(`rule input '${name}' is not a timestamp column`);
      return v.column;
    },
    numbers(name) {
      const v = values.get(name);
      if (!v) return { length, values: new Float64Array(length), valid: allNull };
      if (v.kind !== 'int32' && v.kind !== 'float32') throw new Error(`rule input '${name}' is not a number column`);
      return v.column;
    },
  };
}
