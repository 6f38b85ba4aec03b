// Quality rules v1 (fhvhv): which rows are dropped, and under which rule they are counted. Pure functions over
// columns. A row that breaks several rules is counted once, under the first rule it breaks in
// QUALITY_RULES order. A null never breaks a rule (a rule needs all its inputs present).
import { isValid } from './columns/bitmap';
import type { NumberColumn, TimestampColumn } from './columns/source-columns';

export const QUALITY_RULES = [
  /** dropoff <= pickup */
  'dropoff_not_after_pickup',
  /** trip_miles < 0 */
  'negative_trip_miles',
  /** base_passenger_fare < 0 */
  'negative_base_fare',
  /** pickup before (month start − 24 h) or at/after (next month start + 24 h), UTC-naive */
  'pickup_outside_month',
  /** PULocationID or DOLocationID outside 1..265 */
  'location_id_out_of_range',
] as const;

export type QualityRule = (typeof QUALITY_RULES)[number];

export interface RuleInputs {
  length: number;
  pickup: TimestampColumn;
  dropoff: TimestampColumn;
  tripMiles: NumberColumn;
  baseFare: NumberColumn;
  puLocation: NumberColumn;
  doLocation: NumberColumn;
}

/** Pickups in [fromMicros, toMicros) are in the month (with a day of slack on both sides). */
export interface MonthWindow {
  fromMicros: bigint;
  toMicros: bigint;
}

export interface RuleOutcome {
  /** 1 = keep the row. */
  keep: Uint8Array;
  kept: number;
  /** Every rule, with 0 for rules that dropped nothing (stable keys for reports and dashboards). */
  dropped: Record<QualityRule, number>;
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

export function emptyDropCounts(): Record<QualityRule, number> {
  return Object.fromEntries(QUALITY_RULES.map((r) => [r, 0])) as Record<QualityRule, number>;
}

export function applyQualityRules(inputs: RuleInputs, window: MonthWindow): RuleOutcome {
  const keep = new Uint8Array(inputs.length);
  const dropped = emptyDropCounts();
  let kept = 0;
  for (let i = 0; i < inputs.length; i++) {
    const rule = firstBrokenRule(inputs, window, i);
    if (rule === undefined) {
      keep[i] = 1;
      kept++;
    } else {
      dropped[rule]++;
    }
  }
  return { keep, kept, dropped };
}

/** The first rule row `i` breaks, in QUALITY_RULES order. */
export function firstBrokenRule(inputs: RuleInputs, window: MonthWindow, i: number): QualityRule | undefined {
  const { pickup, dropoff, tripMiles, baseFare, puLocation, doLocation } = inputs;
  const hasPickup = isValid(pickup.valid, i);
  if (hasPickup && isValid(dropoff.valid, i) && dropoff.micros[i] <= pickup.micros[i]) {
    return 'dropoff_not_after_pickup';
  }
  if (isValid(tripMiles.valid, i) && tripMiles.values[i] < 0) return 'negative_trip_miles';
  if (isValid(baseFare.valid, i) && baseFare.values[i] < 0) return 'negative_base_fare';
  if (hasPickup && (pickup.micros[i] < window.fromMicros || pickup.micros[i] >= window.toMicros)) {
    return 'pickup_outside_month';
  }
  if (outOfRange(puLocation, i) || outOfRange(doLocation, i)) return 'location_id_out_of_range';
  return undefined;
}

function outOfRange(column: NumberColumn, i: number): boolean {
  if (!isValid(column.valid, i)) return false;
  const id = column.values[i];
  return !(id >= FIRST_LOCATION_ID && id <= LAST_LOCATION_ID);
}
