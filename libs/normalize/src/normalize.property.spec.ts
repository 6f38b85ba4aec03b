// Property: any valid fhvhv source table — any row count (0 and 1 included), nulls anywhere, any timestamp unit
// per column, int32 or int64 IDs, airport fee drift, any source and output row-group layout and read window, snappy,
// zstd or gzip (all three through the JS page decoder) — comes back from normalizeFile with every row and only the documented
// casts. fast-check rather than seeded loops: it shrinks a failing table to a minimal one (fewest rows, columns
// left at their simplest values) and prints the seed to replay it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeFile } from './normalize';
import { FHVHV_SCHEMA_V1 } from './schemas/fhvhv.schema';
import { expectNormalizedOutput } from './testing/expected-output';
import { footerOfFile, readParquetTable, tempDir } from './testing/parquet-readback';
import { encodeParquet } from './writer';

type Unit = 's' | 'ms' | 'us' | 'ns';
const MICROS_PER: Record<Exclude<Unit, 'ns'>, bigint> = { s: 1_000_000n, ms: 1000n, us: 1n };
const DAY_US = 86_400_000_000n;
const YEAR_1900_US = BigInt(Date.UTC(1900, 0, 1)) * 1000n;
const YEAR_2100_US = BigInt(Date.UTC(2100, 0, 1)) * 1000n;

/** Stores µs `micros` in `unit`: the value whose documented conversion back to µs is `micros` (`ns` adds sub-µs digits). */
function inUnit(micros: bigint, unit: Unit, subMicro: number): bigint {
  return unit === 'ns' ? micros * 1000n + BigInt(subMicro) : micros / MICROS_PER[unit];
}

/** Rounds µs down to what `unit` can hold, so that `inUnit` is exact. */
function truncateTo(micros: bigint, unit: Unit): bigint {
  if (unit === 'ns' || unit === 'us') return micros;
  const f = MICROS_PER[unit];
  return micros >= 0n ? (micros / f) * f : -((-micros + f - 1n) / f) * f;
}

const nullable = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: null, freq: 5 });
const unitArb = fc.constantFrom<Unit>('s', 'ms', 'us', 'ns');

/** One valid trip (all rule inputs valid or null), as µs and numbers; units are applied per column later. */
const tripArb = (monthStart: bigint, monthEnd: bigint) =>
  fc.record({
    license: nullable(fc.constantFrom('HV0002', 'HV0003', 'HV0004', 'HV0005')),
    dispatching: nullable(fc.stringMatching(/^B0\d{4}$/)),
    originating: nullable(fc.string({ unit: 'grapheme', maxLength: 6 })), // any string, '' and non-ASCII too
    request: nullable(fc.bigInt(YEAR_1900_US, YEAR_2100_US)),
    onScene: nullable(fc.bigInt(YEAR_1900_US, YEAR_2100_US)),
    // the month with its day of slack: [start − 24 h, next start + 24 h)
    pickup: nullable(fc.bigInt(monthStart - DAY_US, monthEnd + DAY_US - 1n)),
    tripMicros: fc.bigInt(1n, 6n * 3_600_000_000n),
    dropoffNull: fc.boolean(),
    subMicro: fc.integer({ min: 0, max: 999 }),
    pu: nullable(fc.integer({ min: 1, max: 265 })),
    do: nullable(fc.integer({ min: 1, max: 265 })),
    miles: nullable(fc.double({ min: 0, max: 500, noNaN: true })),
    // int32 range mostly; now and then beyond it (documented: becomes null)
    tripTime: nullable(
      fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 2 ** 31 - 1 }), weight: 9 },
        { arbitrary: fc.integer({ min: 2 ** 31, max: 2 ** 50 }), weight: 1 },
      ),
    ),
    fare: nullable(fc.double({ min: 0, max: 1e4, noNaN: true })),
    money: fc.array(nullable(fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 9, maxLength: 9 }),
    airportFeeInt: nullable(fc.integer({ min: 0, max: 10 })),
    flags: fc.array(nullable(fc.constantFrom('Y', 'N', ' ', '')), { minLength: 5, maxLength: 5 }),
  });

type Trip = ReturnType<typeof tripArb> extends fc.Arbitrary<infer T> ? T : never;

