// Yellow, green and FHV through normalizeFile: round trips on generated files, one fixture per known drift,
// and the schema failures, each checked value by value against the documented casts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Dataset } from './datasets';
import { normalizeFile } from './normalize';
import type { DatasetSchema } from './schemas/canonical';
import { FHV_SCHEMA_V1 } from './schemas/fhv.schema';
import { GREEN_SCHEMA_V1 } from './schemas/green.schema';
import { qualityRulesFor } from './schemas/registry';
import { YELLOW_SCHEMA_V1 } from './schemas/yellow.schema';
import { type FhvGeneratorOptions, buildFhvTable } from './synthetic/fhv.generator';
import { type SyntheticTrips, type TaxiGeneratorOptions, buildTaxiTable } from './synthetic/taxi.generator';
import { expectNormalizedOutput } from './testing/expected-output';
import { columnValues, readParquetTable, rejectionOf, tempDir } from './testing/parquet-readback';
import { encodeParquet } from './writer';

const dir = tempDir('datasets');
const SCHEMAS: Record<'yellow' | 'green' | 'fhv', DatasetSchema> = {
  yellow: YELLOW_SCHEMA_V1,
  green: GREEN_SCHEMA_V1,
  fhv: FHV_SCHEMA_V1,
};

type Options = { month: string; rows: number; rowGroupRows?: number; outputRowGroupRows?: number };

function build(dataset: 'yellow' | 'green' | 'fhv', opts: Options & TaxiGeneratorOptions & FhvGeneratorOptions): SyntheticTrips {
  return dataset === 'fhv' ? buildFhvTable(opts) : buildTaxiTable(dataset, opts);
}

/** Writes the source table as `<dataset>_tripdata_<month>.parquet`, normalizes it, reads the output back. */
async function roundTrip(dataset: 'yellow' | 'green' | 'fhv', synthetic: SyntheticTrips, opts: Options) {
  const name = `${dataset}_tripdata_${opts.month}`;
  const caseDir = fs.mkdtempSync(path.join(dir, `${name}-`));
  const inputPath = path.join(caseDir, `${name}.parquet`);
  fs.writeFileSync(inputPath, encodeParquet(synthetic.table, { compression: 'snappy', rowGroupRows: opts.rowGroupRows }));
  const outputPath = path.join(caseDir, 'out.parquet');
  const report = await normalizeFile({ inputPath, outputPath, dataset, month: opts.month, rowGroupRows: opts.outputRowGroupRows });
  const output = readParquetTable(outputPath);
  expect(report.dropped).toEqual(synthetic.invalidRows);
  expect(report.rowsOut).toBe(output.numRows);
  expectNormalizedOutput(SCHEMAS[dataset], synthetic.table, output, synthetic.invalidRowIndexes);
  return { report, output };
}

const typeOf = (table: arrow.Table, name: string) => String(table.schema.fields.find((f) => f.name === name)?.type);

describe.each(['yellow', 'green', 'fhv'] as const)('normalizeFile round trip (%s v1)', (dataset) => {
  it('drops exactly the invalid rows, counted by rule, and keeps every other value after the documented casts', async () => {
    const opts = { month: '2024-03', rows: 6_000, rowGroupRows: 2_500, outputRowGroupRows: 4_000, invalidFraction: 0.01 };
    const synthetic = build(dataset, opts);
    const { report } = await roundTrip(dataset, synthetic, opts);
    expect(report).toMatchObject({ dataset, schemaVersion: `${dataset}.v1`, rowsIn: 6_000, rowGroups: 2, droppedColumns: [] });
    expect(Object.keys(report.dropped)).toEqual(qualityRulesFor(dataset));
    expect(Object.values(report.dropped).every((n) => n > 0)).toBe(true); // every rule hit
    expect(report.rowsOut).toBe(6_000 - 60);
  });

  it('2025: cbd_congestion_fee kept where the dataset has it; unknown extra columns dropped and reported', async () => {
    const opts = { month: '2025-02', rows: 1_500, extraColumns: ['x_debug'] };
    const { report, output } = await roundTrip(dataset, build(dataset, opts), opts);
    expect(report.droppedColumns).toEqual(['x_debug']);
    if (dataset !== 'fhv') expect(columnValues(output, 'cbd_congestion_fee')).toContain(0.75);
  });
});

