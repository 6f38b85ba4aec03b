// Normalizes one source row group in windows of rows: every bound column is read in lockstep, one window at a
// time; the quality rules and the canonical casts run on the window, and its record batch goes to the writer.
// Memory is a window of every column, never a whole row group.
import * as arrow from 'apache-arrow';
import {
  dictionaryColumn,
  flagColumn,
  float32Column,
  int32Column,
  keptRuns,
  nullColumn,
  ReusedArrays,
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
  /** The dropped rows (canonical columns + `quality_rule`), when a quarantine schema was given. */
  quarantined?: arrow.RecordBatch;
}

/** The column that names the rule a quarantined row broke. */
export const QUALITY_RULE_COLUMN = 'quality_rule';

/** A quarantine file's schema: the canonical columns, then `quality_rule` (never null). */
export function quarantineArrowSchema(canonical: arrow.Schema): arrow.Schema {
  return new arrow.Schema([
    ...canonical.fields,
    new arrow.Field(QUALITY_RULE_COLUMN, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), false),
  ]);
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
  quarantineSchema?: arrow.Schema,
  /**
   * Each window's `batch` is built in arrays kept for the next window, which overwrites it: for a consumer that is
   * done with a batch before it asks for the next (the Parquet writer encodes a batch as it appends it). The
   * quarantined rows are always built in arrays of their own (they wait in a channel).
   */
  reuseOutputs = false,
): AsyncGenerator<NormalizedWindow> {
  const total = source.rowGroups[rowGroup].numRows;
  const outputs = reuseOutputs ? new Map(schema.fields.map((f) => [f.name, new ReusedArrays()])) : undefined;
  const columns = new Map<string, { kind: CanonicalKind; reader: ColumnRows; sourceName: string; scratch: Scratch }>();
  for (const { column, source: field } of mapping.bindings) {
    if (!field) continue;
    const reader = source.openColumn(rowGroup, field.name, { reuseBuffers: true });
    columns.set(column.name, { kind: column.kind, reader, sourceName: field.name, scratch: {} });
  }
  for (let start = 0; start < total; start += windowRows) {
    const rows = Math.min(windowRows, total - start);
    const values = new Map<string, SourceValues>();
    for (const [name, { kind, reader, sourceName, scratch }] of columns) {
      const data = await reader.read(rows);
      values.set(name, readValues(kind, data, sourceName, scratch));
    }
    yield normalizeWindow(values, rows, schema, rules, window, quarantineSchema, outputs);
  }
}

function normalizeWindow(
  values: Map<string, SourceValues>,
  rowsIn: number,
  schema: arrow.Schema,
  rules: readonly QualityRuleSpec[],
  window: MonthWindow,
  quarantineSchema: arrow.Schema | undefined,
  outputs: Map<string, ReusedArrays> | undefined,
): NormalizedWindow {
  const { keep, ruleOf, kept, dropped } = applyQualityRules(rules, ruleColumns(values, rowsIn), window);
  const batch = canonicalBatch(schema, values, keep, kept, outputs);
  if (!quarantineSchema) return { batch, rowsIn, dropped };
  const drop = new Uint8Array(rowsIn);
  for (let i = 0; i < rowsIn; i++) drop[i] = keep[i] ^ 1;
  const rejected = canonicalBatch(schema, values, drop, rowsIn - kept);
  const ruleCodes = new Int32Array(rowsIn - kept);
  for (let i = 0, j = 0; i < rowsIn; i++) if (ruleOf[i]) ruleCodes[j++] = ruleOf[i] - 1;
  const ruleField = quarantineSchema.fields[quarantineSchema.fields.length - 1];
  const ruleData = arrow.makeData({
    type: ruleField.type as arrow.Dictionary<arrow.Utf8, arrow.Int32>,
    length: ruleCodes.length,
    nullCount: 0,
    data: ruleCodes,
    dictionary: arrow.vectorFromArray(rules.map((r) => r.name), new arrow.Utf8()),
  });
  const quarantined = new arrow.RecordBatch(
    quarantineSchema,
    arrow.makeData({
      type: new arrow.Struct(quarantineSchema.fields),
      length: ruleCodes.length,
      nullCount: 0,
      children: [...rejected.data.children, ruleData],
    }),
  );
  return { batch, rowsIn, dropped, quarantined };
}

/** The rows with keep[i] === 1, cast to the canonical columns. */
function canonicalBatch(
  schema: arrow.Schema,
  values: Map<string, SourceValues>,
  keep: Uint8Array,
  kept: number,
  outputs?: Map<string, ReusedArrays>,
): arrow.RecordBatch {
  const runs = keptRuns(keep);
  const children = schema.fields.map((field) => {
    const v = values.get(field.name);
    const into = outputs?.get(field.name);
    if (!v) return nullColumn(field.type, kept, into);
    switch (v.kind) {
      case 'timestamp_us':
        return timestampColumn(field.type, v.column, keep, kept, runs, into);
      case 'int32':
        return int32Column(field.type, v.column, keep, kept, runs, into);
      case 'float32':
        return float32Column(field.type, v.column, keep, kept, runs, into);
      case 'dictionary_utf8':
        return dictionaryColumn(field.type, v.column, keep, kept, into);
      case 'flag_bool':
        return flagColumn(field.type, v.column, keep, kept);
    }
  });
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: kept, nullCount: 0, children }),
  );
}

/** A column's conversion arrays, kept from window to window (a window's source values live until the next). */
interface Scratch {
  numbers?: Float64Array;
  flags?: Int8Array;
}

function readValues(kind: CanonicalKind, data: arrow.Data, name: string, scratch: Scratch): SourceValues {
  const rows = data.length;
  switch (kind) {
    case 'timestamp_us':
      return { kind, column: timestampsAsMicros(data, name) };
    case 'int32':
    case 'float32':
      if (!scratch.numbers || scratch.numbers.length < rows) scratch.numbers = new Float64Array(rows);
      return { kind, column: numbersOf(data, name, scratch.numbers) };
    case 'dictionary_utf8':
      return { kind, column: codedStrings(data, name) };
    case 'flag_bool':
      if (!scratch.flags || scratch.flags.length < rows) scratch.flags = new Int8Array(rows);
      return { kind, column: flagsOf(data, name, scratch.flags) };
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
