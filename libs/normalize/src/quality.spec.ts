import { describe, expect, it } from 'vitest';
import type { NumberColumn, TimestampColumn } from './columns/source-columns';
import { type RuleColumns, applyQualityRules, monthWindow } from './quality';
import { FHV_SCHEMA_V1 } from './schemas/fhv.schema';
import { FHVHV_SCHEMA_V1 } from './schemas/fhvhv.schema';
import { GREEN_SCHEMA_V1 } from './schemas/green.schema';
import { YELLOW_SCHEMA_V1 } from './schemas/yellow.schema';

const QUALITY_RULES = FHVHV_SCHEMA_V1.rules.map((r) => r.name);

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
function inputs(rows: Row[]): RuleColumns {
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
  const columns: Record<string, TimestampColumn | NumberColumn> = {
    pickup_datetime: times('pickup', start),
    dropoff_datetime: times('dropoff', start + 600n * US),
    trip_miles: numbers('miles', 3),
    base_passenger_fare: numbers('fare', 15),
    PULocationID: numbers('pu', 100),
    DOLocationID: numbers('do', 200),
  };
  return {
    length: rows.length,
    timestamps: (name) => columns[name] as TimestampColumn,
    numbers: (name) => columns[name] as NumberColumn,
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

describe('quality rules (fhvhv v1)', () => {
  it('keeps a valid trip', () => {
    const outcome = applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs([{}]), window);
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
    const outcome = applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs([{}, row]), window);
    expect(outcome.kept).toBe(1);
    expect(Array.from(outcome.keep)).toEqual([1, 0]);
    expect(outcome.dropped).toEqual({ ...zeroCounts(), [rule]: 1 });
  });

  it('keeps boundary values: 0 miles, $0 fare, zones 1, 264 and 265', () => {
    const outcome = applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs([{ miles: 0, fare: 0, pu: 1, do: 265 }, { pu: 264 }]), window);
    expect(outcome.kept).toBe(2);
  });

  it('never lets a null break a rule', () => {
    const rows: Row[] = [
      { pickup: null, dropoff: JAN_2024 }, // no pickup: neither the order rule nor the month rule applies
      { dropoff: null },
      { miles: null, fare: null, pu: null, do: null },
      { pickup: null, dropoff: null, miles: null, fare: null, pu: null, do: null },
    ];
    expect(applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs(rows), window).kept).toBe(4);
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
    const outcome = applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs(rows), window);
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
    expect(Object.keys(applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs([]), window).dropped)).toEqual([...QUALITY_RULES]);
  });
});

describe('timestamps compared as 32-bit words', () => {
  it('dropoff <= pickup agrees with BigInt comparison across word boundaries, signs and the low word\'s top bit', () => {
    const edges = [0n, 1n, -1n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 2n ** 31n, -(2n ** 32n), -(2n ** 31n) - 1n, JAN_2024, JAN_2024 + 2n ** 31n];
    const rows: Row[] = [];
    for (const pickup of edges) for (const dropoff of edges) rows.push({ pickup, dropoff });
    const window = { fromMicros: -(2n ** 62n), toMicros: 2n ** 62n }; // every pickup in the month: only this rule applies
    const outcome = applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs(rows), window);
    expect([...outcome.keep]).toEqual(rows.map((r) => ((r.dropoff as bigint) <= (r.pickup as bigint) ? 0 : 1)));
  });

  it('the month window agrees with BigInt comparison around its bounds', () => {
    const window = { fromMicros: 2n ** 32n + 5n, toMicros: 2n ** 33n + 2n ** 31n };
    const pickups = [2n ** 32n + 4n, 2n ** 32n + 5n, 2n ** 32n - 1n, 2n ** 33n + 2n ** 31n - 1n, 2n ** 33n + 2n ** 31n, 2n ** 33n, -5n, 2n ** 34n];
    const rows = pickups.map((pickup) => ({ pickup, dropoff: pickup + 1n }));
    const outcome = applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs(rows), window);
    expect([...outcome.keep]).toEqual(pickups.map((p) => (p >= window.fromMicros && p < window.toMicros ? 1 : 0)));
  });
});

describe('monthWindow', () => {
  const pickupAt = (pickup: bigint) => applyQualityRules(FHVHV_SCHEMA_V1.rules, inputs([{ pickup, dropoff: null }]), window).kept === 1;

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

describe('quality rules per dataset', () => {
  /** Columns by name; every row valid unless given. */
  function table(length: number, given: Record<string, (number | bigint | null)[]>): RuleColumns {
    const bits = (vals: unknown[]) => bitmap(vals);
    return {
      length,
      timestamps: (name) => {
        const vals = (given[name] ?? new Array(length).fill(null)) as (bigint | null)[];
        return { length, micros: BigInt64Array.from(vals, (v) => v ?? 0n), valid: bits(vals) };
      },
      numbers: (name) => {
        const vals = (given[name] ?? new Array(length).fill(null)) as (number | null)[];
        return { length, values: Float64Array.from(vals, (v) => v ?? 0), valid: bits(vals) };
      },
    };
  }
  const t = JAN_2024 + 9n * DAY;

  it.each([
    ['yellow', YELLOW_SCHEMA_V1, 'tpep'],
    ['green', GREEN_SCHEMA_V1, 'lpep'],
  ] as const)('%s: trip_distance and fare_amount rules, on its own pickup/dropoff columns', (_, schema, prefix) => {
    const columns = table(6, {
      [`${prefix}_pickup_datetime`]: [t, t, t, t, JAN_2024 - 3n * DAY, null],
      [`${prefix}_dropoff_datetime`]: [t + US, t, t + US, t + US, null, t],
      trip_distance: [1, 1, -0.5, 1, 1, null],
      fare_amount: [5, 5, 5, -3, 5, null],
      PULocationID: [1, 1, 1, 1, 1, 266],
      DOLocationID: [265, 265, 265, 265, 265, null],
    });
    const outcome = applyQualityRules(schema.rules, columns, window);
    expect(Array.from(outcome.keep)).toEqual([1, 0, 0, 0, 0, 0]);
    expect(outcome.dropped).toEqual({
      dropoff_not_after_pickup: 1,
      negative_trip_distance: 1,
      negative_fare_amount: 1,
      pickup_outside_month: 1,
      location_id_out_of_range: 1,
    });
  });

  it('fhv: order, month and location rules only; nulls (the float location IDs of older files) never break one', () => {
    const columns = table(5, {
      pickup_datetime: [t, t, BigInt(Date.UTC(2098, 0, 1)) * 1000n, t, null],
      dropoff_datetime: [t + US, t - US, null, null, null],
      PULocationID: [null, 5, 5, 0, null],
      DOLocationID: [null, 5, 5, 5, 300],
    });
    const outcome = applyQualityRules(FHV_SCHEMA_V1.rules, columns, window);
    expect(Array.from(outcome.keep)).toEqual([1, 0, 0, 0, 0]);
    expect(outcome.dropped).toEqual({ dropoff_not_after_pickup: 1, pickup_outside_month: 1, location_id_out_of_range: 2 });
  });
});
