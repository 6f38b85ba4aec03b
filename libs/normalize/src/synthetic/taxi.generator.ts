// Synthetic yellow and green taxi source files with the TLC's column names, order and source types, value
// distributions in the right ballpark, the known drift as options, and a chosen fraction of rows that break
// the quality rules one at a time. Deterministic for a seed. Timestamps carry random sub-second microseconds
// (the originals are whole seconds) so that any conversion that loses precision shows in tests.
import * as arrow from 'apache-arrow';
import type { DatasetSchema } from '../schemas/canonical';
import { GREEN_SCHEMA_V1 } from '../schemas/green.schema';
import { YELLOW_SCHEMA_V1 } from '../schemas/yellow.schema';
import { type InvalidRows, type TripColumns, injectInvalidRows } from './invalid-rows';
import { SeededRandom } from './random';
import {
  type NumberValues,
  type TimeValues,
  extraColumn,
  float64,
  int32,
  int64,
  nullType,
  syntheticParquet,
  tableOf,
  timestamp,
  utf8,
} from './source-arrow';

export type TaxiDataset = 'yellow' | 'green';

export interface TaxiGeneratorOptions {
  /** 'YYYY-MM': valid pickups fall inside this month (UTC-naive). */
  month: string;
  rows: number;
  seed?: number;
  /** Fraction of rows that break exactly one quality rule, the rules taking turns; default 0.005. */
  invalidFraction?: number;
  /** Default: one row group for the whole file. */
  rowGroupRows?: number;
  /** Default 'snappy'. (The real yellow files are ZSTD: that takes the engine's wasm fallback.) */
  compression?: 'snappy' | 'zstd';
  /** Storage unit of the two timestamps; default 'us'. */
  timestampUnit?: 'ms' | 'us' | 'ns';
  /** Storage of VendorID, PULocationID and DOLocationID; default 'int64' ('int32' in the 2024 yellow files). */
  idType?: 'int32' | 'int64';
  /** passenger_count and RatecodeID (and green's payment_type, trip_type) as double with nulls, as pandas writes them. */
  codesAsDouble?: boolean;
  /** Yellow: spelling of the airport fee column; default 'airport_fee'. */
  airportFeeColumn?: 'airport_fee' | 'Airport_fee';
  /** Yellow: airport fee stored as int64 instead of double. */
  airportFeeAsInt?: boolean;
  /** Green: `ehail_fee` (always null) as an all-null double (default) or as the Arrow null type. */
  ehailFeeType?: 'float64' | 'null';
  /** Default: month >= 2025-01. */
  withCbdCongestionFee?: boolean;
  /** Unknown extra int64 columns appended to the schema. */
  extraColumns?: readonly string[];
}

export interface SyntheticTrips extends InvalidRows {
  table: arrow.Table;
}

const DAY_MICROS = 86_400_000_000n;
const SECOND = 1_000_000n;
const NUMBERS = [
  'VendorID',
  'passenger_count',
  'trip_distance',
  'RatecodeID',
  'PULocationID',
  'DOLocationID',
  'payment_type',
  'fare_amount',
  'extra',
  'mta_tax',
  'tip_amount',
  'tolls_amount',
  'ehail_fee',
  'improvement_surcharge',
  'total_amount',
  'trip_type',
  'congestion_surcharge',
  'airport_fee',
  'cbd_congestion_fee',
] as const;
type NumberName = (typeof NUMBERS)[number];
const YELLOW_ZONES = [237, 161, 236, 162, 230, 132, 186, 142, 170, 163, 239, 48, 68, 141, 234, 79, 138, 107, 140, 249];
const GREEN_ZONES = [74, 75, 41, 166, 7, 82, 97, 42, 95, 129, 260, 244, 181, 65, 25, 43, 116, 152];
const AIRPORTS = new Set([1, 132, 138]);

export function generateYellowParquet(opts: TaxiGeneratorOptions): Uint8Array {
  return syntheticParquet(buildTaxiTable('yellow', opts).table, opts);
}

export function generateGreenParquet(opts: TaxiGeneratorOptions): Uint8Array {
  return syntheticParquet(buildTaxiTable('green', opts).table, opts);
}

