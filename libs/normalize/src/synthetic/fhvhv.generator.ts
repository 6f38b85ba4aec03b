// Synthetic High-Volume FHV source files with the real 24(+1)-column schema and value distributions close to
// DATA.md, plus a chosen fraction of invalid rows that break the quality rules one at a time. Deterministic
// for a seed. Timestamps carry random sub-second microseconds (the originals are whole seconds) so that any
// conversion that loses precision shows in tests.
import * as arrow from 'apache-arrow';
import { emptyDropCounts } from '../quality';
import { FHVHV_SCHEMA_V1 } from '../schemas/fhvhv.schema';
import { encodeParquet } from '../writer';
import { SeededRandom } from './random';
import { type NumberValues, type TimeValues, extraColumn, float64, int64, timestamp, utf8 } from './source-arrow';

export interface FhvhvGeneratorOptions {
  /** 'YYYY-MM': valid pickups fall inside this month (UTC-naive). */
  month: string;
  rows: number;
  seed?: number;
  /** Fraction of rows that break exactly one quality rule, the rules taking turns; default 0.005. */
  invalidFraction?: number;
  /** Default: one row group for the whole file, like the worst real months. */
  rowGroupRows?: number;
  /** Default 'snappy'. */
  compression?: 'snappy' | 'zstd' | 'gzip';
  /** `airport_fee` as int64 (some real files) instead of double. */
  airportFeeAsInt?: boolean;
  /** Default: month >= 2025-01. */
  withCbdCongestionFee?: boolean;
  /** Storage unit of the four timestamps; default 'us' (the originals). 'ns' adds random sub-µs digits. */
  timestampUnit?: 'ms' | 'us' | 'ns';
  /** Spelling of the airport fee column; default 'airport_fee'. */
  airportFeeColumn?: 'airport_fee' | 'Airport_fee';
  /** Unknown extra int64 columns appended to the schema. */
  extraColumns?: readonly string[];
}

export interface SyntheticFhvhv {
  table: arrow.Table;
  /** Rows made invalid, per rule they break (each breaks exactly one). */
  invalidRows: Record<QualityRule, number>;
  /** Their indexes, ascending. */
  invalidRowIndexes: number[];
}

/** The fhvhv v1 rules, in order (`FHVHV_SCHEMA_V1.rules`). */
type QualityRule =
  | 'dropoff_not_after_pickup'
  | 'negative_trip_miles'
  | 'negative_base_fare'
  | 'pickup_outside_month'
  | 'location_id_out_of_range';
const QUALITY_RULES = FHVHV_SCHEMA_V1.rules.map((r) => r.name as QualityRule);

const DAY_MICROS = 86_400_000_000n;
const UBER_BASES = ['B03404', 'B02764', 'B02765', 'B02869', 'B02872', 'B02875', 'B02877', 'B02879', 'B02882'];
const LYFT_BASES = ['B03406', 'B02510'];
const BUSY_ZONES = [132, 138, 161, 237, 236, 79, 48, 230, 170, 162, 186, 142, 239, 141, 68, 107, 234, 263, 61, 76];
const AIRPORTS = new Set([1, 132, 138]);
/** Pickups per hour of day, relative. */
const HOUR_WEIGHTS = [5, 3, 2, 1.5, 1.5, 2, 3.5, 5, 6, 5.5, 5, 5, 5.5, 5.5, 6, 6.5, 7, 8, 8.5, 8, 7.5, 7.5, 7, 6];
const HOURS = HOUR_WEIGHTS.map((_, h) => h);

/** The synthetic source file as Parquet bytes. */
export function generateFhvhvParquet(opts: FhvhvGeneratorOptions): Uint8Array {
  const { table } = buildFhvhvTable(opts);
  return encodeParquet(table, {
    compression: opts.compression ?? 'snappy',
    rowGroupRows: opts.rowGroupRows ?? Math.max(1, opts.rows),
  });
}

