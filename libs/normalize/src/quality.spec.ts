import { describe, expect, it } from 'vitest';
import type { NumberColumn, TimestampColumn } from './columns/source-columns';
import { QUALITY_RULES, type RuleInputs, applyQualityRules, monthWindow } from './quality';

const US = 1_000_000n;
const JAN_2024 = BigInt(Date.UTC(2024, 0, 1)) * 1000n;
const FEB_2024 = BigInt(Date.UTC(2024, 1, 1)) * 1000n;
const DAY = 86_400n * US;

interface Row {
  pickup?: bigint | null;
  dropoff?: bigint | null;
  miles?: number | null;
  fare?: number | null;
  pu?: number | null;
  do?: number | null;
}

/** Rows default to a valid trip: 10 minutes on 2024-01-10, 3 miles, $15, zone 100 → 200. */
function inputs(rows: Row[]): RuleInputs {
  const start = JAN_2024 + 9n * DAY;
  const value = <T>(row: Row, key: keyof Row, fallback: T): T | null =>
    key in row ? (row[key] as T | null) : fallback;
  const times = (key: 'pickup' | 'dropoff', fallback: bigint): TimestampColumn => {
    const vals = rows.map((r) => value(r, key, fallback));
    return { length: rows.length, micros: BigInt64Array.from(vals, (v) => v ?? 0n), valid: bitmap(vals) };
  };
  const numbers = (key: 'miles' | 'fare' | 'pu' | 'do', fallback: number): NumberColumn => {
    const vals = rows.map((r) => value(r, key, fallback));
    return { length: rows.length, values: Float64Array.from(vals, (v) => v ?? 0), valid: bitmap(vals) };
  };
  return {
    length: rows.length,
    pickup: times('pickup', start),
    dropoff: times('dropoff', start + 600n * US),
    tripMiles: numbers('miles', 3),
    baseFare: numbers('fare', 15),
    puLocation: numbers('pu', 100),
    doLocation: numbers('do', 200),
  };
}

function bitmap(values: unknown[]): Uint8Array {
  const bits = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null) bits[i >> 3] |= 1 << (i & 7);
  });
  return bits;
}

const window = monthWindow('2024-01');

describe('quality rules v1', () => {
  it('keeps a valid trip', () => {
    const outcome = applyQualityRules(inputs([{}]), window);
    expect(outcome.kept).toBe(1);
    expect(Array.from(outcome.keep)).toEqual([1]);
  });

  it.each([
    ['dropoff_not_after_pickup', { dropoff: JAN_2024 + 9n * DAY }], // equal to pickup
    ['dropoff_not_after_pickup', { dropoff: JAN_2024 + 9n * DAY - 1n }],
    ['negative_trip_miles', { miles: -0.01 }],
    ['negative_base_fare', { fare: -5 }],
    ['pickup_outside_month', { pickup: BigInt(Date.UTC(2001, 0, 1)) * 1000n, dropoff: null }],
    ['pickup_outside_month', { pickup: BigInt(Date.UTC(2098, 0, 1)) * 1000n, dropoff: null }],
    ['location_id_out_of_range', { pu: 0 }],
    ['location_id_out_of_range', { do: 266 }],
    ['location_id_out_of_range', { do: -1 }],
  ] as const)('drops a row breaking %s (%o)', (rule, row) => {
    const outcome = applyQualityRules(inputs([{}, row]), window);
    expect(outcome.kept).toBe(1);
    expect(Array.from(outcome.keep)).toEqual([1, 0]);
    expect(outcome.dropped).toEqual({ ...zeroCounts(), [rule]: 1 });
  });

  it('keeps boundary values: 0 miles, $0 fare, zones 1, 264 and 265', () => {
    const outcome = applyQualityRules(inputs([{ miles: 0, fare: 0, pu: 1, do: 265 }, { pu: 264 }]), window);
    expect(outcome.kept).toBe(2);
  });

  it('never lets a null break a rule', () => {
    const rows: Row[] = [
      { pickup: null, dropoff: JAN_2024 }, // no pickup: neither the order rule nor the month rule applies
      { dropoff: null },
      { miles: null, fare: null, pu: null, do: null },
      { pickup: null, dropoff: null, miles: null, fare: null, pu: null, do: null },
    ];
    expect(applyQualityRules(inputs(rows), window).kept).toBe(4);
  });

  it('counts a row breaking several rules once, under the first rule in QUALITY_RULES order', () => {
    const everything: Row = { dropoff: JAN_2024 - 30n * DAY, miles: -1, fare: -1, pu: 0, pickup: JAN_2024 - 20n * DAY };
    const rows: Row[] = [
      everything,
      { ...everything, dropoff: null }, // order rule cannot apply → miles
      { miles: -1, fare: -1, pu: 999 },
      { fare: -1, pu: 999, pickup: JAN_2024 - 3n * DAY, dropoff: JAN_2024 },
      { pu: 999, pickup: JAN_2024 - 3n * DAY, dropoff: JAN_2024 },
    ];
    const outcome = applyQualityRules(inputs(rows), window);
    expect(outcome.kept).toBe(0);
    expect(outcome.dropped).toEqual({
      dropoff_not_after_pickup: 1,
      negative_trip_miles: 2,
      negative_base_fare: 1,
      pickup_outside_month: 1,
      location_id_out_of_range: 0,
    });
  });

  it('reports every rule, with 0 for those that dropped nothing', () => {
    expect(Object.keys(applyQualityRules(inputs([]), window).dropped)).toEqual([...QUALITY_RULES]);
  });
});

describe('monthWindow', () => {
  const pickupAt = (pickup: bigint) => applyQualityRules(inputs([{ pickup, dropoff: null }]), window).kept === 1;

  it('keeps pickups up to 24 h before the month and before 24 h after its end, UTC-naive', () => {
    expect(pickupAt(JAN_2024 - DAY)).toBe(true);
    expect(pickupAt(JAN_2024 - DAY - 1n)).toBe(false);
    expect(pickupAt(FEB_2024 + DAY - 1n)).toBe(true);
    expect(pickupAt(FEB_2024 + DAY)).toBe(false);
  });

  it('handles month lengths and years', () => {
    const feb = monthWindow('2024-02'); // leap year
    expect(feb.toMicros - feb.fromMicros).toBe((29n + 2n) * DAY);
    const dec = monthWindow('2023-12');
    expect(dec.toMicros).toBe(JAN_2024 + DAY);
  });
});

function zeroCounts(): Record<string, number> {
  return Object.fromEntries(QUALITY_RULES.map((r) => [r, 0]));
}
