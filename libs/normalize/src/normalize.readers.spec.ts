// Every dataset and drift fixture normalized, then: the output read back by three independent readers (DuckDB,
// arrow-rs through parquet-wasm, hyparquet in pure JS) with exact types, and every cell compared with DuckDB's
// own normalization of the same source in SQL (src/testing/duckdb-normalization.ts, written from the README).
// Any disagreement between readers, or with the SQL, is a bug in the reader, the writer or the rules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from './datasets';
import { normalizeFile } from './normalize';
import { canonicalArrowSchema } from './schemas/canonical';
import { schemaFor } from './schemas/registry';
import { buildFhvTable } from './synthetic/fhv.generator';
import { buildFhvhvTable } from './synthetic/fhvhv.generator';
import { buildTaxiTable } from './synthetic/taxi.generator';
import { normalizeWithDuckDb } from './testing/duckdb-normalization';
import { cellDifferences, readWithArrowRs, readWithDuckDb, readWithHyparquet } from './testing/output-readers';
import { tempDir } from './testing/parquet-readback';
import { encodeParquet } from './writer';

interface Case {
  name: string;
  dataset: Dataset;
  month: string;
  table: () => arrow.Table;
  compression?: 'snappy' | 'zstd' | 'gzip' | 'none';
  sourceRowGroupRows?: number;
  outputRowGroupRows?: number;
  windowRows?: number;
}

const FHVHV_FLAGS = ['shared_request_flag', 'shared_match_flag', 'access_a_ride_flag', 'wav_request_flag', 'wav_match_flag'];

/** Replaces (or adds) columns of a table, keeping the column order. */
function withColumns(table: arrow.Table, columns: Record<string, arrow.Vector>): arrow.Table {
  return table.assign(new arrow.Table(columns));
}

/** The Y/N flags as booleans ('Y' → true, 'N' → false, anything else → null), as some writers store them. */
function flagsAsBooleans(table: arrow.Table): arrow.Table {
  const flags = Object.fromEntries(
    FHVHV_FLAGS.map((name) => {
      const values = [...table.getChild(name)!].map((v) => (v === 'Y' ? true : v === 'N' ? false : null));
      return [name, arrow.vectorFromArray(values, new arrow.Bool())];
    }),
  );
  return withColumns(table, flags);
}

/** Values at the edges of the casts: trip_time beyond int32, odd flag spellings, NaN and fractional IDs. */
function fhvhvEdges(table: arrow.Table): arrow.Table {
  const n = table.numRows;
  const tripTime = [...table.getChild('trip_time')!].map((v, i) =>
    [2 ** 31, -(2 ** 31) - 1, 2 ** 31 - 1, -(2 ** 31), 0][i % 40] ?? (v as bigint | null),
  );
  const flagSpellings = ['Y', 'N', 'y', ' ', '', 'YES', null];
  // float64 → float32 at the edges: NaN, -0, beyond float32 (rounds to ±Infinity), the largest float32, underflow
  const floats = [Number.NaN, -0, 1e39, -1e39, 3.4028235677973366e38, 1e-46, Number.POSITIVE_INFINITY, -1e-46];
  const tolls = [...table.getChild('tolls')!].map((v, i) => (i % 30 < floats.length ? floats[i % 30] : (v as number | null)));
  return withColumns(table, {
    tolls: arrow.vectorFromArray(tolls, new arrow.Float64()),
    trip_time: arrow.vectorFromArray(tripTime.map((v) => (v === null ? null : BigInt(v))), new arrow.Int64()),
    wav_request_flag: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => flagSpellings[i % flagSpellings.length]), new arrow.Utf8()),
  });
}

/** Codes stored as double at the edges of int32: the largest, one beyond, -0, NaN, ±Infinity, a fraction. */
function yellowCodeEdges(table: arrow.Table): arrow.Table {
  const edges = [2147483647, 2147483648, -2147483648, -2147483649, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, 1e300];
  const codes = [...table.getChild('passenger_count')!].map((v, i) => (i % 20 < edges.length ? edges[i % 20] : (v as number | null)));
  return withColumns(table, { passenger_count: arrow.vectorFromArray(codes, new arrow.Float64()) });
}