/** The synthetic source file as an Arrow table, with what was made invalid (for tests). */
export function buildTaxiTable(dataset: TaxiDataset, opts: TaxiGeneratorOptions): SyntheticTrips {
  const schema: DatasetSchema = dataset === 'yellow' ? YELLOW_SCHEMA_V1 : GREEN_SCHEMA_V1;
  const prefix = dataset === 'yellow' ? 'tpep' : 'lpep';
  const random = new SeededRandom(opts.seed ?? 1);
  const trips = sampleTrips(dataset, prefix, opts, random);
  const invalid = injectInvalidRows(trips, schema.rules, opts.month, opts.invalidFraction ?? 0.005, random);
  return { table: toArrowTable(dataset, prefix, trips, opts, random), ...invalid };
}

interface TaxiTrips extends TripColumns {
  numbers: Record<NumberName, NumberValues>;
  storeAndForward: (string | null)[];
}

function sampleTrips(dataset: TaxiDataset, prefix: string, opts: TaxiGeneratorOptions, random: SeededRandom): TaxiTrips {
  const { rows, month } = opts;
  const time = (): TimeValues => ({ micros: new BigInt64Array(rows), valid: new Uint8Array(rows).fill(1) });
  const numbers = Object.fromEntries(
    NUMBERS.map((name) => [name, { values: new Float64Array(rows), valid: new Uint8Array(rows).fill(1) }]),
  ) as Record<NumberName, NumberValues>;
  const trips: TaxiTrips = {
    rows,
    times: { [`${prefix}_pickup_datetime`]: time(), [`${prefix}_dropoff_datetime`]: time() },
    numbers,
    storeAndForward: [],
  };
  const [year, mon] = month.split('-').map(Number);
  const monthStart = BigInt(Date.UTC(year, mon - 1, 1)) * 1000n;
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  const pickup = trips.times[`${prefix}_pickup_datetime`];
  const dropoff = trips.times[`${prefix}_dropoff_datetime`];
  const zones = dataset === 'yellow' ? YELLOW_ZONES : GREEN_ZONES;
  const n = numbers;
  for (let i = 0; i < rows; i++) {
    const miles = Math.min(60, Math.round(random.logNormal(0.6, 0.8) * 100) / 100);
    const minutes = Math.max(1, Math.round(miles * random.int(3, 6) + random.int(1, 8)));
    pickup.micros[i] = monthStart + BigInt(random.int(0, days - 1)) * DAY_MICROS + BigInt(random.int(0, 86_399)) * SECOND + micros(random);
    dropoff.micros[i] = pickup.micros[i] + BigInt(minutes * 60) * SECOND + micros(random);
    const pu = random.chance(0.6) ? random.pick(zones) : random.int(1, 265);
    const dropoffZone = random.chance(0.5) ? random.pick(zones) : random.int(1, 265);
    const fare = Math.round((3 + 2.5 * miles + 0.7 * minutes) * 100) / 100;
    const tip = random.chance(0.7) ? Math.round(fare * (0.1 + random.next() * 0.2) * 100) / 100 : 0;
    const tolls = random.chance(0.05) ? 6.94 : 0;
    const congestion = dataset === 'yellow' ? (random.chance(0.9) ? 2.5 : 0) : random.chance(0.1) ? 2.75 : 0;
    const airport = dataset === 'yellow' && AIRPORTS.has(pu) ? 1.75 : 0;
    const cbd = month >= '2025-01' && random.chance(0.4) ? 0.75 : 0;
    set(n.VendorID, i, dataset === 'yellow' ? random.weighted([1, 2, 6], [25, 74, 1]) : random.weighted([1, 2], [15, 85]));
    set(n.passenger_count, i, random.weighted([0, 1, 2, 3, 4, 5, 6], [2, 70, 15, 4, 2, 4, 3]));
    set(n.trip_distance, i, miles);
    set(n.RatecodeID, i, random.weighted([1, 2, 3, 4, 5, 99], [94, 3, 0.5, 0.5, 1.5, 0.5]));
    set(n.PULocationID, i, pu);
    set(n.DOLocationID, i, dropoffZone);
    set(n.payment_type, i, random.weighted([1, 2, 3, 4], [75, 20, 2, 3]));
    set(n.fare_amount, i, fare);
    set(n.extra, i, random.pick([0, 1, 2.5]));
    set(n.mta_tax, i, 0.5);
    set(n.tip_amount, i, tip);
    set(n.tolls_amount, i, tolls);
    n.ehail_fee.valid[i] = 0; // always null
    set(n.improvement_surcharge, i, 1);
    set(n.total_amount, i, Math.round((fare + tip + tolls + 1.5 + congestion + airport + cbd) * 100) / 100);
    set(n.trip_type, i, random.weighted([1, 2], [90, 10]));
    set(n.congestion_surcharge, i, congestion);
    set(n.airport_fee, i, airport);
    set(n.cbd_congestion_fee, i, cbd);
    trips.storeAndForward.push(random.chance(0.005) ? 'Y' : 'N');
    if (random.chance(0.03)) {
      // trips without meter data: the TLC leaves these null (and payment_type 0)
      for (const name of ['passenger_count', 'RatecodeID', 'congestion_surcharge', 'airport_fee', 'trip_type'] as const) {
        n[name].valid[i] = 0;
      }
      set(n.payment_type, i, 0);
      trips.storeAndForward[i] = null;
    }
  }
  return trips;
}