/** The synthetic source file as an Arrow table, with what was made invalid (for tests). */
export function buildFhvhvTable(opts: FhvhvGeneratorOptions): SyntheticFhvhv {
  const random = new SeededRandom(opts.seed ?? 1);
  const trips = sampleTrips(opts.month, opts.rows, random);
  const invalid = injectInvalidRows(trips, opts.month, opts.invalidFraction ?? 0.005, random);
  return { table: toArrowTable(trips, opts, random), ...invalid };
}

interface Trips {
  rows: number;
  strings: Record<'license' | 'dispatching' | 'originating', (string | null)[]>;
  times: Record<'request' | 'onScene' | 'pickup' | 'dropoff', TimeValues>;
  numbers: Record<NumberName, NumberValues>;
  flags: Record<FlagName, (string | null)[]>;
}

const NUMBER_NAMES = [
  'PULocationID',
  'DOLocationID',
  'trip_miles',
  'trip_time',
  'base_passenger_fare',
  'tolls',
  'bcf',
  'sales_tax',
  'congestion_surcharge',
  'airport_fee',
  'tips',
  'driver_pay',
  'cbd_congestion_fee',
] as const;
type NumberName = (typeof NUMBER_NAMES)[number];
const FLAG_NAMES = [
  'shared_request_flag',
  'shared_match_flag',
  'access_a_ride_flag',
  'wav_request_flag',
  'wav_match_flag',
] as const;
type FlagName = (typeof FLAG_NAMES)[number];

function sampleTrips(month: string, rows: number, random: SeededRandom): Trips {
  const newTime = (): TimeValues => ({ micros: new BigInt64Array(rows), valid: new Uint8Array(rows).fill(1) });
  const trips: Trips = {
    rows,
    strings: { license: [], dispatching: [], originating: [] },
    times: { request: newTime(), onScene: newTime(), pickup: newTime(), dropoff: newTime() },
    numbers: Object.fromEntries(
      NUMBER_NAMES.map((n) => [n, { values: new Float64Array(rows), valid: new Uint8Array(rows).fill(1) }]),
    ) as Trips['numbers'],
    flags: Object.fromEntries(FLAG_NAMES.map((n) => [n, [] as (string | null)[]])) as Trips['flags'],
  };
  const [year, mon] = month.split('-').map(Number);
  const monthStart = BigInt(Date.UTC(year, mon - 1, 1)) * 1000n;
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  const licenses = year < 2020 ? ['HV0002', 'HV0003', 'HV0004', 'HV0005'] : ['HV0003', 'HV0005'];
  const licenseWeights = year < 2020 ? [1, 70, 3, 26] : [73, 27];
  for (let i = 0; i < rows; i++) {
    const license = random.weighted(licenses, licenseWeights);
    sampleTrip(trips, i, license, monthStart, days, month >= '2025-01', random);
  }
  return trips;
}

