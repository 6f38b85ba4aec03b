// DuckDB is the reader every data engineer will point at the output: it must see the canonical types.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it, onTestFinished } from 'vitest';
import { normalizeFile } from './normalize';
import { generateFhvParquet } from './synthetic/fhv.generator';
import { generateFhvhvParquet } from './synthetic/fhvhv.generator';
import { generateGreenParquet, generateYellowParquet } from './synthetic/taxi.generator';
import { tempDir } from './testing/parquet-readback';

describe('normalized output read by DuckDB', () => {
  it('has the canonical column types, naive µs timestamps and the kept rows', async () => {
    const dir = tempDir('duckdb');
    const inputPath = path.join(dir, 'fhvhv_tripdata_2025-02.parquet');
    fs.writeFileSync(inputPath, generateFhvhvParquet({ month: '2025-02', rows: 2_000, timestampUnit: 'ns' }));
    const outputPath = path.join(dir, 'out.parquet');
    const report = await normalizeFile({ inputPath, outputPath, dataset: 'fhvhv', month: '2025-02' });

    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    onTestFinished(() => {
      connection.closeSync();
      instance.closeSync();
    });
    const query = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
    const columns = await query(`DESCRIBE SELECT * FROM read_parquet('${outputPath}')`);
    expect(Object.fromEntries(columns.map((c) => [c.column_name, c.column_type]))).toMatchObject({
      hvfhs_license_num: 'VARCHAR',
      pickup_datetime: 'TIMESTAMP',
      PULocationID: 'INTEGER',
      trip_time: 'INTEGER',
      trip_miles: 'FLOAT',
      cbd_congestion_fee: 'FLOAT',
      wav_match_flag: 'BOOLEAN',
    });
    const [summary] = await query(
      `SELECT count(*) AS n, min(pickup_datetime) >= TIMESTAMP '2025-01-31' AS in_month,
              count(*) FILTER (WHERE epoch_us(pickup_datetime) % 1000000 <> 0) > 0 AS has_micros
       FROM read_parquet('${outputPath}')`,
    );
    expect(summary).toEqual({ n: String(report.rowsOut), in_month: true, has_micros: true });
  });
});

describe('yellow, green and fhv outputs read by DuckDB', () => {
  it('have the canonical types', async () => {
    const dir = tempDir('duckdb-datasets');
    const files = {
      yellow: generateYellowParquet({ month: '2024-01', rows: 500, codesAsDouble: true, airportFeeColumn: 'Airport_fee' }),
      green: generateGreenParquet({ month: '2024-01', rows: 500, ehailFeeType: 'null' }),
      fhv: generateFhvParquet({ month: '2024-01', rows: 500 }),
    };
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    onTestFinished(() => {
      connection.closeSync();
      instance.closeSync();
    });
    const types: Record<string, Record<string, unknown>> = {};
    for (const [dataset, bytes] of Object.entries(files)) {
      const inputPath = path.join(dir, `${dataset}_tripdata_2024-01.parquet`);
      fs.writeFileSync(inputPath, bytes);
      const outputPath = path.join(dir, `${dataset}.out.parquet`);
      await normalizeFile({ inputPath, outputPath, dataset: dataset as keyof typeof files, month: '2024-01' });
      const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${outputPath}')`)).getRowObjectsJson();
      types[dataset] = Object.fromEntries(columns.map((c) => [c.column_name, c.column_type]));
    }
    expect(types.yellow).toMatchObject({
      VendorID: 'INTEGER',
      tpep_pickup_datetime: 'TIMESTAMP',
      passenger_count: 'INTEGER',
      store_and_fwd_flag: 'BOOLEAN',
      airport_fee: 'FLOAT',
      cbd_congestion_fee: 'FLOAT',
    });
    expect(types.green).toMatchObject({ lpep_dropoff_datetime: 'TIMESTAMP', ehail_fee: 'FLOAT', trip_type: 'INTEGER' });
    expect(types.fhv).toEqual({
      dispatching_base_num: 'VARCHAR',
      pickup_datetime: 'TIMESTAMP',
      dropoff_datetime: 'TIMESTAMP',
      PULocationID: 'INTEGER',
      DOLocationID: 'INTEGER',
      SR_Flag: 'BOOLEAN',
      Affiliated_base_number: 'VARCHAR',
    });
  });
});
