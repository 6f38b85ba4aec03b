import type { FileEvent, RunRecord } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { applyFileEvent } from './run-tracker';

const file = (key: string) => ({
  dataset: 'fhvhv' as const,
  month: '2024-01',
  source: { key, etag: 'e', size: 1 },
  reason: 'new' as const,
  status: 'queued' as const,
});
const record = (): RunRecord => ({
  runId: 'r1',
  intent: 'incremental',
  state: 'running',
  target: 'production',
  filters: {},
  source: 's3://src/',
  sourceListing: { url: 's3://src/', candidates: 2, found: 2, absent: 0, unknown: [], complete: true },
  sink: 's3://sink/',
  candidates: 2,
  total: 2,
  done: 0,
  failed: 0,
  skipped: 0,
  orphansRemoved: [],
  files: { a: file('a'), b: file('b') },
  requestedAt: 't',
  startedAt: 't',
});
const base = { runId: 'r1', dataset: 'fhvhv' as const, month: '2024-01', at: 't', workerId: 'w' };
const done = (key: string): FileEvent => ({
  type: 'done', ...base, sourceKey: key, rowsIn: 10, rowsOut: 9, dropped: { negative_trip_miles: 1 }, outputKey: 'o', outputBytes: 1, rowGroups: 1, durationMs: 1,
});

describe('applyFileEvent', () => {
  it('counts a done file once, whatever repeats', () => {
    const once = applyFileEvent(record(), done('a') as never)!;
    expect(once.done).toBe(1);
    expect(once.files.a).toMatchObject({ status: 'done', rowsOut: 9 });
    expect(applyFileEvent(once, done('a') as never)).toBeUndefined();
  });

  it('records failures with their reason', () => {
    const r = applyFileEvent(record(), { type: 'failed', ...base, sourceKey: 'b', code: 'not_parquet', reason: 'HTML page', attempt: 1 })!;
    expect(r.failed).toBe(1);
    expect(r.files.b.error).toBe('not_parquet: HTML page');
  });

  it('ignores events of finished runs and unknown files', () => {
    expect(applyFileEvent({ ...record(), state: 'cancelled' }, done('a') as never)).toBeUndefined();
    expect(applyFileEvent(record(), done('zzz') as never)).toBeUndefined();
  });
});
