// The normalization of each dataset written again in DuckDB's SQL, from the README's tables and nothing else:
// it imports none of the engine's schemas, casts or rules, so a mistake in those shows as a disagreement.
// Per source column the cast is chosen from the type DuckDB itself reads (DESCRIBE), not from our mapping.
import type { DuckDBConnection } from '@duckdb/node-api';

type Kind = 'string' | 'timestamp' | 'int32' | 'float32' | 'flag';

interface Column {
  name: string;
  kind: Kind;
  /** Accepted source spellings (the README's drift list); the canonical name first. */
  from?: string[];
  optional?: boolean;
}

const col = (name: string, kind: Kind, more: Partial<Column> = {}): Column => ({ name, kind, ...more });
const floats = (...names: string[]) => names.map((n) => col(n, 'float32'));
const ints = (...names: string[]) => names.map((n) => col(n, 'int32'));
const cbd = col('cbd_congestion_fee', 'float32', { optional: true });
const airportFee = col('airport_fee', 'float32', { from: ['airport_fee', 'Airport_fee'] });

/** The README's column tables, in output order. */
const COLUMNS: Record<string, Column[]> = {
  fhvhv: [
    col('hvfhs_license_num', 'string'),
    col('dispatching_base_num', 'string'),
    col('originating_base_num', 'string'),
    col('request_datetime', 'timestamp'),
    col('on_scene_datetime', 'timestamp'),
    col('pickup_datetime', 'timestamp'),
    col('dropoff_datetime', 'timestamp'),
    ...ints('PULocationID', 'DOLocationID'),
    col('trip_miles', 'float32'),
    col('trip_time', 'int32'),
    ...floats('base_passenger_fare', 'tolls', 'bcf', 'sales_tax', 'congestion_surcharge'),
    airportFee,
    ...floats('tips', 'driver_pay'),
    ...['shared_request_flag', 'shared_match_flag', 'access_a_ride_flag', 'wav_request_flag', 'wav_match_flag'].map((n) =>
      col(n, 'flag'),
    ),
    cbd,
  ],
  yellow: [
    col('VendorID', 'int32'),
    col('tpep_pickup_datetime', 'timestamp'),
    col('tpep_dropoff_datetime', 'timestamp'),
    col('passenger_count', 'int32'),
    col('trip_distance', 'float32'),
    col('RatecodeID', 'int32'),
    col('store_and_fwd_flag', 'flag'),
    ...ints('PULocationID', 'DOLocationID', 'payment_type'),
    ...floats('fare_amount', 'extra', 'mta_tax', 'tip_amount', 'tolls_amount', 'improvement_surcharge', 'total_amount'),
    col('congestion_surcharge', 'float32'),
    airportFee,
    cbd,
  ],
  green: [
    col('VendorID', 'int32'),
    col('lpep_pickup_datetime', 'timestamp'),
    col('lpep_dropoff_datetime', 'timestamp'),
    col('store_and_fwd_flag', 'flag'),
    ...ints('RatecodeID', 'PULocationID', 'DOLocationID', 'passenger_count'),
    ...floats('trip_distance', 'fare_amount', 'extra', 'mta_tax', 'tip_amount', 'tolls_amount', 'ehail_fee'),
    ...floats('improvement_surcharge', 'total_amount'),
    ...ints('payment_type', 'trip_type'),
    col('congestion_surcharge', 'float32'),
    cbd,
  ],
  fhv: [
    col('dispatching_base_num', 'string'),
    col('pickup_datetime', 'timestamp'),
    col('dropoff_datetime', 'timestamp', { from: ['dropoff_datetime', 'dropOff_datetime'] }),
    col('PULocationID', 'int32', { from: ['PULocationID', 'PUlocationID'] }),
    col('DOLocationID', 'int32', { from: ['DOLocationID', 'DOlocationID'] }),
    col('SR_Flag', 'flag'),
    col('Affiliated_base_number', 'string'),
  ],
};

