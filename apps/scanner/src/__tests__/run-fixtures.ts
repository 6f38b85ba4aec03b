// Small records and events for the scanner's unit specs.
import { outputKey, type FileEvent, type Manifest, type RunRecord } from '@sluice/contracts';

export const plannedFile = (key: string, month = '2024-01') => ({
  dataset: 'fhvhv' as const,
  month,
  source: { key, etag: 'e', size: 1 },
  reason: 'new' as const,
  status: 'queued' as const,
});

export const runRecord = (overrides: Partial<RunRecord> = {}): RunRecord => ({
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
  files: { a: plannedFile('a', '2024-01'), b: plannedFile('b', '2024-02') },
  requestedAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const base = { runId: 'r1', dataset: 'fhvhv' as const, at: 't', workerId: 'w' };

export const doneEvent = (key: string, month: string, overrides: Partial<Extract<FileEvent, { type: 'done' }>> = {}) =>
  ({
    type: 'done',
    ...base,
    month,
    sourceKey: key,
    rowsIn: 10,
    rowsOut: 9,
    dropped: { negative_trip_miles: 1, negative_fare: 0 },
    outputKey: outputKey('fhvhv', month),
    outputBytes: 100,
    rowGroups: 1,
    durationMs: 1,
    ...overrides,
  }) as Extract<FileEvent, { type: 'done' }>;

export const failedEvent = (key: string, month: string) =>
  ({ type: 'failed', ...base, month, sourceKey: key, code: 'not_parquet', reason: 'HTML page', attempt: 1 }) as Extract<FileEvent, { type: 'failed' }>;

export const manifestFor = (key: string, month: string, overrides: Partial<Manifest> = {}): Manifest => ({
  manifestVersion: 1,
  dataset: 'fhvhv',
  month,
  source: { store: 's3://src/', key, etag: 'e', size: 1 },
  schemaVersion: 'fhvhv.v1',
  rowsIn: 10,
  rowsOut: 9,
  dropped: { negative_trip_miles: 1 },
  droppedColumns: [],
  output: { key: outputKey('fhvhv', month), bytes: 100, rowGroups: 1 },
  runId: 'r1',
  writtenAt: 't',
  ...overrides,
});
