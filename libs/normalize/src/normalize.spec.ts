import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { normalizeFile } from './normalize';
import { type ThriftList, type ThriftStruct, fieldValue } from './parquet/thrift-compact';
import { FHVHV_SCHEMA_V1 } from './schemas/fhvhv.schema';
import { type FhvhvGeneratorOptions, buildFhvhvTable } from './synthetic/fhvhv.generator';
import { expectNormalizedOutput } from './testing/expected-output';
import { columnValues, footerOfFile, readParquetTable, tempDir } from './testing/parquet-readback';
import { encodeParquet } from './writer';

const dir = tempDir('round-trip');

/** Generates a source file, normalizes it, reads the output back. */
async function roundTrip(name: string, opts: FhvhvGeneratorOptions & { outputRowGroupRows?: number }) {
  const synthetic = buildFhvhvTable(opts);
  const inputPath = path.join(dir, `${name}.parquet`);
  fs.writeFileSync(inputPath, encodeParquet(synthetic.table, { compression: 'snappy', rowGroupRows: opts.rowGroupRows }));
  const outputPath = path.join(dir, `${name}.out.parquet`);
  const progress: [number, number][] = [];
  const report = await normalizeFile({
    inputPath,
    outputPath,
    dataset: 'fhvhv',
    month: opts.month,
    rowGroupRows: opts.outputRowGroupRows,
    onProgress: (done, total) => progress.push([done, total]),
  });
  return { synthetic, report, progress, outputPath, output: readParquetTable(outputPath) };
}

/** The output holds exactly the source's valid rows, cast as documented, in the canonical schema. */
function expectOutputMatchesSource({ synthetic, output }: Awaited<ReturnType<typeof roundTrip>>) {
  expectNormalizedOutput(FHVHV_SCHEMA_V1, synthetic.table, output, synthetic.invalidRowIndexes);
}

describe('normalizeFile round trip (fhvhv v1)', () => {
  it('drops exactly the invalid rows, counted by rule, and keeps every other value after the documented casts', async () => {
    const result = await roundTrip('main', { month: '2024-01', rows: 10_000, rowGroupRows: 2_500, outputRowGroupRows: 3_000 });
    const { report, synthetic } = result;
    expect(report).toMatchObject({ dataset: 'fhvhv', month: '2024-01', schemaVersion: 'fhvhv.v1', rowsIn: 10_000 });
    expect(report.dropped).toEqual(synthetic.invalidRows);
    expect(Object.keys(report.dropped)).toEqual(FHVHV_SCHEMA_V1.rules.map((r) => r.name));
    expect(Object.values(report.dropped).every((n) => n === 10)).toBe(true); // 0.5 %, every rule hit
    expect(report.rowsOut).toBe(report.rowsIn - Object.values(report.dropped).reduce((a, b) => a + b, 0));
    expect(result.output.numRows).toBe(report.rowsOut);
    expect(report.droppedColumns).toEqual([]);
    expectOutputMatchesSource(result);
  });

  it('writes uniform zstd row groups: all but the last have exactly rowGroupRows rows', async () => {
    const result = await roundTrip('uniform', {
      month: '2024-01',
      rows: 10_000,
      invalidFraction: 0,
      rowGroupRows: 1_700, // source row groups that do not line up with the output ones
      outputRowGroupRows: 3_000,
    });
    const footer = footerOfFile(result.outputPath);
    expect(footer.rowGroups.map((rg) => rg.numRows)).toEqual([3_000, 3_000, 3_000, 1_000]);
    expect(result.report.rowGroups).toBe(4);
    expect(result.report.outputBytes).toBe(fs.statSync(result.outputPath).size);
    expect(fs.existsSync(`${result.outputPath}.partial`)).toBe(false);
    const codecs = footerCodecs(result.outputPath);
    expect(new Set(codecs)).toEqual(new Set(['ZSTD']));
    expect(everyChunkHasStatistics(result.outputPath)).toBe(true);
    expect(footerKeyValues(result.outputPath)).toMatchObject({ 'sluice.schema_version': 'fhvhv.v1', 'sluice.month': '2024-01' });
  });

  it('reports progress after each source row group', async () => {
    const { progress } = await roundTrip('progress', { month: '2024-01', rows: 5_000, rowGroupRows: 2_000 });
    expect(progress).toEqual([
      [2_000, 5_000],
      [4_000, 5_000],
      [5_000, 5_000],
    ]);
  });

  it('writes a valid empty file when every row is dropped', async () => {
    const result = await roundTrip('all-invalid', { month: '2024-01', rows: 500, invalidFraction: 1 });
    const { report, output } = result;
    expect(report.rowsOut).toBe(0);
    expect(report.rowGroups).toBe(0);
    expect(Object.values(report.dropped).reduce((a, b) => a + b, 0)).toBe(500);
    expect(output.numRows).toBe(0);
    expectOutputMatchesSource(result);
  });
});