describe('yellow drift', () => {
  type AirportDrift = Pick<TaxiGeneratorOptions, 'airportFeeColumn' | 'airportFeeAsInt'>;
  it.each<[string, AirportDrift]>([
    ['Airport_fee as double', { airportFeeColumn: 'Airport_fee' }],
    ['Airport_fee as int64', { airportFeeColumn: 'Airport_fee', airportFeeAsInt: true }],
    ['airport_fee as int64', { airportFeeAsInt: true }],
  ])('%s → airport_fee float32', async (_, drift) => {
    const opts = { month: '2023-05', rows: 1_500, ...drift };
    const synthetic = buildTaxiTable('yellow', opts);
    const sourceName = drift.airportFeeColumn ?? 'airport_fee';
    expect(typeOf(synthetic.table, sourceName)).toBe(drift.airportFeeAsInt ? 'Int64' : 'Float64');
    const { output, report } = await roundTrip('yellow', synthetic, opts);
    expect(report.droppedColumns).toEqual([]);
    const fee = drift.airportFeeAsInt ? 1 : 1.75; // the generator's $1.75, as stored (truncated in an int column)
    expect(new Set(columnValues(output, 'airport_fee'))).toEqual(new Set([0, fee, null]));
  });

  it.each(['int32', 'int64'] as const)('location and vendor IDs stored as %s → int32', async (idType) => {
    const opts = { month: '2024-01', rows: 1_500, idType };
    const synthetic = buildTaxiTable('yellow', opts);
    expect(typeOf(synthetic.table, 'PULocationID')).toBe(idType === 'int32' ? 'Int32' : 'Int64');
    await roundTrip('yellow', synthetic, opts);
  });

  it('passenger_count and RatecodeID stored as double with nulls → int32, nulls kept', async () => {
    const opts = { month: '2022-07', rows: 1_500, codesAsDouble: true };
    const synthetic = buildTaxiTable('yellow', opts);
    expect(typeOf(synthetic.table, 'passenger_count')).toBe('Float64');
    const { output } = await roundTrip('yellow', synthetic, opts);
    expect(columnValues(output, 'passenger_count')).toContain(null);
  });

  it('timestamps in ns and ms → µs exactly (ns floored)', async () => {
    for (const timestampUnit of ['ns', 'ms'] as const) {
      const opts = { month: '2024-02', rows: 1_000, timestampUnit };
      await roundTrip('yellow', buildTaxiTable('yellow', opts), opts);
    }
  });

  it('fails ambiguous_column when a file has both airport_fee and Airport_fee', async () => {
    const { table } = buildTaxiTable('yellow', { month: '2024-01', rows: 10 });
    const both = table.assign(new arrow.Table({ Airport_fee: table.getChild('airport_fee')! }));
    const error = await normalizeTable('yellow', both);
    expect(error.code).toBe('ambiguous_column');
    expect(error.message).toContain("'airport_fee' and 'Airport_fee'");
  });
});

describe('green drift', () => {
  it.each(['float64', 'null'] as const)('ehail_fee stored as an all-null %s → all-null float32', async (ehailFeeType) => {
    const opts = { month: '2023-09', rows: 1_000, ehailFeeType };
    const synthetic = buildTaxiTable('green', opts);
    expect(typeOf(synthetic.table, 'ehail_fee')).toBe(ehailFeeType === 'null' ? 'Null' : 'Float64');
    const { output } = await roundTrip('green', synthetic, opts);
    expect(new Set(columnValues(output, 'ehail_fee'))).toEqual(new Set([null]));
  });

  it('payment_type, trip_type and other codes stored as double with nulls → int32', async () => {
    const opts = { month: '2021-04', rows: 1_000, codesAsDouble: true };
    const synthetic = buildTaxiTable('green', opts);
    expect(typeOf(synthetic.table, 'trip_type')).toBe('Float64');
    const { output } = await roundTrip('green', synthetic, opts);
    expect(new Set(columnValues(output, 'trip_type'))).toEqual(new Set([1, 2, null]));
  });
});

