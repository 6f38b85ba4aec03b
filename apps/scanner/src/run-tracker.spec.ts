import { describe, expect, it } from 'vitest';
import { applyFileEvent } from './run-tracker';
import { doneEvent, failedEvent, manifestFor, runRecord } from './__tests__/run-fixtures';

describe('applyFileEvent', () => {
  it('counts a done file once, whatever repeats, and records when the run last progressed', () => {
    const once = applyFileEvent(runRecord(), doneEvent('a', '2024-01'), { manifest: manifestFor('a', '2024-01') }, '2026-01-01T00:05:00.000Z')!;
    expect(once.done).toBe(1);
    expect(once.files.a).toMatchObject({ status: 'done', rowsOut: 9 });
    expect(once.lastProgressAt).toBe('2026-01-01T00:05:00.000Z');
    expect(applyFileEvent(once, doneEvent('a', '2024-01'), { manifest: manifestFor('a', '2024-01') })).toBeUndefined();
  });

  it('records failures with their code and reason', () => {
    const r = applyFileEvent(runRecord(), failedEvent('b', '2024-02'))!;
    expect(r.failed).toBe(1);
    expect(r.files.b).toMatchObject({ error: 'not_parquet: HTML page', errorCode: 'not_parquet' });
  });

  it('changes nothing for events the check does not count', () => {
    expect(applyFileEvent(runRecord({ state: 'cancelled' }), doneEvent('a', '2024-01'), { manifest: manifestFor('a', '2024-01') })).toBeUndefined();
    expect(applyFileEvent(runRecord(), failedEvent('zzz', '2024-01'))).toBeUndefined();
    expect(applyFileEvent(runRecord(), doneEvent('a', '2024-01', { rowsIn: 1_999_999_998 }), { manifest: manifestFor('a', '2024-01') })).toBeUndefined();
  });
});
