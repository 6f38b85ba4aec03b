// The DuckDB equivalent of sluice's fhvhv.v1 normalization: the same casts (money/miles → FLOAT, IDs and
// trip_time → INTEGER, Y/N → BOOLEAN, µs timestamps, strings dictionary-encoded by DuckDB's writer), the same
// five rules (a null never breaks a rule), zstd, the same row-group size.
export function duckdbNormalizeSql(inputPath: string, outputPath: string, month: string, rowGroupRows: number): string {
  const flag = (c: string) => `CASE ${c} WHEN 'Y' THEN true WHEN 'N' THEN false ELSE NULL END AS ${c}`;
  const f32 = (c: string) => `CAST(${c} AS FLOAT) AS ${c}`;
  const i32 = (c: string) => `TRY_CAST(${c} AS INTEGER) AS ${c}`;
  const start = `TIMESTAMP '${month}-01'`;
  return `
COPY (
  SELECT hvfhs_license_num, dispatching_base_num, originating_base_num,
    request_datetime, on_scene_datetime, pickup_datetime, dropoff_datetime,
    ${i32('PULocationID')}, ${i32('DOLocationID')}, ${f32('trip_miles')}, ${i32('trip_time')},
    ${['base_passenger_fare', 'tolls', 'bcf', 'sales_tax', 'congestion_surcharge', 'airport_fee', 'tips', 'driver_pay'].map(f32).join(', ')},
    ${['shared_request_flag', 'shared_match_flag', 'access_a_ride_flag', 'wav_request_flag', 'wav_match_flag'].map(flag).join(', ')},
    CAST(NULL AS FLOAT) AS cbd_congestion_fee
  FROM read_parquet('${inputPath}')
  WHERE NOT coalesce(dropoff_datetime <= pickup_datetime, false)
    AND NOT coalesce(trip_miles < 0, false)
    AND NOT coalesce(base_passenger_fare < 0, false)
    AND NOT coalesce(pickup_datetime < ${start} - INTERVAL 1 DAY
                     OR pickup_datetime >= ${start} + INTERVAL 1 MONTH + INTERVAL 1 DAY, false)
    AND NOT coalesce(PULocationID NOT BETWEEN 1 AND 265, false)
    AND NOT coalesce(DOLocationID NOT BETWEEN 1 AND 265, false)
) TO '${outputPath}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupRows});
`;
}