function fhvLocationEdges(table: arrow.Table): arrow.Table {
  const edges = [132.5, Number.NaN, 1e10, -0.5, 265, 1, 265.5, 0.5, null];
  const pu = [...table.getChild('PUlocationID')!].map((v, i) => (i % 25 < edges.length ? edges[i % 25] : (v as number | null)));
  return withColumns(table, { PUlocationID: arrow.vectorFromArray(pu, new arrow.Float64()) });
}

const CASES: Case[] = [
  {
    name: 'fhvhv: 3 source row groups, 4 output row groups, small windows',
    dataset: 'fhvhv',
    month: '2024-03',
    table: () => buildFhvhvTable({ month: '2024-03', rows: 3_000, invalidFraction: 0.02 }).table,
    sourceRowGroupRows: 1_000,
    outputRowGroupRows: 800,
    windowRows: 700,
  },
  {
    name: 'fhvhv: ns timestamps, zstd source',
    dataset: 'fhvhv',
    month: '2023-11',
    table: () => buildFhvhvTable({ month: '2023-11', rows: 2_000, timestampUnit: 'ns', seed: 2 }).table,
    compression: 'zstd',
  },
  {
    name: 'fhvhv: ms timestamps, Airport_fee as int64, 2025 cbd_congestion_fee, an extra column',
    dataset: 'fhvhv',
    month: '2025-02',
    table: () =>
      buildFhvhvTable({
        month: '2025-02',
        rows: 2_000,
        timestampUnit: 'ms',
        airportFeeColumn: 'Airport_fee',
        airportFeeAsInt: true,
        extraColumns: ['x_debug'],
        seed: 3,
      }).table,
  },
  {
    name: 'fhvhv: flags as booleans, gzip source (the wasm fallback)',
    dataset: 'fhvhv',
    month: '2024-07',
    table: () => flagsAsBooleans(buildFhvhvTable({ month: '2024-07', rows: 1_500, seed: 4 }).table),
    compression: 'gzip',
  },
  {
    name: 'fhvhv: trip_time beyond int32, odd flag spellings, floats beyond float32, uncompressed source',
    dataset: 'fhvhv',
    month: '2022-01',
    table: () => fhvhvEdges(buildFhvhvTable({ month: '2022-01', rows: 1_500, seed: 5 }).table),
    compression: 'none',
  },
  {
    name: 'fhvhv: 0 rows',
    dataset: 'fhvhv',
    month: '2024-01',
    table: () => buildFhvhvTable({ month: '2024-01', rows: 0 }).table,
  },
  {
    name: 'fhvhv: every row dropped',
    dataset: 'fhvhv',
    month: '2024-01',
    table: () => buildFhvhvTable({ month: '2024-01', rows: 200, invalidFraction: 1 }).table,
  },
  {
    name: 'yellow: int64 IDs, 2 source row groups',
    dataset: 'yellow',
    month: '2024-03',
    table: () => buildTaxiTable('yellow', { month: '2024-03', rows: 3_000, invalidFraction: 0.02 }).table,
    sourceRowGroupRows: 1_600,
    outputRowGroupRows: 1_000,
  },
  {
    name: 'yellow: Airport_fee as double, ms timestamps',
    dataset: 'yellow',
    month: '2023-05',
    table: () => buildTaxiTable('yellow', { month: '2023-05', rows: 1_500, airportFeeColumn: 'Airport_fee', timestampUnit: 'ms' }).table,
  },
  {
    name: 'yellow: Airport_fee as int64, int32 IDs, ns timestamps, zstd',
    dataset: 'yellow',
    month: '2024-01',
    table: () =>
      buildTaxiTable('yellow', { month: '2024-01', rows: 1_500, airportFeeColumn: 'Airport_fee', airportFeeAsInt: true, idType: 'int32', timestampUnit: 'ns' }).table,
    compression: 'zstd',
  },
  {
    name: 'yellow: airport_fee as int64, codes as double with nulls and at the edges of int32',
    dataset: 'yellow',
    month: '2022-07',
    table: () => yellowCodeEdges(buildTaxiTable('yellow', { month: '2022-07', rows: 1_500, airportFeeAsInt: true, codesAsDouble: true }).table),
  },
  {
    name: 'yellow: 2025 with cbd_congestion_fee and an extra column',
    dataset: 'yellow',
    month: '2025-02',
    table: () => buildTaxiTable('yellow', { month: '2025-02', rows: 1_500, extraColumns: ['x_debug'] }).table,
  },
  {
    name: 'green: default',
    dataset: 'green',
    month: '2024-03',
    table: () => buildTaxiTable('green', { month: '2024-03', rows: 2_000, invalidFraction: 0.02 }).table,
  },
  {
    name: 'green: ehail_fee of the Arrow null type, codes as double with nulls',
    dataset: 'green',
    month: '2021-04',
    table: () => buildTaxiTable('green', { month: '2021-04', rows: 1_500, ehailFeeType: 'null', codesAsDouble: true }).table,
  },
  {
    name: 'green: ehail_fee as all-null double, ns timestamps, 2025, zstd',
    dataset: 'green',
    month: '2025-01',
    table: () => buildTaxiTable('green', { month: '2025-01', rows: 1_500, ehailFeeType: 'float64', timestampUnit: 'ns' }).table,
    compression: 'zstd',
  },
  {
    name: 'fhv: dropOff_datetime, location IDs as double with nulls, SR_Flag int 1 or null',
    dataset: 'fhv',
    month: '2016-05',
    table: () => buildFhvTable({ month: '2016-05', rows: 2_000, invalidFraction: 0.02 }).table,
    sourceRowGroupRows: 900,
  },
  {
    name: 'fhv: SR_Flag as double',
    dataset: 'fhv',
    month: '2019-11',
    table: () => buildFhvTable({ month: '2019-11', rows: 1_000, srFlagType: 'float64' }).table,
  },
  {
    name: 'fhv: SR_Flag of the Arrow null type, ms timestamps',
    dataset: 'fhv',
    month: '2019-11',
    table: () => buildFhvTable({ month: '2019-11', rows: 1_000, srFlagType: 'null', timestampUnit: 'ms' }).table,
  },
  {
    name: 'fhv: int64 IDs spelled PULocationID, dropoff_datetime in lower case, ns timestamps',
    dataset: 'fhv',
    month: '2019-11',
    table: () =>
      buildFhvTable({ month: '2019-11', rows: 1_000, locationIdType: 'int64', locationColumns: 'PULocationID', dropoffColumn: 'dropoff_datetime', timestampUnit: 'ns' }).table,
  },
  {
    name: 'fhv: fractional, NaN and huge location IDs',
    dataset: 'fhv',
    month: '2016-05',
    table: () => fhvLocationEdges(buildFhvTable({ month: '2016-05', rows: 1_000, nullLocationFraction: 0 }).table),
  },
];

