import { CONTRACT_VERSION, type FileDiscovered, type RunRecord } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { checkWork } from './work-check';

const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  runId: 'r1',
  intent: 'incremental',
  state: 'running',
  target: 'production',
  filters: {},
  source: 's3://src/',
  sourceListing: { url: 's3://src/', candidates: 1, found: 1, absent: 0, unknown: [], complete: true },
  sink: 's3://sink/',
  candidates: 1,
  total: 1,
  done: 0,
  failed: 0,
  skipped: 0,
  orphansRemoved: [],
  files: {
    'green_tripdata_2024-01.parquet': {
      dataset: 'green',
      month: '2024-01',
      source: { key: 'green_tripdata_2024-01.parquet', etag: '"e1"', size: 1000 },
      reason: 'new',
      status: 'queued',
    },
  },
  requestedAt: 't',
  startedAt: 't',
  ...overrides,
});
const work = (overrides: Partial<FileDiscovered> = {}): FileDiscovered => ({
  v: CONTRACT_VERSION,
  runId: 'r1',
  dataset: 'green',
  month: '2024-01',
  source: { key: 'green_tripdata_2024-01.parquet', etag: '"e1"', size: 1000 },
  target: 'production',
  reason: 'new',
  ...overrides,
});

describe('checkWork', () => {
  it('processes a planned, queued file of the active run', () => {
    expect(checkWork(work(), run())).toEqual({ verdict: 'process' });
  });

  it('refuses work for a run that does not exist (the review replaced green 2024-01 with a 0-row file that way)', () => {
    expect(checkWork(work({ runId: 'no-such-run' }), undefined)).toMatchObject({ verdict: 'refuse', code: 'unknown_run' });
  });

  it('refuses work for a finished run, and skips a cancelled run', () => {
    expect(checkWork(work(), run({ state: 'succeeded' }))).toMatchObject({ verdict: 'refuse', code: 'run_not_active' });
    expect(checkWork(work(), run({ state: 'completed_with_failures' }))).toMatchObject({ verdict: 'refuse', code: 'run_not_active' });
    expect(checkWork(work(), run({ state: 'cancelled' }))).toMatchObject({ verdict: 'skip' });
    // a file a cancelled run never planned is not "skipped" in its name: refused
    const unplanned = work({ source: { key: 'green_tripdata_2024-02.parquet', etag: '"e1"', size: 1000 }, month: '2024-02' });
    expect(checkWork(unplanned, run({ state: 'cancelled' }))).toMatchObject({ verdict: 'refuse', code: 'not_planned' });
  });

  it('refuses a file the run did not plan', () => {
    const other = work({ source: { key: 'green_tripdata_2024-02.parquet', etag: '"e1"', size: 1000 }, month: '2024-02' });
    expect(checkWork(other, run())).toMatchObject({ verdict: 'refuse', code: 'not_planned' });
    expect(checkWork(work({ source: { key: '__proto__', etag: 'x', size: 1 } }), run())).toMatchObject({ verdict: 'refuse', code: 'not_planned' });
  });

  it('refuses a planned file with anything changed: month, dataset, target, ETag, size', () => {
    for (const changed of [
      work({ month: '2024-02' }),
      work({ dataset: 'yellow' }),
      work({ target: 'test' }),
      work({ reason: 'reprocess' }),
      work({ source: { key: 'green_tripdata_2024-01.parquet', etag: '"forged"', size: 1000 } }),
      work({ source: { key: 'green_tripdata_2024-01.parquet', etag: '"e1"', size: 1 } }),
      // a forged per-run override of the quality threshold
      work({ maxDropFraction: 1 }),
    ]) {
      expect(checkWork(changed, run())).toMatchObject({ verdict: 'refuse', code: 'work_mismatch' });
    }
  });

  it('carries the run\'s own quality threshold override, and only that', () => {
    expect(checkWork(work({ maxDropFraction: 0.5 }), run({ options: { maxDropFraction: 0.5 } }))).toEqual({ verdict: 'process' });
    expect(checkWork(work(), run({ options: { maxDropFraction: 0.5 } }))).toMatchObject({ verdict: 'refuse', code: 'work_mismatch' });
  });

  it('a redelivery of a file already settled in its run changes nothing', () => {
    const r = run();
    r.files['green_tripdata_2024-01.parquet'].status = 'done';
    expect(checkWork(work(), r)).toMatchObject({ verdict: 'settled' });
  });
});
