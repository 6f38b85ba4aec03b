// Quality rules: which rows are dropped, and under which rule they are counted. Each dataset schema lists its
// rules, in order, as data (`DatasetSchema.rules`); this file evaluates them. Pure functions over columns.
// A row that breaks several rules is counted once, under the first rule it breaks in the schema's order.
// A null never breaks a rule (a rule needs all its inputs present).
import { isValid } from './columns/bitmap';
import { int32Words } from './columns/int32-words';
import type { NumberColumn, TimestampColumn } from './columns/source-columns';

/**
 * One rule of a dataset, naming the canonical columns it reads. `name` is the key in `QualityReport.dropped`.
 * - `dropoff_not_after_pickup`: dropoff <= pickup.
 * - `negative`: the column's value < 0.
 * - `pickup_outside_month`: pickup before (month start − 24 h) or at/after (next month start + 24 h), UTC-naive.
 * - `location_id_out_of_range`: any of the columns outside 1..265.
 */
export type QualityRuleSpec =
  | { name: string; check: 'dropoff_not_after_pickup'; pickup: string; dropoff: string }
  | { name: string; check: 'negative'; column: string }
  | { name: string; check: 'pickup_outside_month'; pickup: string }
  | { name: string; check: 'location_id_out_of_range'; columns: readonly string[] };

export const dropoffNotAfterPickup = (pickup: string, dropoff: string): QualityRuleSpec => ({
  name: 'dropoff_not_after_pickup',
  check: 'dropoff_not_after_pickup',
  pickup,
  dropoff,
});
export const negative = (name: string, column: string): QualityRuleSpec => ({ name, check: 'negative', column });
export const pickupOutsideMonth = (pickup: string): QualityRuleSpec => ({
  name: 'pickup_outside_month',
  check: 'pickup_outside_month',
  pickup,
});
export const locationIdOutOfRange = (...columns: string[]): QualityRuleSpec => ({
  name: 'location_id_out_of_range',
  check: 'location_id_out_of_range',
  columns,
});

/** The window's values of the canonical columns the rules read (an unbound optional column reads as all null). */
export interface RuleColumns {
  length: number;
  timestamps(name: string): TimestampColumn;
  numbers(name: string): NumberColumn;
}

/** Pickups in [fromMicros, toMicros) are in the month (with a day of slack on both sides). */
export interface MonthWindow {
  fromMicros: bigint;
  toMicros: bigint;
}

export interface RuleOutcome {
  /** 1 = keep the row. */
  keep: Uint8Array;
  /** 0 = kept; r + 1 = dropped under rules[r]. */
  ruleOf: Uint8Array;
  kept: number;
  /** Every rule, with 0 for rules that dropped nothing (stable keys for reports and dashboards). */
  dropped: Record<string, number>;
}

const DAY_MICROS = 86_400_000_000n;
const FIRST_LOCATION_ID = 1;
const LAST_LOCATION_ID = 265;

/**
 * `month` is 'YYYY-MM'. Trips that start a little before midnight on the last day of the previous month, or
 * are filed a little late, are legitimate: only pickups more than a day outside the month are dropped.
 */
export function monthWindow(month: string): MonthWindow {
  const [year, mon] = month.split('-').map(Number);
  const start = BigInt(Date.UTC(year, mon - 1, 1)) * 1000n;
  const next = BigInt(Date.UTC(year, mon, 1)) * 1000n;
  return { fromMicros: start - DAY_MICROS, toMicros: next + DAY_MICROS };
}

export function emptyDropCounts(rules: readonly QualityRuleSpec[]): Record<string, number> {
  return Object.fromEntries(rules.map((r) => [r.name, 0]));
}

export function applyQualityRules(
  rules: readonly QualityRuleSpec[],
  columns: RuleColumns,
  window: MonthWindow,
): RuleOutcome {
  if (rules.length > 255) throw new Error(`${rules.length} quality rules: at most 255`);
  const n = columns.length;
  const ruleOf = new Uint8Array(n);
  // each rule, in order, marks the rows it breaks that no earlier rule has marked: a row counts under the first
  // rule it breaks. A rule is one tight loop over its columns (timestamps compared as 32-bit words, no BigInt).
  rules.forEach((rule, r) => markBroken(rule, columns, window, ruleOf, r + 1));
  const counts = new Array<number>(rules.length).fill(0);
  const keep = new Uint8Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const r = ruleOf[i];
    if (r === 0) {
      keep[i] = 1;
      kept++;
    } else {
      counts[r - 1]++;
    }
  }
  const dropped = Object.fromEntries(rules.map((r, k) => [r.name, counts[k]]));
  return { keep, ruleOf, kept, dropped };
}

/** Sets ruleOf[i] = mark for each row i not yet marked that breaks `rule`. */
function markBroken(rule: QualityRuleSpec, columns: RuleColumns, window: MonthWindow, ruleOf: Uint8Array, mark: number): void {
  const n = columns.length;
  switch (rule.check) {
    case 'dropoff_not_after_pickup': {
      const pickup = columns.timestamps(rule.pickup);
      const dropoff = columns.timestamps(rule.dropoff);
      const p = int32Words(pickup.micros);
      const d = int32Words(dropoff.micros);
      for (let i = 0; i < n; i++) {
        if (ruleOf[i] !== 0) continue;
        const dh = d[2 * i + 1];
        const ph = p[2 * i + 1];
        // dropoff <= pickup: signed high words, then unsigned low words
        if ((dh < ph || (dh === ph && d[2 * i] >>> 0 <= p[2 * i] >>> 0)) && isValid(pickup.valid, i) && isValid(dropoff.valid, i)) {
          ruleOf[i] = mark;
        }
      }
      return;
    }
    case 'negative': {
      const column = columns.numbers(rule.column);
      const values = column.values;
      for (let i = 0; i < n; i++) {
        if (ruleOf[i] === 0 && values[i] < 0 && isValid(column.valid, i)) ruleOf[i] = mark;
      }
      return;
    }
    case 'pickup_outside_month': {
      const pickup = columns.timestamps(rule.pickup);
      const p = int32Words(pickup.micros);
      const fromHi = Number(BigInt.asIntN(32, window.fromMicros >> 32n));
      const fromLo = Number(BigInt.asUintN(32, window.fromMicros));
      const toHi = Number(BigInt.asIntN(32, window.toMicros >> 32n));
      const toLo = Number(BigInt.asUintN(32, window.toMicros));
      for (let i = 0; i < n; i++) {
        if (ruleOf[i] !== 0) continue;
        const hi = p[2 * i + 1];
        const lo = p[2 * i] >>> 0;
        const before = hi < fromHi || (hi === fromHi && lo < fromLo);
        const atOrAfter = hi > toHi || (hi === toHi && lo >= toLo);
        if ((before || atOrAfter) && isValid(pickup.valid, i)) ruleOf[i] = mark;
      }
      return;
    }
    case 'location_id_out_of_range':
      for (const name of rule.columns) {
        const column = columns.numbers(name);
        for (let i = 0; i < n; i++) {
          if (ruleOf[i] === 0 && outOfRange(column, i)) ruleOf[i] = mark;
        }
      }
      return;
  }
}

function outOfRange(column: NumberColumn, i: number): boolean {
  if (!isValid(column.valid, i)) return false;
  const id = column.values[i];
  return !(id >= FIRST_LOCATION_ID && id <= LAST_LOCATION_ID);
}