/** What each canonical DuckDB type must be in the footer, as hyparquet reads it. */
const PARQUET_TYPES: Record<string, { physical: string; logical?: unknown }> = {
  VARCHAR: { physical: 'BYTE_ARRAY', logical: { type: 'STRING' } },
  TIMESTAMP: { physical: 'INT64', logical: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } },
  INTEGER: { physical: 'INT32' },
  FLOAT: { physical: 'FLOAT' },
  BOOLEAN: { physical: 'BOOLEAN' },
};

let instance: DuckDBInstance;
let connection: DuckDBConnection;
const dir = tempDir('readers');

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  connection = await instance.connect();
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
});

describe.each(CASES)('$name: output read by DuckDB, arrow-rs and hyparquet', (c) => {
  it('agrees cell by cell with DuckDB\'s SQL normalization, with exact types in every reader', async () => {
    const caseDir = fs.mkdtempSync(path.join(dir, `${c.dataset}-`));
    const sourcePath = path.join(caseDir, `${c.dataset}_tripdata_${c.month}.parquet`);
    const table = c.table();
    fs.writeFileSync(sourcePath, encodeParquet(table, { compression: c.compression ?? 'snappy', rowGroupRows: c.sourceRowGroupRows }));
    const outputPath = path.join(caseDir, 'out.parquet');
    const report = await normalizeFile({
      inputPath: sourcePath,
      outputPath,
      dataset: c.dataset,
      month: c.month,
      rowGroupRows: c.outputRowGroupRows,
      windowRows: c.windowRows,
    });

    const sql = await normalizeWithDuckDb(connection, c.dataset, c.month, sourcePath);
    expect(sql.rowsIn).toBe(table.numRows);
    expect({ rowsIn: report.rowsIn, rowsOut: report.rowsOut, dropped: report.dropped }).toEqual({
      rowsIn: sql.rowsIn,
      rowsOut: sql.columns[Object.keys(sql.columns)[0]].length,
      dropped: sql.dropped,
    });

    // DuckDB: its types for the canonical columns, in order, and every cell
    const duck = await readWithDuckDb(connection, outputPath);
    expect(Object.entries(duck.types)).toEqual(Object.entries(sql.types));
    expect(cellDifferences(sql.columns, duck.columns, 'DuckDB')).toEqual([]);

    // arrow-rs: exactly the canonical Arrow schema (Dictionary<Int32, Utf8>, Timestamp µs with no zone, …)
    const arrowRs = readWithArrowRs(outputPath);
    const canonical = canonicalArrowSchema(schemaFor(c.dataset)!);
    const describeField = (f: arrow.Field) => {
      const t = f.type as arrow.DataType & { timezone?: string | null; indices?: arrow.Int; dictionary?: arrow.DataType };
      return {
        name: f.name,
        nullable: f.nullable,
        type: String(t),
        timezone: t.timezone ?? null,
        indices: t.indices ? `${t.indices.isSigned ? 'Int' : 'Uint'}${t.indices.bitWidth}` : null,
      };
    };
    expect(arrowRs.schema.fields.map(describeField)).toEqual(canonical.fields.map(describeField));
    expect(cellDifferences(sql.columns, arrowRs.columns, 'arrow-rs')).toEqual([]);

    // hyparquet: the footer's physical and logical types, the key/value metadata, dictionary-encoded strings
    const hyp = await readWithHyparquet(outputPath);
    expect(hyp.columns.map((col) => ({ name: col.name, repetition: col.repetition }))).toEqual(
      Object.keys(sql.types).map((name) => ({ name, repetition: 'OPTIONAL' })),
    );
    for (const col of hyp.columns) {
      const expected = PARQUET_TYPES[sql.types[col.name]];
      expect({ column: col.name, physical: col.physical }).toEqual({ column: col.name, physical: expected.physical });
      if (expected.logical) expect({ column: col.name, logical: col.logical }).toEqual({ column: col.name, logical: expected.logical });
      // an int32 may carry INTEGER(32, signed) or nothing; anything else would be read as another type
      else if (col.logical !== undefined) expect({ column: col.name, logical: col.logical }).toEqual({ column: col.name, logical: { type: 'INTEGER', bitWidth: 32, isSigned: true } });
    }
    expect(hyp.keyValues).toMatchObject({ 'sluice.schema_version': `${c.dataset}.v1`, 'sluice.month': c.month });
    expect(hyp.keyValues['ARROW:schema']).toBeTruthy();
    for (const chunk of hyp.chunks.flat()) {
      const hasValues = chunk.nulls === undefined || chunk.nulls < chunk.values;
      if (sql.types[chunk.column] === 'VARCHAR' && hasValues) {
        expect({ column: chunk.column, dictionaryPage: chunk.dictionaryPage }).toEqual({ column: chunk.column, dictionaryPage: true });
      }
    }
    expect(hyp.chunks.length).toBe(report.rowGroups);
    expect(cellDifferences(sql.columns, hyp.cells, 'hyparquet')).toEqual([]);
  });
});
