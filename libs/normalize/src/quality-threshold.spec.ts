// The drop-fraction guard: the pure decision, and normalize() failing a file over it with nothing committed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PermanentError } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import type { OutputSink } from './io/output-sink';
import { memoryInput } from './io/random-access-input';
import { normalize, normalizeFile } from './normalize';
import { assertDropFractionWithin, dropFraction } from './quality-threshold';
import { generateFhvhvParquet } from './synthetic/fhvhv.generator';
import { readParquetTable, rejectionOf, tempDir } from './testing/parquet-readback';

const dir = tempDir('threshold');
const figures = (dropped: Record<string, number>, rowsIn = 1_000) => ({ dataset: 'fhvhv', month: '2024-01', rowsIn, dropped });
const thrown = (f: () => void): PermanentError => {
  try {
    f();
  } catch (error) {
    if (error instanceof PermanentError) return error;
    throw error;
  }
  throw new Error('did not throw');
};

describe('assertDropFractionWithin', () => {
  it('lets a fraction up to the limit through, and any fraction through a limit of 1', () => {
    expect(dropFraction(figures({ a: 50, b: 50 }))).toBe(0.1);
    expect(dropFraction(figures({ a: 0 }, 0))).toBe(0);
    expect(() => assertDropFractionWithin(figures({ a: 50, b: 50 }), 0.1)).not.toThrow();
    expect(() => assertDropFractionWithin(figures({ a: 1_000 }), 1)).not.toThrow();
    expect(() => assertDropFractionWithin(figures({ a: 0 }, 0), 0)).not.toThrow();
  });

  it('fails quality_threshold with the report: rows in, dropped, fraction, limit, the top rules and their counts', () => {
    const error = thrown(() =>
      assertDropFractionWithin(figures({ dropoff_not_after_pickup: 3, negative_base_fare: 20, pickup_outside_month: 950, location_id_out_of_range: 1, negative_trip_miles: 2 }), 0.1),
    );
    expect(error.code).toBe('quality_threshold');
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe(
      'the quality rules dropped 976 of 1,000 rows (97.6 %), more than the 10 % allowed (max drop fraction 0.1): ' +
        'pickup_outside_month 950, negative_base_fare 20, dropoff_not_after_pickup 3, 2 more rule(s) 3. ' +
        'Nothing was written for fhvhv 2024-01. Most pickups are outside 2024-01: is the file named for the wrong month? ' +
        'If these drops are expected, allow them for one run (sluice run --max-drop-fraction, or sluice normalize --max-drop-fraction) ' +
        'or raise MAX_DROP_FRACTION.',
    );
  });

  it('a limit of 0 fails on the first dropped row', () => {
    expect(thrown(() => assertDropFractionWithin(figures({ negative_base_fare: 1 }), 0)).message).toMatch(
      /^the quality rules dropped 1 of 1,000 rows \(0\.1 %\), more than the 0 % allowed \(max drop fraction 0\): negative_base_fare 1\. /,
    );
  });
});

/** An in-memory sink that records what happens to it. */
function recordingSink() {
  const events: string[] = [];
  const sink: OutputSink = {
    name: 'memory',
    async write() {
      events.push('write');
    },
    async commit() {
      events.push('commit');
      return { bytes: 0 };
    },
    async abort() {
      events.push('abort');
    },
  };
  return { sink, events };
}

describe('normalize with maxDropFraction', () => {
  // A file named for 2024-03 whose rows are January's: every row is outside the month (and its day of slack).
  const january = generateFhvhvParquet({ month: '2024-01', rows: 3_000, seed: 4, invalidFraction: 0 });

  it('fails a file named for the wrong month as quality_threshold, and commits neither the output nor the quarantine', async () => {
    const out = recordingSink();
    const quarantine = recordingSink();
    const error = await rejectionOf(
      normalize(memoryInput(january), out.sink, { dataset: 'fhvhv', month: '2024-03', maxDropFraction: 0.1, quarantine: quarantine.sink }),
    );
    expect(error.code).toBe('quality_threshold');
    expect(error.message).toMatch(/^the quality rules dropped 3,000 of 3,000 rows \(100 %\), more than the 10 % allowed .*: pickup_outside_month 3,000\. /);
    expect(out.events).not.toContain('commit');
    expect(quarantine.events).not.toContain('commit');
    expect(out.events).toContain('abort');
    expect(quarantine.events).toContain('abort');
  });

  it('leaves a previous output at the same path as it was (no clobbering), and no .partial', async () => {
    const inputPath = path.join(dir, 'fhvhv_tripdata_2024-03.parquet');
    fs.writeFileSync(inputPath, january);
    const outputPath = path.join(dir, 'fhvhv_2024-03.parquet');
    const good = generateFhvhvParquet({ month: '2024-03', rows: 1_000, seed: 5 });
    fs.writeFileSync(outputPath, good);
    const error = await rejectionOf(normalizeFile({ inputPath, outputPath, dataset: 'fhvhv', month: '2024-03', maxDropFraction: 0.1 }));
    expect(error.code).toBe('quality_threshold');
    expect(fs.readFileSync(outputPath).equals(Buffer.from(good))).toBe(true);
    expect(fs.existsSync(`${outputPath}.partial`)).toBe(false);
  });

  it('commits the same file when the limit allows it (a deliberate override), and without a limit', async () => {
    for (const maxDropFraction of [1, undefined]) {
      const out = recordingSink();
      const report = await normalize(memoryInput(january), out.sink, { dataset: 'fhvhv', month: '2024-03', maxDropFraction });
      expect(report).toMatchObject({ rowsIn: 3_000, rowsOut: 0 });
      expect(out.events.slice(-1)).toEqual(['commit']);
    }
  });

  it('commits a file whose drops are below the limit', async () => {
    const inputPath = path.join(dir, 'ok.parquet');
    fs.writeFileSync(inputPath, generateFhvhvParquet({ month: '2024-03', rows: 2_000, seed: 6, invalidFraction: 0.01 }));
    const outputPath = path.join(dir, 'ok.out.parquet');
    const report = await normalizeFile({ inputPath, outputPath, dataset: 'fhvhv', month: '2024-03', maxDropFraction: 0.1 });
    expect(report.rowsOut).toBe(1_980);
    expect(readParquetTable(outputPath).numRows).toBe(1_980);
  });

  it('refuses a limit outside 0..1', async () => {
    await expect(normalize(memoryInput(january), recordingSink().sink, { dataset: 'fhvhv', month: '2024-01', maxDropFraction: 1.5 })).rejects.toThrow(
      /maxDropFraction must be a number from 0 to 1, got 1.5/,
    );
  });
});
