import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Dataset } from './datasets';
import { parquetWasm } from './engine/parquet-wasm';
import { normalizeFile } from './normalize';
import type { DecodeLimits } from './parquet/limits';
import { type ThriftStruct, ThriftType, fieldValue, withField } from './parquet/thrift-compact';
import { canonicalArrowSchema } from './schemas/canonical';
import { FHVHV_SCHEMA_V1 } from './schemas/fhvhv.schema';
import { type BadFileKind, generateBadFile } from './synthetic/bad-files';
import { buildFhvhvTable, generateFhvhvParquet } from './synthetic/fhvhv.generator';
import { readParquetTable, rejectionOf, tempDir } from './testing/parquet-readback';
import { rewriteParquet, withPageField } from './testing/parquet-surgery';
import { encodeParquet } from './writer';

const dir = tempDir('bad-files');

function normalizeBytes(name: string, bytes: Uint8Array, month = '2024-01', limits?: Partial<DecodeLimits>) {
  const inputPath = path.join(dir, `${name}.parquet`);
  fs.writeFileSync(inputPath, bytes);
  const outputPath = path.join(dir, `${name}.out.parquet`);
  return { outputPath, result: normalizeFile({ inputPath, outputPath, dataset: 'fhvhv', month, limits }) };
}

/** A codec the JavaScript page decoder leaves to parquet-wasm. */
function lz4RawFile(table: arrow.Table): Uint8Array {
  const wasm = parquetWasm();
  const props = new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.LZ4_RAW).build();
  return wasm.writeParquet(wasm.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
}

function expectNoOutput(outputPath: string) {
  expect(fs.existsSync(outputPath)).toBe(false);
  expect(fs.existsSync(`${outputPath}.partial`)).toBe(false);
}