const tableArb = fc
  .record({ year: fc.integer({ min: 2019, max: 2025 }), month: fc.integer({ min: 1, max: 12 }) })
  .chain(({ year, month }) => {
    const monthStart = BigInt(Date.UTC(year, month - 1, 1)) * 1000n;
    const monthEnd = BigInt(Date.UTC(year, month, 1)) * 1000n;
    return fc.record({
      month: fc.constant(`${year}-${String(month).padStart(2, '0')}`),
      trips: fc.oneof(
        fc.constant<Trip[]>([]),
        fc.array(tripArb(monthStart, monthEnd), { minLength: 1, maxLength: 1 }),
        fc.array(tripArb(monthStart, monthEnd), { minLength: 2, maxLength: 60 }),
      ),
      units: fc.record({ request: unitArb, onScene: unitArb, pickup: unitArb, dropoff: unitArb }),
      idType: fc.constantFrom('int32', 'int64'),
      airportFee: fc.constantFrom('airport_fee:double', 'airport_fee:int64', 'Airport_fee:double', 'Airport_fee:int64'),
      flagsAsBool: fc.boolean(),
      cbd: fc.boolean(),
      compression: fc.constantFrom<'snappy' | 'zstd' | 'gzip'>('snappy', 'zstd', 'gzip'),
      sourceRowGroupRows: fc.integer({ min: 1, max: 25 }),
      outputRowGroupRows: fc.integer({ min: 1, max: 25 }),
      windowRows: fc.integer({ min: 1, max: 30 }),
    });
  });

type Case = typeof tableArb extends fc.Arbitrary<infer T> ? T : never;

function data(
  type: arrow.Int32 | arrow.Int64 | arrow.Float64 | arrow.Timestamp,
  values: Int32Array | BigInt64Array | Float64Array,
  valid: boolean[],
): arrow.Data {
  const length = valid.length;
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  valid.forEach((v, i) => v && (nullBitmap[i >> 3] |= 1 << (i & 7)));
  const nullCount = valid.filter((v) => !v).length;
  const props = { length, nullCount, nullBitmap };
  if (arrow.DataType.isTimestamp(type)) return arrow.makeData({ type, ...props, data: values as BigInt64Array });
  if (arrow.DataType.isFloat(type)) return arrow.makeData({ type, ...props, data: values as Float64Array });
  return arrow.makeData({ type, ...props, data: values as Int32Array });
}