function toArrowTable(
  dataset: TaxiDataset,
  prefix: string,
  trips: TaxiTrips,
  opts: TaxiGeneratorOptions,
  random: SeededRandom,
): arrow.Table {
  const unit = opts.timestampUnit ?? 'us';
  const n = trips.numbers;
  const id = (name: NumberName): [string, arrow.Data] => [name, opts.idType === 'int32' ? int32(n[name]) : int64(n[name])];
  const code = (name: NumberName): [string, arrow.Data] => [name, opts.codesAsDouble ? float64(n[name]) : int64(n[name])];
  const money = (name: NumberName): [string, arrow.Data] => [name, float64(n[name])];
  const time = (name: string): [string, arrow.Data] => [name, timestamp(trips.times[name], unit, random)];
  const flag: [string, arrow.Data] = ['store_and_fwd_flag', utf8(trips.storeAndForward)];
  const pickup = time(`${prefix}_pickup_datetime`);
  const dropoff = time(`${prefix}_dropoff_datetime`);
  const columns: [string, arrow.Data][] =
    dataset === 'yellow'
      ? [
          id('VendorID'), pickup, dropoff, code('passenger_count'), money('trip_distance'), code('RatecodeID'), flag,
          id('PULocationID'), id('DOLocationID'), ['payment_type', int64(n.payment_type)],
          ...(['fare_amount', 'extra', 'mta_tax', 'tip_amount', 'tolls_amount', 'improvement_surcharge'] as const).map(money),
          money('total_amount'), money('congestion_surcharge'),
          [opts.airportFeeColumn ?? 'airport_fee', opts.airportFeeAsInt ? int64(n.airport_fee) : float64(n.airport_fee)],
        ]
      : [
          id('VendorID'), pickup, dropoff, flag, code('RatecodeID'), id('PULocationID'), id('DOLocationID'),
          code('passenger_count'),
          ...(['trip_distance', 'fare_amount', 'extra', 'mta_tax', 'tip_amount', 'tolls_amount'] as const).map(money),
          ['ehail_fee', opts.ehailFeeType === 'null' ? nullType(trips.rows) : float64(n.ehail_fee)],
          money('improvement_surcharge'), money('total_amount'), code('payment_type'), code('trip_type'),
          money('congestion_surcharge'),
        ];
  if (opts.withCbdCongestionFee ?? opts.month >= '2025-01') columns.push(money('cbd_congestion_fee'));
  for (const name of opts.extraColumns ?? []) columns.push([name, extraColumn(trips.rows, random)]);
  return tableOf(columns, trips.rows);
}

function set(column: NumberValues, i: number, value: number): void {
  column.values[i] = value;
  column.valid[i] = 1;
}

function micros(random: SeededRandom): bigint {
  return BigInt(random.int(0, 999_999));
}