/**
 * The README's rules table as SQL over the converted columns (`c_<name>`, timestamps already in µs) and the
 * source numbers as DOUBLE (`d_<name>`: the rules read the value before it is narrowed). A CASE takes the first
 * rule that holds; a comparison with a null is null, which CASE treats as not holding: a null never breaks a rule.
 */
function rulesSql(dataset: string, month: string): string {
  const start = `TIMESTAMP '${month}-01'`;
  const [pickup, dropoff, distance, fare, distanceRule, fareRule] = {
    fhvhv: ['pickup_datetime', 'dropoff_datetime', 'trip_miles', 'base_passenger_fare', 'negative_trip_miles', 'negative_base_fare'],
    yellow: ['tpep_pickup_datetime', 'tpep_dropoff_datetime', 'trip_distance', 'fare_amount', 'negative_trip_distance', 'negative_fare_amount'],
    green: ['lpep_pickup_datetime', 'lpep_dropoff_datetime', 'trip_distance', 'fare_amount', 'negative_trip_distance', 'negative_fare_amount'],
    fhv: ['pickup_datetime', 'dropoff_datetime'],
  }[dataset]!;
  const money = distance
    ? `WHEN "d_${distance}" < 0 THEN '${distanceRule}'
       WHEN "d_${fare}" < 0 THEN '${fareRule}'`
    : '';
  return `CASE
       WHEN "c_${dropoff}" <= "c_${pickup}" THEN 'dropoff_not_after_pickup'
       ${money}
       WHEN "c_${pickup}" < ${start} - INTERVAL 1 DAY OR "c_${pickup}" >= ${start} + INTERVAL 1 MONTH + INTERVAL 1 DAY
         THEN 'pickup_outside_month'
       WHEN NOT ("d_PULocationID" >= 1 AND "d_PULocationID" <= 265) OR NOT ("d_DOLocationID" >= 1 AND "d_DOLocationID" <= 265)
         THEN 'location_id_out_of_range'
     END`;
}

/** Every rule of a dataset, in order (the report lists them all). */
export const SQL_RULES: Record<string, string[]> = {
  fhvhv: ['dropoff_not_after_pickup', 'negative_trip_miles', 'negative_base_fare', 'pickup_outside_month', 'location_id_out_of_range'],
  yellow: ['dropoff_not_after_pickup', 'negative_trip_distance', 'negative_fare_amount', 'pickup_outside_month', 'location_id_out_of_range'],
  green: ['dropoff_not_after_pickup', 'negative_trip_distance', 'negative_fare_amount', 'pickup_outside_month', 'location_id_out_of_range'],
  fhv: ['dropoff_not_after_pickup', 'pickup_outside_month', 'location_id_out_of_range'],
};

const SQL_TYPE: Record<Kind, string> = { string: 'VARCHAR', timestamp: 'TIMESTAMP', int32: 'INTEGER', float32: 'FLOAT', flag: 'BOOLEAN' };