describe('fhv drift', () => {
  it('dropOff_datetime, PUlocationID/DOlocationID as double with nulls, SR_Flag as int 1 or null', async () => {
    const opts = { month: '2016-05', rows: 2_000 };
    const synthetic = buildFhvTable(opts);
    expect(synthetic.table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      'dispatching_base_num: Utf8',
      'pickup_datetime: Timestamp<MICROSECOND>',
      'dropOff_datetime: Timestamp<MICROSECOND>',
      'PUlocationID: Float64',
      'DOlocationID: Float64',
      'SR_Flag: Int32',
      'Affiliated_base_number: Utf8',
    ]);
    const { output, report } = await roundTrip('fhv', synthetic, opts);
    expect(report.droppedColumns).toEqual([]);
    expect(columnValues(output, 'PULocationID')).toContain(null);
    expect(new Set(columnValues(output, 'SR_Flag'))).toEqual(new Set([true, null]));
    expect(columnValues(output, 'Affiliated_base_number')).toContain(null);
  });

  it.each([
    ['SR_Flag as double', { srFlagType: 'float64' }],
    ['SR_Flag as the Arrow null type', { srFlagType: 'null' }],
    ['int64 location IDs spelled PULocationID, dropoff_datetime lower case', { locationIdType: 'int64', locationColumns: 'PULocationID', dropoffColumn: 'dropoff_datetime' }],
  ] as const)('%s', async (_, drift) => {
    const opts = { month: '2019-11', rows: 1_000, ...drift };
    await roundTrip('fhv', buildFhvTable(opts), opts);
  });

  it('a non-integral float location ID becomes null (the row is kept)', async () => {
    const { table } = buildFhvTable({ month: '2016-05', rows: 3, invalidFraction: 0, nullLocationFraction: 0 });
    const pu = arrow.vectorFromArray([132.5, 7, 265], new arrow.Float64());
    const drifted = table.assign(new arrow.Table({ PUlocationID: pu }));
    const outputPath = path.join(dir, 'fhv-fraction.out.parquet');
    const inputPath = path.join(dir, 'fhv-fraction.parquet');
    fs.writeFileSync(inputPath, encodeParquet(drifted, { compression: 'snappy' }));
    await normalizeFile({ inputPath, outputPath, dataset: 'fhv', month: '2016-05' });
    expect(columnValues(readParquetTable(outputPath), 'PULocationID')).toEqual([null, 7, 265]);
  });

  it('fails missing_column naming the missing column; impossible_type for a string location ID', async () => {
    const { table } = buildFhvTable({ month: '2016-05', rows: 10 });
    const missing = await normalizeTable('fhv', table.select(table.schema.fields.map((f) => f.name).filter((n) => n !== 'SR_Flag')));
    expect(missing.code).toBe('missing_column');
    expect(missing.message).toContain("missing required column 'SR_Flag' for fhv.v1");
    const strings = arrow.vectorFromArray(Array.from({ length: 10 }, () => '7'), new arrow.Utf8());
    const impossible = await normalizeTable('fhv', table.assign(new arrow.Table({ DOlocationID: strings })));
    expect(impossible.code).toBe('impossible_type');
    expect(impossible.message).toContain("column 'DOlocationID' is Utf8 but must be an integer or a float");
  });
});

async function normalizeTable(dataset: Dataset, table: arrow.Table) {
  const inputPath = path.join(dir, `${dataset}-bad.parquet`);
  const outputPath = path.join(dir, `${dataset}-bad.out.parquet`);
  fs.writeFileSync(inputPath, encodeParquet(table, { compression: 'snappy' }));
  const error = await rejectionOf(normalizeFile({ inputPath, outputPath, dataset, month: '2016-05' }));
  expect(fs.existsSync(outputPath)).toBe(false);
  return error;
}
