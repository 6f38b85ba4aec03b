// Makes a chosen fraction of a synthetic file's rows break a dataset's quality rules, exactly one rule per row,
// the rules taking turns, driven by the rule specs of the dataset's schema (used by the yellow, green and fhv
// generators; fhvhv's generator predates it and keeps its own). Rows must be valid before: pickups present
// and in the month, dropoffs after pickups (or null), location IDs in 1..265 (or null).
import { type QualityRuleSpec, emptyDropCounts } from '../quality';
import type { SeededRandom } from './random';
import type { NumberValues, TimeValues } from './source-arrow';

/** A synthetic file's columns, keyed by canonical column name. */
export interface TripColumns {
  rows: number;
  times: Record<string, TimeValues>;
  numbers: Record<string, NumberValues>;
}

export interface InvalidRows {
  /** Rows made invalid, per rule they break (each breaks exactly one). */
  invalidRows: Record<string, number>;
  /** Their indexes, ascending. */
  invalidRowIndexes: number[];
}

const SECOND = 1_000_000n;

export function injectInvalidRows(
  trips: TripColumns,
  rules: readonly QualityRuleSpec[],
  month: string,
  fraction: number,
  random: SeededRandom,
): InvalidRows {
  const counts = emptyDropCounts(rules);
  const target = Math.min(trips.rows, Math.round(trips.rows * fraction));
  const chosen = new Set<number>();
  while (chosen.size < target) chosen.add(random.int(0, trips.rows - 1));
  let k = 0;
  for (const i of chosen) {
    const rule = rules[k++ % rules.length];
    breakRule(trips, i, rule, month, random);
    counts[rule.name]++;
  }
  return { invalidRows: counts, invalidRowIndexes: [...chosen].sort((a, b) => a - b) };
}

/** Makes row i break `rule` and no rule before it. */
function breakRule(trips: TripColumns, i: number, rule: QualityRuleSpec, month: string, random: SeededRandom): void {
  const { times: t, numbers: n } = trips;
  switch (rule.check) {
    case 'dropoff_not_after_pickup':
      t[rule.pickup].valid[i] = 1;
      t[rule.dropoff].valid[i] = 1;
      t[rule.dropoff].micros[i] = t[rule.pickup].micros[i] - BigInt(random.int(0, 600)) * SECOND;
      return;
    case 'negative':
      set(n[rule.column], i, -Math.round((0.01 + random.next() * 50) * 100) / 100);
      return;
    case 'pickup_outside_month': {
      const [year, mon] = month.split('-').map(Number);
      const target = random.pick([
        BigInt(Date.UTC(2001, 0, 1 + random.int(0, 360))) * 1000n,
        BigInt(Date.UTC(2098, 0, 1 + random.int(0, 360))) * 1000n,
        BigInt(Date.UTC(year, mon - 1, 1 - random.int(2, 40))) * 1000n,
      ]);
      t[rule.pickup].valid[i] = 1;
      const shift = target - t[rule.pickup].micros[i];
      for (const time of Object.values(t)) time.micros[i] += shift; // the trip itself stays consistent
      return;
    }
    case 'location_id_out_of_range':
      set(n[random.pick(rule.columns)], i, random.pick([0, 266, 300, 999, -1]));
      return;
  }
}

function set(column: NumberValues, i: number, value: number): void {
  column.values[i] = value;
  column.valid[i] = 1;
}