describe('normalizeFile tolerates known drift', () => {
  it('airport_fee stored as int64', async () => {
    const result = await roundTrip('airport-int', { month: '2023-06', rows: 2_000, airportFeeAsInt: true });
    expect(String(result.synthetic.table.schema.fields.find((f) => f.name === 'airport_fee')!.type)).toBe('Int64');
    expectOutputMatchesSource(result);
    expect(columnValues(result.output, 'airport_fee').some((v) => v !== 0 && v !== null)).toBe(true);
  });

  it('the Airport_fee spelling', async () => {
    const result = await roundTrip('airport-caps', { month: '2022-11', rows: 2_000, airportFeeColumn: 'Airport_fee' });
    expect(result.report.droppedColumns).toEqual([]);
    expectOutputMatchesSource(result);
  });

  it('ns timestamps (re-exports), converted exactly to µs (sub-µs digits floored)', async () => {
    const result = await roundTrip('ns', { month: '2024-02', rows: 2_000, timestampUnit: 'ns' });
    const pickup = result.synthetic.table.schema.fields.find((f) => f.name === 'pickup_datetime')!;
    expect((pickup.type as arrow.Timestamp).unit).toBe(arrow.TimeUnit.NANOSECOND);
    expect(result.report.dropped).toEqual(result.synthetic.invalidRows);
    expectOutputMatchesSource(result);
  });

  it('ms timestamps', async () => {
    const result = await roundTrip('ms', { month: '2024-02', rows: 2_000, timestampUnit: 'ms' });
    expectOutputMatchesSource(result);
  });

  it('s timestamps, which Parquet stores as bare INT64 (the unit comes from the embedded Arrow schema), for each codec', async () => {
    const { table, invalidRowIndexes } = buildFhvhvTable({ month: '2024-02', rows: 1_000 });
    const seconds = (name: string) => {
      const { nullBitmap, nullCount, length, values } = table.getChild(name)!.data[0];
      const data = (values as BigInt64Array).map((us) => us / 1_000_000n);
      return arrow.makeVector(arrow.makeData({ type: new arrow.TimestampSecond(), length, data, nullBitmap, nullCount }));
    };
    const source = table.assign(
      new arrow.Table({ request_datetime: seconds('request_datetime'), on_scene_datetime: seconds('on_scene_datetime') }),
    );
    for (const compression of ['snappy', 'zstd', 'gzip'] as const) {
      const inputPath = path.join(dir, `seconds-${compression}.parquet`);
      const outputPath = path.join(dir, `seconds-${compression}.out.parquet`);
      fs.writeFileSync(inputPath, encodeParquet(source, { compression }));
      await normalizeFile({ inputPath, outputPath, dataset: 'fhvhv', month: '2024-02' });
      expectNormalizedOutput(FHVHV_SCHEMA_V1, source, readParquetTable(outputPath), invalidRowIndexes);
      const requests = columnValues(readParquetTable(outputPath), 'request_datetime') as (bigint | null)[];
      expect(requests.every((v) => v === null || v % 1_000_000n === 0n)).toBe(true);
    }
  });

  it('cbd_congestion_fee present (2025) and absent (all null)', async () => {
    const with2025 = await roundTrip('cbd', { month: '2025-03', rows: 2_000 });
    expect(columnValues(with2025.output, 'cbd_congestion_fee')).toContain(1.5);
    expectOutputMatchesSource(with2025);
    const without = await roundTrip('no-cbd', { month: '2025-03', rows: 2_000, withCbdCongestionFee: false });
    expect(new Set(columnValues(without.output, 'cbd_congestion_fee'))).toEqual(new Set([null]));
    expectOutputMatchesSource(without);
  });

  it('unknown extra columns are dropped and reported', async () => {
    const result = await roundTrip('extra', { month: '2024-05', rows: 1_000, extraColumns: ['surge_multiplier', 'x_debug'] });
    expect(result.report.droppedColumns).toEqual(['surge_multiplier', 'x_debug']);
    expectOutputMatchesSource(result);
  });
});

const CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];

/** Parquet field ids: FileMetaData 4 row_groups, 5 key_value_metadata; RowGroup 1 columns; ColumnChunk 3
 * meta_data; ColumnMetaData 4 codec. */
function footerCodecs(file: string): string[] {
  const rowGroups = fieldValue(footerOfFile(file).metadata, 4) as ThriftList;
  return rowGroups.items.flatMap((rg) =>
    (fieldValue(rg as ThriftStruct, 1) as ThriftList).items.map((chunk) => {
      const meta = fieldValue(chunk as ThriftStruct, 3) as ThriftStruct;
      return CODECS[fieldValue(meta, 4) as number];
    }),
  );
}

/** Every column chunk has min/max statistics (ColumnMetaData 12) and a column index (ColumnChunk 6). */
function everyChunkHasStatistics(file: string): boolean {
  const rowGroups = fieldValue(footerOfFile(file).metadata, 4) as ThriftList;
  return rowGroups.items.every((rg) =>
    (fieldValue(rg as ThriftStruct, 1) as ThriftList).items.every((chunk) => {
      const meta = fieldValue(chunk as ThriftStruct, 3) as ThriftStruct;
      return fieldValue(meta, 12) !== undefined && fieldValue(chunk as ThriftStruct, 6) !== undefined;
    }),
  );
}

function footerKeyValues(file: string): Record<string, string> {
  const entries = (fieldValue(footerOfFile(file).metadata, 5) as ThriftList).items.map((kv) => {
    const [key, value] = [1, 2].map((id) => Buffer.from(fieldValue(kv as ThriftStruct, id) as Uint8Array).toString());
    return [key, value];
  });
  return Object.fromEntries(entries);
}