/** The cast of one source column, for the type DuckDB reads it as. */
function castSql(kind: Kind, source: string | undefined, sourceType: string | undefined): string {
  if (source === undefined || sourceType === undefined) return `CAST(NULL AS ${SQL_TYPE[kind]})`;
  const s = `"${source}"`;
  const asDouble = `CAST(${s} AS DOUBLE)`;
  switch (kind) {
    case 'string':
      return `CAST(${s} AS VARCHAR)`;
    case 'timestamp':
      // ns floored to µs (also before 1970: DuckDB's // truncates towards zero, so step back on a negative rest)
      if (sourceType === 'TIMESTAMP_NS') {
        return `make_timestamp(epoch_ns(${s}) // 1000 - CASE WHEN epoch_ns(${s}) % 1000 < 0 THEN 1 ELSE 0 END)`;
      }
      return `CAST(${s} AS TIMESTAMP)`;
    case 'int32':
      // integral and inside int32, else null (a float 132.5, a NaN, an int64 beyond 2^31)
      return `CASE WHEN isfinite(${asDouble}) AND ${asDouble} = trunc(${asDouble}) THEN TRY_CAST(${s} AS INTEGER) END`;
    case 'float32':
      // "rounds to the nearest float32" (README): from 2^128 - 2^103 on, that is ±Infinity; DuckDB's CAST refuses
      // such a double (out of range for FLOAT) where the engine writes ±Infinity, so it is spelled out here
      return `CASE WHEN isfinite(${asDouble}) AND abs(${asDouble}) >= 2::DOUBLE ** 128 - 2::DOUBLE ** 103
                   THEN CAST(sign(${asDouble}) * 'inf'::DOUBLE AS FLOAT) ELSE CAST(${s} AS FLOAT) END`;
    case 'flag':
      if (sourceType === 'VARCHAR') return `CASE ${s} WHEN 'Y' THEN true WHEN 'N' THEN false END`;
      if (sourceType === 'BOOLEAN') return s;
      return `CASE WHEN ${asDouble} = 1 THEN true WHEN ${asDouble} = 0 THEN false END`;
  }
}

export interface SqlNormalization {
  /** Canonical column name → its DuckDB type. */
  types: Record<string, string>;
  /** Kept rows in source order, per column: timestamps as µs (bigint), the rest as DuckDB gives them. */
  columns: Record<string, unknown[]>;
  rowsIn: number;
  /** Dropped rows per rule, every rule listed. */
  dropped: Record<string, number>;
}

/** Normalizes `sourcePath` with DuckDB alone. */
export async function normalizeWithDuckDb(
  connection: DuckDBConnection,
  dataset: string,
  month: string,
  sourcePath: string,
): Promise<SqlNormalization> {
  const source = `read_parquet('${sourcePath}', file_row_number = true)`;
  const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJson();
  const sourceTypes = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const columns = COLUMNS[dataset];
  const converted: string[] = [];
  for (const c of columns) {
    const name = (c.from ?? [c.name]).find((n) => sourceTypes.has(n));
    if (name === undefined && !c.optional) throw new Error(`source has no column for ${c.name}`);
    converted.push(`${castSql(c.kind, name, name && sourceTypes.get(name))} AS "c_${c.name}"`);
    if (name !== undefined && (c.kind === 'int32' || c.kind === 'float32')) converted.push(`CAST("${name}" AS DOUBLE) AS "d_${c.name}"`);
  }
  const ruled = `
    WITH converted AS (SELECT file_row_number, ${converted.join(', ')} FROM ${source}),
         ruled AS (SELECT *, ${rulesSql(dataset, month)} AS rule FROM converted)`;
  const outputs = columns.map((c) => (c.kind === 'timestamp' ? `epoch_us("c_${c.name}")` : `"c_${c.name}"`) + ` AS "${c.name}"`);
  const kept = await connection.runAndReadAll(
    `${ruled} SELECT ${outputs.join(', ')} FROM ruled WHERE rule IS NULL ORDER BY file_row_number`,
  );
  const keptColumns = kept.getColumnsJS();
  const counts = (
    await connection.runAndReadAll(`${ruled} SELECT coalesce(rule, 'kept') AS rule, count(*)::INTEGER AS n FROM ruled GROUP BY ALL`)
  ).getRowObjectsJS();
  const byRule = new Map(counts.map((r) => [String(r.rule), Number(r.n)]));
  return {
    types: Object.fromEntries(columns.map((c) => [c.name, SQL_TYPE[c.kind]])),
    columns: Object.fromEntries(columns.map((c, k) => [c.name, keptColumns[k] ?? []])),
    rowsIn: [...byRule.values()].reduce((a, b) => a + b, 0),
    dropped: Object.fromEntries(SQL_RULES[dataset].map((r) => [r, byRule.get(r) ?? 0])),
  };
}
