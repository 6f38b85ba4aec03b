// The synthetic fhvhv source of the benchmark, as DuckDB SQL: the real 24-column schema and types (µs
// timestamps, int64 IDs, double money, 'Y'/'N' flags), DATA.md-like distributions, and about 0.5 % of rows that
// each break one quality rule. Written as ONE row group, snappy (or zstd or gzip with --source-codec): the shape of the worst real months.
export function fhvhvSourceSql(rows: number, month: string, outputPath: string, codec: 'snappy' | 'zstd' | 'gzip' = 'snappy'): string {
  const start = `TIMESTAMP '${month}-01 00:00:00'`;
  return `
SELECT setseed(0.42);
COPY (
  WITH base AS (
    SELECT i,
      random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
      ${start} + to_microseconds(CAST(random() * 28 * 86400e6 AS BIGINT)) AS t0
    FROM range(${rows}) t(i)
  ), trips AS (
    SELECT i, r1, r2, r3, r4, r5, r6, t0,
      CASE WHEN r1 < 0.72 THEN 'HV0003' WHEN r1 < 0.995 THEN 'HV0005' ELSE 'HV0004' END AS lic,
      (60 + r2 * r2 * 3600)::BIGINT AS secs,
      round(0.2 + r3 * r3 * 25, 3) AS miles,
      CASE WHEN i % 997 = 0 THEN 1 + (i // 997) % 5 ELSE 0 END AS bad
    FROM base
  )
  SELECT
    lic AS hvfhs_license_num,
    CASE WHEN lic = 'HV0003' THEN ['B03404','B02764','B02765','B02869','B02872','B02875'][1 + (i % 6)] ELSE 'B03406' END AS dispatching_base_num,
    CASE WHEN lic = 'HV0003' THEN 'B03404' WHEN r6 < 0.1 THEN NULL ELSE 'B03406' END AS originating_base_num,
    t0 - to_microseconds((120 + r4 * 600)::BIGINT * 1000000) AS request_datetime,
    CASE WHEN lic = 'HV0003' THEN t0 - to_microseconds((r4 * 120)::BIGINT * 1000000) ELSE NULL END AS on_scene_datetime,
    CASE WHEN bad = 4 THEN t0 - INTERVAL 3 YEAR ELSE t0 END AS pickup_datetime,
    CASE WHEN bad = 1 THEN t0 - INTERVAL 5 MINUTE ELSE t0 + to_microseconds(secs * 1000000) END AS dropoff_datetime,
    CASE WHEN bad = 5 THEN 0 ELSE 1 + CAST(floor(r5 * 263) AS BIGINT) END AS PULocationID,
    CASE WHEN r6 < 0.02 THEN 264 ELSE 1 + CAST(floor(r6 * 265 * 7919) AS BIGINT) % 263 END AS DOLocationID,
    CAST(CASE WHEN bad = 2 THEN -miles ELSE miles END AS DOUBLE) AS trip_miles,
    secs AS trip_time,
    CAST(CASE WHEN bad = 3 THEN -round(5 + miles * 2.1, 2) ELSE round(5 + miles * 2.1 + r2 * 3, 2) END AS DOUBLE) AS base_passenger_fare,
    CAST(CASE WHEN r4 < 0.06 THEN round(6.94 + r5 * 10, 2) ELSE 0 END AS DOUBLE) AS tolls,
    CAST(round((5 + miles * 2.1) * 0.0275, 2) AS DOUBLE) AS bcf,
    CAST(round((5 + miles * 2.1) * 0.08875, 2) AS DOUBLE) AS sales_tax,
    CAST(CASE WHEN r3 < 0.35 THEN 2.75 WHEN r3 < 0.36 THEN NULL ELSE 0 END AS DOUBLE) AS congestion_surcharge,
    CAST(CASE WHEN r5 < 0.04 THEN 2.5 WHEN r5 < 0.05 THEN NULL ELSE 0 END AS DOUBLE) AS airport_fee,
    CAST(CASE WHEN r2 < 0.2 THEN round(r6 * 12, 2) ELSE 0 END AS DOUBLE) AS tips,
    CAST(round((5 + miles * 2.1) * 0.8 + r1, 2) AS DOUBLE) AS driver_pay,
    CASE WHEN r6 < 0.01 THEN 'Y' ELSE 'N' END AS shared_request_flag,
    CASE WHEN r6 < 0.004 THEN 'Y' ELSE 'N' END AS shared_match_flag,
    CASE WHEN lic = 'HV0005' THEN ' ' ELSE 'N' END AS access_a_ride_flag,
    CASE WHEN r5 < 0.002 THEN 'Y' ELSE 'N' END AS wav_request_flag,
    CASE WHEN r5 < 0.05 THEN 'Y' WHEN r5 < 0.051 THEN NULL ELSE 'N' END AS wav_match_flag
  FROM trips
  ORDER BY i
) TO '${outputPath}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${rows + 1});
`;
}