function sampleTrip(
  trips: Trips,
  i: number,
  license: string,
  monthStart: bigint,
  days: number,
  cbdEra: boolean,
  random: SeededRandom,
): void {
  const uber = license === 'HV0003';
  const base = uber ? random.pick(UBER_BASES) : license === 'HV0005' ? random.pick(LYFT_BASES) : 'B02800';
  trips.strings.license.push(license);
  trips.strings.dispatching.push(base);
  trips.strings.originating.push(uber && !random.chance(0.02) ? base : null);

  const secondOfDay = random.weighted(HOURS, HOUR_WEIGHTS) * 3600 + random.int(0, 3599);
  const pickup =
    monthStart + BigInt(random.int(0, days - 1)) * DAY_MICROS + BigInt(secondOfDay) * 1_000_000n + micros(random);
  const miles = Math.min(150, Math.round(random.logNormal(1.2, 0.8) * 100) / 100);
  const tripTime = Math.max(60, Math.round(miles * random.int(150, 400) + random.int(60, 600)));
  const onSceneLead = BigInt(random.int(0, 300)) * 1_000_000n + micros(random);
  const t = trips.times;
  t.pickup.micros[i] = pickup;
  t.dropoff.micros[i] = pickup + BigInt(tripTime) * 1_000_000n + micros(random);
  t.onScene.micros[i] = pickup - onSceneLead;
  t.onScene.valid[i] = uber ? 1 : 0; // only Uber reports on-scene times
  t.request.micros[i] = pickup - onSceneLead - BigInt(random.int(60, 900)) * 1_000_000n - micros(random);

  const pu = zone(random);
  const dropoffZone = zone(random);
  const fare = Math.max(0, round2(2.5 + 1.35 * miles + 0.45 * (tripTime / 60) + random.normal() * 2));
  const n = trips.numbers;
  set(n.PULocationID, i, pu);
  set(n.DOLocationID, i, dropoffZone);
  set(n.trip_miles, i, miles);
  set(n.trip_time, i, tripTime);
  set(n.base_passenger_fare, i, fare);
  set(n.tolls, i, random.chance(0.08) ? random.pick([6.94, 6.55, 11.19, 2.8]) : 0);
  set(n.bcf, i, round2(fare * 0.0275));
  set(n.sales_tax, i, round2(fare * 0.08875));
  set(n.congestion_surcharge, i, random.chance(0.55) ? 2.75 : 0);
  set(n.airport_fee, i, AIRPORTS.has(pu) || AIRPORTS.has(dropoffZone) ? 2.5 : 0);
  set(n.tips, i, random.chance(0.18) ? round2(fare * (0.1 + random.next() * 0.15)) : 0);
  set(n.driver_pay, i, round2(fare * (0.6 + random.next() * 0.25)));
  set(n.cbd_congestion_fee, i, cbdEra && random.chance(0.3) ? 1.5 : 0);
  for (const name of NUMBER_NAMES) if (random.chance(0.002)) n[name].valid[i] = 0; // nulls appear everywhere

  const f = trips.flags;
  f.shared_request_flag.push(flag(random, 0.03));
  f.shared_match_flag.push(flag(random, 0.01));
  f.access_a_ride_flag.push(uber ? flag(random, 0.001) : ' '); // Lyft leaves it blank
  f.wav_request_flag.push(flag(random, 0.01));
  f.wav_match_flag.push(flag(random, 0.07));
}

function injectInvalidRows(
  trips: Trips,
  month: string,
  fraction: number,
  random: SeededRandom,
): Pick<SyntheticFhvhv, 'invalidRows' | 'invalidRowIndexes'> {
  const counts = emptyDropCounts(FHVHV_SCHEMA_V1.rules) as Record<QualityRule, number>;
  const target = Math.min(trips.rows, Math.round(trips.rows * fraction));
  const chosen = new Set<number>();
  while (chosen.size < target) chosen.add(random.int(0, trips.rows - 1));
  let k = 0;
  for (const i of chosen) {
    const rule = QUALITY_RULES[k++ % QUALITY_RULES.length];
    breakRule(trips, i, rule, month, random);
    counts[rule]++;
  }
  return { invalidRows: counts, invalidRowIndexes: [...chosen].sort((a, b) => a - b) };
}

