// Synthetic FHV (non-high-volume for-hire) source files with the TLC's 7 columns, spellings and source types
// (`dropOff_datetime`, `PUlocationID`/`DOlocationID` as double with nulls, `SR_Flag` 1 or null), the known
// drift as options, and a chosen fraction of rows that break the quality rules one at a time. Deterministic
// for a seed. Timestamps carry random sub-second microseconds so that lost precision shows in tests.
import type * as arrow from 'apache-arrow';
import { FHV_SCHEMA_V1 } from '../schemas/fhv.schema';
import { injectInvalidRows } from './invalid-rows';
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
import type { SyntheticTrips } from './taxi.generator';

export interface FhvGeneratorOptions {
  /** 'YYYY-MM': valid pickups fall inside this month (UTC-naive). */
  month: string;
  rows: number;
  seed?: number;
  /** Fraction of rows that break exactly one quality rule, the rules taking turns; default 0.005. */
  invalidFraction?: number;
  /** Default: one row group for the whole file. */
  rowGroupRows?: number;
  compression?: 'snappy' | 'zstd';
  timestampUnit?: 'ms' | 'us' | 'ns';
  /** Storage of the location IDs: 'float64' with nulls (older files; default) or 'int64'. */
  locationIdType?: 'float64' | 'int64';
  /** Fraction of null location IDs; default 0.2. */
  nullLocationFraction?: number;
  /** Storage of SR_Flag (1 or null): 'int32' (default), 'float64', or the Arrow null type (no shared rides). */
  srFlagType?: 'int32' | 'float64' | 'null';
  /** Spelling of the dropoff column; default the TLC's 'dropOff_datetime'. */
  dropoffColumn?: 'dropOff_datetime' | 'dropoff_datetime';
  /** Spelling of the location columns; default the TLC's 'PUlocationID'/'DOlocationID'. */
  locationColumns?: 'PUlocationID' | 'PULocationID';
  extraColumns?: readonly string[];
}

const DAY_MICROS = 86_400_000_000n;
const SECOND = 1_000_000n;
const BASES = ['B00254', 'B00856', 'B01145', 'B02510', 'B00310', 'B03016', 'B01231', 'B00821', 'B02800', 'B00446'];

export function generateFhvParquet(opts: FhvGeneratorOptions): Uint8Array {
  return syntheticParquet(buildFhvTable(opts).table, opts);
}

export function buildFhvTable(opts: FhvGeneratorOptions): SyntheticTrips {
  const random = new SeededRandom(opts.seed ?? 1);
  const { rows, month } = opts;
  const time = (): TimeValues => ({ micros: new BigInt64Array(rows), valid: new Uint8Array(rows).fill(1) });
  const number = (): NumberValues => ({ values: new Float64Array(rows), valid: new Uint8Array(rows).fill(1) });
  const pickup = time();
  const dropoff = time();
  const pu = number();
  const dropoffZone = number();
  const shared = number();
  const dispatching: string[] = [];
  const affiliated: (string | null)[] = [];
  const [year, mon] = month.split('-').map(Number);
  const monthStart = BigInt(Date.UTC(year, mon - 1, 1)) * 1000n;
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  const nullLocations = opts.nullLocationFraction ?? 0.2;
  for (let i = 0; i < rows; i++) {
    pickup.micros[i] = monthStart + BigInt(random.int(0, days - 1)) * DAY_MICROS + BigInt(random.int(0, 86_399)) * SECOND + micros(random);
    dropoff.micros[i] = pickup.micros[i] + BigInt(random.int(120, 5400)) * SECOND + micros(random);
    if (random.chance(0.01)) dropoff.valid[i] = 0;
    pu.values[i] = random.int(1, 265);
    dropoffZone.values[i] = random.int(1, 265);
    if (random.chance(nullLocations)) pu.valid[i] = 0;
    if (random.chance(nullLocations)) dropoffZone.valid[i] = 0;
    shared.values[i] = 1;
    if (opts.srFlagType === 'null' || !random.chance(0.03)) shared.valid[i] = 0;
    const base = random.pick(BASES);
    dispatching.push(base);
    affiliated.push(random.chance(0.1) ? null : random.chance(0.8) ? base : random.pick(BASES));
  }
  const trips = {
    rows,
    times: { pickup_datetime: pickup, dropoff_datetime: dropoff },
    numbers: { PULocationID: pu, DOLocationID: dropoffZone },
  };
  const invalid = injectInvalidRows(trips, FHV_SCHEMA_V1.rules, month, opts.invalidFraction ?? 0.005, random);

  const unit = opts.timestampUnit ?? 'us';
  const location = (column: NumberValues) => (opts.locationIdType === 'int64' ? int64(column) : float64(column));
  const srFlag =
    opts.srFlagType === 'null' ? nullType(rows) : opts.srFlagType === 'float64' ? float64(shared) : int32(shared);
  const [puName, doName] = opts.locationColumns === 'PULocationID' ? ['PULocationID', 'DOLocationID'] : ['PUlocationID', 'DOlocationID'];
  const columns: [string, arrow.Data][] = [
    ['dispatching_base_num', utf8(dispatching)],
    ['pickup_datetime', timestamp(pickup, unit, random)],
    [opts.dropoffColumn ?? 'dropOff_datetime', timestamp(dropoff, unit, random)],
    [puName, location(pu)],
    [doName, location(dropoffZone)],
    ['SR_Flag', srFlag],
    ['Affiliated_base_number', utf8(affiliated)],
    ...(opts.extraColumns ?? []).map((name): [string, arrow.Data] => [name, extraColumn(rows, random)]),
  ];
  return { table: tableOf(columns, rows), ...invalid };
}

function micros(random: SeededRandom): bigint {
  return BigInt(random.int(0, 999_999));
}
