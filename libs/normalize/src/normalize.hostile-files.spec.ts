// The crafted files of issue 13, each lying about one size: every one must end in a permanent `corrupt` naming the
// reason (or normalize, for the valid 0-row Arrow layout), without allocating what the file claims. The same
// cases run in child processes with wall time and peak RSS in `npm run bench:hostile`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { normalizeFile } from './normalize';
import type { DecodeLimits } from './parquet/limits';
import { generateFhvhvParquet } from './synthetic/fhvhv.generator';
import { hostileCases } from './testing/hostile-files';
import { rejectionOf, tempDir } from './testing/parquet-readback';

const dir = tempDir('hostile-files');

// The 64 MB footer of the issue is built by the bench; the object bound stops the decoder at 2M values either way.
const CASES = hostileCases({ footerStructs: 4 * 2 ** 20 });

describe('hostile files: every declared size is checked before anything is allocated', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const inputPath = path.join(dir, `${hostile.name}.parquet`);
    fs.writeFileSync(inputPath, hostile.build());
    const outputPath = path.join(dir, `${hostile.name}.out.parquet`);
    const heapBefore = process.memoryUsage().arrayBuffers;
    const result = normalizeFile({ inputPath, outputPath, dataset: 'fhvhv', month: '2024-01' });
    if (hostile.outcome.ok) {
      await expect(result).resolves.toMatchObject({ rowsIn: 0, rowsOut: 0 });
      expect(fs.existsSync(outputPath)).toBe(true);
      // valid by an independent reader too
      const db = await DuckDBInstance.create(':memory:');
      const rows = (await (await db.connect()).runAndReadAll(`select count(*) from read_parquet('${inputPath}')`)).getRows();
      expect(rows).toEqual([[0n]]);
      return;
    }
    const error = await rejectionOf(result);
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'permanent', code: hostile.outcome.code });
    expect(error.message).toMatch(new RegExp(`\\b${hostile.outcome.reason}: `));
    expect(fs.existsSync(outputPath)).toBe(false);
    expect(fs.existsSync(`${outputPath}.partial`)).toBe(false);
    // nothing the file claimed was allocated (the claims are GiBs; the real data a few MB)
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(256 * 2 ** 20);
  });
});

describe('the decode limits are configurable and enforced', () => {
  function normalizeWith(name: string, bytes: Uint8Array, limits: Partial<DecodeLimits>) {
    const inputPath = path.join(dir, `${name}.parquet`);
    fs.writeFileSync(inputPath, bytes);
    return normalizeFile({ inputPath, outputPath: path.join(dir, `${name}.out.parquet`), dataset: 'fhvhv', month: '2024-01', limits });
  }
  const valid = () => generateFhvhvParquet({ month: '2024-01', rows: 1_000, compression: 'zstd' });

  it('MAX_FILE_ROWS: a file claiming more rows is corrupt, one at the bound is not', async () => {
    const error = await rejectionOf(normalizeWith('rows-bound', valid(), { maxFileRows: 999 }));
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/too_many_rows: the file claims 1000 rows, more than the 999 allowed \(MAX_FILE_ROWS\)/);
    await expect(normalizeWith('rows-at-bound', valid(), { maxFileRows: 1_000 })).resolves.toMatchObject({ rowsIn: 1_000 });
  });

  it('DECODE_MEMORY_BUDGET: what a column holds (here its dictionary) is reserved before it is allocated', async () => {
    const error = await rejectionOf(normalizeWith('budget', valid(), { decodeMemoryBudget: 16 }));
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/decode_memory_budget: the dictionary of column '\w+' of row group 0 \(\d+ values\) needs [\d.]+ MiB to decode/);
    await expect(normalizeWith('budget-default', valid(), {})).resolves.toMatchObject({ rowsIn: 1_000 });
  });

  it('a stack overflow while decoding (nesting allowed past what the stack holds) is corrupt, not an unknown error', async () => {
    const nested = hostileCases({ depth: 1_000_000 }).find((c) => c.name === 'nested-thrift-lists')!;
    const error = await rejectionOf(normalizeWith('stack-overflow', nested.build(), { maxThriftDepth: 10_000_000 }));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'permanent', code: 'corrupt' });
    expect(error.message).toMatch(/decoder_overflow: Maximum call stack size exceeded/);
  });
});