/** Makes row i break `rule` and no rule before it (see quality.ts for the order). */
function breakRule(trips: Trips, i: number, rule: QualityRule, month: string, random: SeededRandom): void {
  const { times: t, numbers: n } = trips;
  t.pickup.valid[i] = 1;
  switch (rule) {
    case 'dropoff_not_after_pickup':
      t.dropoff.valid[i] = 1;
      t.dropoff.micros[i] = t.pickup.micros[i] - BigInt(random.int(0, 600)) * 1_000_000n;
      return;
    case 'negative_trip_miles':
      set(n.trip_miles, i, -round2(0.01 + random.next() * 5));
      return;
    case 'negative_base_fare':
      set(n.base_passenger_fare, i, -round2(1 + random.next() * 50));
      return;
    case 'pickup_outside_month': {
      const [year] = month.split('-').map(Number);
      const target = random.pick([
        BigInt(Date.UTC(2001, 0, 1 + random.int(0, 360))) * 1000n,
        BigInt(Date.UTC(2098, 0, 1 + random.int(0, 360))) * 1000n,
        BigInt(Date.UTC(year, Number(month.slice(5)) - 1, 1 - random.int(2, 40))) * 1000n,
      ]);
      const shift = target - t.pickup.micros[i];
      for (const time of Object.values(t)) time.micros[i] += shift; // the trip itself stays consistent
      return;
    }
    case 'location_id_out_of_range':
      set(random.chance(0.5) ? n.PULocationID : n.DOLocationID, i, random.pick([0, 266, 300, 999, -1]));
      return;
  }
}

function toArrowTable(trips: Trips, opts: FhvhvGeneratorOptions, random: SeededRandom): arrow.Table {
  const unit = opts.timestampUnit ?? 'us';
  const withCbd = opts.withCbdCongestionFee ?? opts.month >= '2025-01';
  const columns: [string, arrow.Data][] = [
    ['hvfhs_license_num', utf8(trips.strings.license)],
    ['dispatching_base_num', utf8(trips.strings.dispatching)],
    ['originating_base_num', utf8(trips.strings.originating)],
    ['request_datetime', timestamp(trips.times.request, unit, random)],
    ['on_scene_datetime', timestamp(trips.times.onScene, unit, random)],
    ['pickup_datetime', timestamp(trips.times.pickup, unit, random)],
    ['dropoff_datetime', timestamp(trips.times.dropoff, unit, random)],
    ['PULocationID', int64(trips.numbers.PULocationID)],
    ['DOLocationID', int64(trips.numbers.DOLocationID)],
    ['trip_miles', float64(trips.numbers.trip_miles)],
    ['trip_time', int64(trips.numbers.trip_time)],
    ...(['base_passenger_fare', 'tolls', 'bcf', 'sales_tax', 'congestion_surcharge'] as const).map(
      (name): [string, arrow.Data] => [name, float64(trips.numbers[name])],
    ),
    [
      opts.airportFeeColumn ?? 'airport_fee',
      opts.airportFeeAsInt ? int64(trips.numbers.airport_fee) : float64(trips.numbers.airport_fee),
    ],
    ['tips', float64(trips.numbers.tips)],
    ['driver_pay', float64(trips.numbers.driver_pay)],
    ...FLAG_NAMES.map((name): [string, arrow.Data] => [name, utf8(trips.flags[name])]),
    ...(withCbd ? [['cbd_congestion_fee', float64(trips.numbers.cbd_congestion_fee)] as [string, arrow.Data]] : []),
    ...(opts.extraColumns ?? []).map((name): [string, arrow.Data] => [name, extraColumn(trips.rows, random)]),
  ];
  const schema = new arrow.Schema(columns.map(([name, data]) => new arrow.Field(name, data.type, true)));
  const children = columns.map(([, data]) => data);
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: trips.rows, nullCount: 0, children });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}

function set(column: NumberValues, i: number, value: number): void {
  column.values[i] = value;
  column.valid[i] = 1;
}

function zone(random: SeededRandom): number {
  if (random.chance(0.005)) return random.pick([264, 265]); // unknown / outside NYC
  return random.chance(0.45) ? random.pick(BUSY_ZONES) : random.int(1, 263);
}

function flag(random: SeededRandom, yes: number): string | null {
  if (random.chance(0.001)) return null;
  return random.chance(yes) ? 'Y' : 'N';
}

function micros(random: SeededRandom): bigint {
  return BigInt(random.int(0, 999_999));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