describe('bad source files fail with a precise code and leave no output', () => {
  it.each<[BadFileKind, string, RegExp]>([
    ['empty', 'empty', /empty file \(0 bytes\)/],
    ['truncated', 'truncated', /starts with 'PAR1' but does not end with the 'PAR1' footer magic/],
    ['html', 'not_parquet', /^not a Parquet file: starts with '<!DOCTYPE HTML' \(an HTML error page saved as \.parquet\?\)$/],
    ['s3-xml-error', 'not_parquet', /S3 XML error response \(AccessDenied\)/],
    ['wrong-magic', 'not_parquet', /bytes 1f 8b .*gzip/],
    ['foreign-schema', 'missing_column', /none of the 24 required fhvhv\.v1 columns.*station_id/],
    ['corrupt-pages', 'corrupt', /cannot decode column '\w+' of row group 0/],
    ['git-lfs-pointer', 'not_parquet', /^not a Parquet file: starts with 'version https:\/\/git-lfs\.' \(a Git LFS pointer file, not the data \(the real file is [\d,]+ bytes\): fetch it with 'git lfs pull'/],
    ['curl-include', 'not_parquet', /^not a Parquet file: starts with 'HTTP\/1\.1 200' \(HTTP status line and headers saved in front of the file \(curl -i \/ --include output\?\); the Parquet data starts after them, at byte \d+: download it again without -i\)$/],
  ])('%s → %s', async (kind, code, message) => {
    const { outputPath, result } = normalizeBytes(kind, generateBadFile(kind));
    const error = await rejectionOf(result);
    expect(error.kind).toBe('permanent');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expectNoOutput(outputPath);
  });

  it('zero-rows is not an error: a valid 0-row output with the canonical schema', async () => {
    const { outputPath, result } = normalizeBytes('zero-rows', generateBadFile('zero-rows'));
    const report = await result;
    expect(report).toMatchObject({ rowsIn: 0, rowsOut: 0, rowGroups: 0, droppedColumns: [] });
    expect(Object.values(report.dropped).every((n) => n === 0)).toBe(true);
    const output = readParquetTable(outputPath);
    expect(output.numRows).toBe(0);
    expect(output.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(
      canonicalArrowSchema(FHVHV_SCHEMA_V1).fields.map((f) => `${f.name}:${f.type}`),
    );
  });

  it('a string where a number is expected → impossible_type naming the column and its type', async () => {
    const { table } = buildFhvhvTable({ month: '2024-01', rows: 50 });
    const fields = table.schema.fields.map((f) => f.name);
    const columns = Object.fromEntries(
      fields.map((name) => {
        const vector = table.getChild(name)!;
        return [name, name === 'trip_miles' ? arrow.vectorFromArray([...vector].map(String), new arrow.Utf8()) : vector];
      }),
    );
    const { outputPath, result } = normalizeBytes('miles-as-text', encodeParquet(new arrow.Table(columns), { compression: 'snappy' }));
    const error = await rejectionOf(result);
    expect(error.code).toBe('impossible_type');
    expect(error.message).toContain("column 'trip_miles' is Utf8 but must be a number");
    expectNoOutput(outputPath);
  });

  const LIE = 2 ** 31 - 1;
  /** Room for the lie: the row bound and the memory budget would refuse it before the decoders see it. */
  const TRUSTING = { maxFileRows: 2 ** 32, decodeMemoryBudget: Number.MAX_SAFE_INTEGER };

  /**
   * The file with a footer that claims 2^31 - 1 rows, consistently (file, row group, every column chunk), and with
   * `pagesToo` its last data page of every chunk claiming the missing values as well.
   */
  function withLyingFooter(file: Uint8Array, pagesToo: boolean): Uint8Array {
    return rewriteParquet(file, {
      pages: (pages) => {
        if (!pagesToo) return pages;
        const last = pages.length - 1;
        const values = fieldValue(fieldValue(pages[last].header, 5) as ThriftStruct, 1) as number;
        const header = withPageField(pages[last].header, 5, 1, ThriftType.I32, values + LIE - 1_000);
        return [...pages.slice(0, last), { ...pages[last], header }];
      },
      chunkMeta: (meta) => withField(meta, 5, ThriftType.I64, BigInt(LIE)),
      rowGroup: (group) => withField(group, 3, ThriftType.I64, BigInt(LIE)),
      footer: (metadata) => withField(metadata, 3, ThriftType.I64, BigInt(LIE)),
    });
  }

  it('a wasm trap (RuntimeError) while decoding becomes corrupt, and the engine works afterwards', async () => {
    // LZ4_RAW columns go to the wasm decoder, which tries to allocate for 2^31 - 1 rows and traps
    const file = lz4RawFile(buildFhvhvTable({ month: '2024-01', rows: 1_000 }).table);
    const { outputPath, result } = normalizeBytes('lying-footer', withLyingFooter(file, true), '2024-01', TRUSTING);
    const error = await rejectionOf(result);
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/the Parquet decoder crashed on column '\w+' of row group 0 \(unreachable\)/);
    expectNoOutput(outputPath);

    const after = normalizeBytes('after-trap', file);
    await expect(after.result).resolves.toMatchObject({ rowsIn: 1_000 });
  });

  it('the streaming page decoder reports pages that hold fewer rows than the footer claims as row_count_mismatch', async () => {
    const file = generateFhvhvParquet({ month: '2024-01', rows: 1_000, compression: 'snappy' });
    const { outputPath, result } = normalizeBytes('lying-footer-snappy', withLyingFooter(file, false), '2024-01', TRUSTING);
    const error = await rejectionOf(result);
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(
      /cannot decode column '\w+' of row group 0: row_count_mismatch: the column chunk ended after 1000 values, it claims 2147483647/,
    );
    expectNoOutput(outputPath);
  });

  it('refuses unknown datasets, a file of another dataset, and malformed months', async () => {
    const inputPath = path.join(dir, 'any.parquet');
    fs.writeFileSync(inputPath, generateFhvhvParquet({ month: '2024-01', rows: 10 }));
    const outputPath = path.join(dir, 'any.out.parquet');
    const limo = 'limo' as Dataset; // a name from outside the contracts, e.g. an unchecked cast upstream
    expect((await rejectionOf(normalizeFile({ inputPath, outputPath, dataset: limo, month: '2024-01' }))).code).toBe(
      'unsupported_dataset',
    );
    const asYellow = await rejectionOf(normalizeFile({ inputPath, outputPath, dataset: 'yellow', month: '2024-01' }));
    expect(asYellow.code).toBe('missing_column');
    expect(asYellow.message).toContain("missing required columns 'VendorID', 'tpep_pickup_datetime'");
    expect(asYellow.message).toContain('for yellow.v1');
    expectNoOutput(outputPath);
    expect((await rejectionOf(normalizeFile({ inputPath, outputPath, dataset: 'fhvhv', month: '2024-1' }))).code).toBe(
      'invalid_month',
    );
  });
});
