// DuckDB is the reader every data engineer will point at the output: it must see the canonical types.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it, onTestFinished } from 'vitest';
import { normalizeFile } from './normalize';
import { generateFhvhvParquet } from './synthetic/fhvhv.generator';
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