function sourceTable(c: Case): arrow.Table {
  const { trips, units } = c;
  const strings = (pick: (t: Trip) => string | null) => arrow.vectorFromArray(trips.map(pick), new arrow.Utf8()).data[0];
  const times = (unit: Unit, pick: (t: Trip, i: number) => bigint | null) => {
    const micros = trips.map((t, i) => {
      const m = pick(t, i);
      return m === null ? null : truncateTo(m, unit);
    });
    const raw = BigInt64Array.from(micros, (m, i) => (m === null ? 0n : inUnit(m, unit, trips[i].subMicro)));
    const type = {
      s: new arrow.TimestampSecond(),
      ms: new arrow.TimestampMillisecond(),
      us: new arrow.TimestampMicrosecond(),
      ns: new arrow.TimestampNanosecond(),
    }[unit];
    return data(type, raw, micros.map((m) => m !== null));
  };
  const ints = (type: 'int32' | 'int64', values: (number | null)[]) =>
    type === 'int32'
      ? data(new arrow.Int32(), Int32Array.from(values, (v) => v ?? 0), values.map((v) => v !== null))
      : data(new arrow.Int64(), BigInt64Array.from(values, (v) => BigInt(v ?? 0)), values.map((v) => v !== null));
  const doubles = (values: (number | null)[]) =>
    data(new arrow.Float64(), Float64Array.from(values, (v) => v ?? 0), values.map((v) => v !== null));
  const flags = (k: number) => {
    const values = trips.map((t) => t.flags[k]);
    if (!c.flagsAsBool) return strings((t) => t.flags[k]);
    const bools = values.map((v) => (v === 'Y' ? true : v === 'N' ? false : null));
    return arrow.vectorFromArray(bools, new arrow.Bool()).data[0];
  };
  // dropoff after pickup in µs, whatever the two units: the smallest dropoff `dropoffUnit` can hold above pickup
  const dropoffUnit = units.dropoff;
  const dropoffs = trips.map((t) => {
    if (t.dropoffNull || t.pickup === null) return null;
    const pickupUs = truncateTo(t.pickup, units.pickup);
    const step = dropoffUnit === 'ns' || dropoffUnit === 'us' ? 1n : MICROS_PER[dropoffUnit];
    return truncateTo(pickupUs + t.tripMicros + step, dropoffUnit);
  });
  const [feeName, feeType] = c.airportFee.split(':');
  const columns: [string, arrow.Data][] = [
    ['hvfhs_license_num', strings((t) => t.license)],
    ['dispatching_base_num', strings((t) => t.dispatching)],
    ['originating_base_num', strings((t) => t.originating)],
    ['request_datetime', times(units.request, (t) => t.request)],
    ['on_scene_datetime', times(units.onScene, (t) => t.onScene)],
    ['pickup_datetime', times(units.pickup, (t) => t.pickup)],
    ['dropoff_datetime', times(units.dropoff, (_, i) => dropoffs[i])],
    ['PULocationID', ints(c.idType, trips.map((t) => t.pu))],
    ['DOLocationID', ints(c.idType, trips.map((t) => t.do))],
    ['trip_miles', doubles(trips.map((t) => t.miles))],
    ['trip_time', ints('int64', trips.map((t) => t.tripTime))],
    ['base_passenger_fare', doubles(trips.map((t) => t.fare))],
    ...['tolls', 'bcf', 'sales_tax', 'congestion_surcharge'].map((name, k): [string, arrow.Data] => [
      name,
      doubles(trips.map((t) => t.money[k])),
    ]),
    [feeName, feeType === 'int64' ? ints('int64', trips.map((t) => t.airportFeeInt)) : doubles(trips.map((t) => t.money[4]))],
    ['tips', doubles(trips.map((t) => t.money[5]))],
    ['driver_pay', doubles(trips.map((t) => t.money[6]))],
    ...['shared_request_flag', 'shared_match_flag', 'access_a_ride_flag', 'wav_request_flag', 'wav_match_flag'].map(
      (name, k): [string, arrow.Data] => [name, flags(k)],
    ),
    ...(c.cbd ? [['cbd_congestion_fee', doubles(trips.map((t) => t.money[7]))] as [string, arrow.Data]] : []),
  ];
  const schema = new arrow.Schema(columns.map(([name, d]) => new arrow.Field(name, d.type, true)));
  const children = columns.map(([, d]) => d);
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: trips.length, nullCount: 0, children });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}

describe('normalizeFile property (fhvhv v1)', () => {
  const dir = tempDir('property');
  let n = 0;

  it('every valid table survives normalize → read back with only the documented casts, no row dropped', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, async (c) => {
        const table = sourceTable(c);
        const inputPath = path.join(dir, `case-${++n}.parquet`);
        const outputPath = path.join(dir, `case-${n}.out.parquet`);
        fs.writeFileSync(inputPath, encodeParquet(table, { compression: c.compression, rowGroupRows: c.sourceRowGroupRows }));
        const report = await normalizeFile({
          inputPath,
          outputPath,
          dataset: 'fhvhv',
          month: c.month,
          rowGroupRows: c.outputRowGroupRows,
          windowRows: c.windowRows,
        });
        const rows = c.trips.length;
        expect(report.dropped).toEqual(Object.fromEntries(FHVHV_SCHEMA_V1.rules.map((r) => [r.name, 0])));
        expect([report.rowsIn, report.rowsOut]).toEqual([rows, rows]);
        const expectedGroups = Array.from({ length: Math.ceil(rows / c.outputRowGroupRows) }, (_, g) =>
          Math.min(c.outputRowGroupRows, rows - g * c.outputRowGroupRows),
        );
        expect(footerOfFile(outputPath).rowGroups.map((rg) => rg.numRows)).toEqual(expectedGroups);
        expectNormalizedOutput(FHVHV_SCHEMA_V1, table, readParquetTable(outputPath));
        fs.rmSync(inputPath);
        fs.rmSync(outputPath);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 25) }, // PROPERTY_RUNS=400 for a longer search
    );
  }, 60_000);
});
