import { describe, expect, it } from 'vitest';
import { columnValues } from '../testing/parquet-readback';
import { buildFhvTable, generateFhvParquet } from './fhv.generator';
import { buildTaxiTable, generateGreenParquet, generateYellowParquet } from './taxi.generator';

const names = (fields: { name: string; type: unknown }[]) => fields.map((f) => `${f.name}: ${f.type}`);

describe('yellow, green and fhv generators', () => {
  it.each([
    ['yellow', generateYellowParquet],
    ['green', generateGreenParquet],
    ['fhv', generateFhvParquet],
  ] as const)('%s is deterministic for a seed', (_, generate) => {
    const a = Buffer.from(generate({ month: '2024-01', rows: 300, seed: 3 }));
    expect(Buffer.from(generate({ month: '2024-01', rows: 300, seed: 3 })).equals(a)).toBe(true);
    expect(Buffer.from(generate({ month: '2024-01', rows: 300, seed: 4 })).equals(a)).toBe(false);
  });

  it('yellow has the TLC column order and source types; drift options change them', () => {
    expect(names(buildTaxiTable('yellow', { month: '2024-12', rows: 5 }).table.schema.fields)).toEqual([
      'VendorID: Int64', 'tpep_pickup_datetime: Timestamp<MICROSECOND>', 'tpep_dropoff_datetime: Timestamp<MICROSECOND>',
      'passenger_count: Int64', 'trip_distance: Float64', 'RatecodeID: Int64', 'store_and_fwd_flag: Utf8',
      'PULocationID: Int64', 'DOLocationID: Int64', 'payment_type: Int64', 'fare_amount: Float64', 'extra: Float64',
      'mta_tax: Float64', 'tip_amount: Float64', 'tolls_amount: Float64', 'improvement_surcharge: Float64',
      'total_amount: Float64', 'congestion_surcharge: Float64', 'airport_fee: Float64',
    ]);
    const drift = buildTaxiTable('yellow', {
      month: '2025-01', rows: 5, idType: 'int32', codesAsDouble: true, airportFeeColumn: 'Airport_fee', airportFeeAsInt: true,
      timestampUnit: 'ns',
    }).table.schema.fields;
    expect(names(drift)).toEqual(expect.arrayContaining([
      'VendorID: Int32', 'PULocationID: Int32', 'passenger_count: Float64', 'RatecodeID: Float64', 'Airport_fee: Int64',
      'tpep_pickup_datetime: Timestamp<NANOSECOND>', 'cbd_congestion_fee: Float64',
    ]));
  });

  it('green has lpep_ timestamps, an all-null ehail_fee and trip_type; no airport fee', () => {
    const { table } = buildTaxiTable('green', { month: '2024-06', rows: 2_000 });
    const fields = table.schema.fields.map((f) => f.name);
    expect(fields).toContain('lpep_pickup_datetime');
    expect(fields).toContain('trip_type');
    expect(fields).not.toContain('airport_fee');
    expect(new Set(columnValues(table, 'ehail_fee'))).toEqual(new Set([null]));
    expect(String(buildTaxiTable('green', { month: '2024-06', rows: 5, ehailFeeType: 'null' }).table.getChild('ehail_fee')!.type)).toBe('Null');
  });

  it('looks like the real data: nulls where the TLC has them, pickups in the month, sub-second µs', () => {
    const { table, invalidRowIndexes, invalidRows } = buildTaxiTable('yellow', { month: '2024-01', rows: 5_000, invalidFraction: 0.01 });
    expect(Object.values(invalidRows)).toEqual([10, 10, 10, 10, 10]);
    expect(columnValues(table, 'passenger_count')).toContain(null);
    expect(new Set(columnValues(table, 'store_and_fwd_flag'))).toEqual(new Set(['Y', 'N', null]));
    const invalid = new Set(invalidRowIndexes);
    const start = BigInt(Date.UTC(2024, 0, 1)) * 1000n;
    const end = BigInt(Date.UTC(2024, 1, 1)) * 1000n;
    const pickups = columnValues(table, 'tpep_pickup_datetime') as bigint[];
    expect(pickups.every((p, i) => invalid.has(i) || (p >= start && p < end))).toBe(true);
    expect(pickups.some((p) => p % 1_000_000n !== 0n)).toBe(true);
  });

  it('fhv: float location IDs with nulls, SR_Flag 1 or null, rules fhv has', () => {
    const { table, invalidRows } = buildFhvTable({ month: '2017-03', rows: 3_000, invalidFraction: 0.01 });
    expect(invalidRows).toEqual({ dropoff_not_after_pickup: 10, pickup_outside_month: 10, location_id_out_of_range: 10 });
    expect(columnValues(table, 'PUlocationID')).toContain(null);
    expect(new Set(columnValues(table, 'SR_Flag'))).toEqual(new Set([1, null]));
  });
});
