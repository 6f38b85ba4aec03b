import { describe, expect, it } from 'vitest';
import { parseLegacyFailure } from './legacy-run-file';
import { RunRecordSchema, failureOf } from './records';

const source = (key: string) => ({ key, etag: 'e', size: 1 });

/** A run in flight as the previous version stored it in KV: failures as `error: "code: reason"` beside `errorCode`. */
const storedByPreviousVersion = JSON.stringify({
  runId: 'r-upgrade',
  intent: 'incremental',
  state: 'running',
  target: 'production',
  filters: {},
  source: 's3://src/',
  sourceListing: { url: 's3://src/', candidates: 5, found: 5, absent: 0, unknown: [], complete: true },
  sink: 's3://sink/',
  candidates: 5,
  total: 5,
  done: 1,
  failed: 3,
  skipped: 1,
  orphansRemoved: [],
  files: {
    'a.parquet': { dataset: 'fhvhv', month: '2024-01', source: source('a.parquet'), reason: 'new', status: 'done', rowsIn: 10, rowsOut: 9, outputKey: 'o' },
    'b.parquet': {
      dataset: 'fhvhv',
      month: '2024-02',
      source: source('b.parquet'),
      reason: 'new',
      status: 'failed',
      error: "not_parquet: not a Parquet file: starts with '<!DOCTYPE HTML' (an HTML error page)",
      errorCode: 'not_parquet',
      workSeq: 7,
    },
    // before 5331202 the tracker wrote the string alone
    'c.parquet': { dataset: 'fhvhv', month: '2024-03', source: source('c.parquet'), reason: 'new', status: 'failed', error: 'worker_crashed: no worker settled this file in 3 deliveries' },
    'd.parquet': { dataset: 'fhvhv', month: '2024-04', source: source('d.parquet'), reason: 'new', status: 'skipped', error: 'run r-upgrade was cancelled' },
    'e.parquet': { dataset: 'fhvhv', month: '2024-05', source: source('e.parquet'), reason: 'new', status: 'failed', error: 'deadline_exceeded: held past FILE_DEADLINE_MS', errorCode: 'deadline_exceeded' },
  },
  requestedAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
});

describe('a run record written in the string form (previous version)', () => {
  const record = RunRecordSchema.parse(JSON.parse(storedByPreviousVersion));

  it('reads each failure back as its code and reason, the reason whole even when it holds ": "', () => {
    expect(record.files['b.parquet']).toMatchObject({ status: 'failed', workSeq: 7 });
    expect(record.files['b.parquet'].failure).toEqual({ code: 'not_parquet', reason: "not a Parquet file: starts with '<!DOCTYPE HTML' (an HTML error page)" });
    expect(record.files['c.parquet'].failure).toEqual({ code: 'worker_crashed', reason: 'no worker settled this file in 3 deliveries' });
    expect(record.files['e.parquet'].failure).toEqual({ code: 'deadline_exceeded', reason: 'held past FILE_DEADLINE_MS' });
  });

  it('keeps a skipped file\'s reason, and nothing of the old fields', () => {
    expect(record.files['d.parquet'].skipReason).toBe('run r-upgrade was cancelled');
    for (const file of Object.values(record.files)) {
      expect(file).not.toHaveProperty('error');
      expect(file).not.toHaveProperty('errorCode');
    }
    expect(record.files['a.parquet']).not.toHaveProperty('failure');
  });

  it('is written back in the structured form, which reads the same again', () => {
    const rewritten = JSON.parse(JSON.stringify(record));
    expect(RunRecordSchema.parse(rewritten)).toEqual(record);
  });

  it('reads a record mixing both forms (a file failed before the upgrade, one after)', () => {
    const mixed = JSON.parse(storedByPreviousVersion);
    mixed.files['a.parquet'] = { ...mixed.files['a.parquet'], status: 'failed', failure: { code: 'corrupt', reason: 'page 3: bad header', attempt: 2 } };
    const read = RunRecordSchema.parse(mixed);
    expect(read.files['a.parquet'].failure).toEqual({ code: 'corrupt', reason: 'page 3: bad header', attempt: 2 });
    expect(read.files['b.parquet'].failure?.code).toBe('not_parquet');
  });
});

describe('parseLegacyFailure', () => {
  it('takes the code from errorCode when the string does not start with it', () => {
    expect(parseLegacyFailure('something else happened', 'terminated')).toEqual({ code: 'terminated', reason: 'something else happened' });
  });

  it('keeps a string with no code in front whole, as code `unknown`', () => {
    expect(parseLegacyFailure('Not A Code: whatever')).toEqual({ code: 'unknown', reason: 'Not A Code: whatever' });
    expect(parseLegacyFailure('')).toEqual({ code: 'unknown', reason: '' });
  });
});

describe('failureOf', () => {
  it("is a failed file's failure, or `unknown` for one with none recorded", () => {
    const file = RunRecordSchema.parse(JSON.parse(storedByPreviousVersion)).files['c.parquet'];
    expect(failureOf(file)).toEqual({ code: 'worker_crashed', reason: 'no worker settled this file in 3 deliveries' });
    expect(failureOf({ ...file, failure: undefined })).toEqual({ code: 'unknown', reason: 'no reason was recorded' });
  });
});
