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
    expect(r.files.b.status).toBe('failed');
    expect(r.files.b.failure).toEqual({ code: 'not_parquet', reason: 'HTML page', attempt: 1 });
  });

  it("counts a failure of a file this run committed as done, with its manifest's figures, and then ignores the real done", () => {
    const r = applyFileEvent(runRecord(), failedEvent('b', '2024-02'), { workStillQueued: false, manifest: manifestFor('b', '2024-02') })!;
    expect(r).toMatchObject({ done: 1, failed: 0 });
    expect(r.files.b).toMatchObject({ status: 'done', rowsOut: 9, outputKey: manifestFor('b', '2024-02').output.key });
    expect(applyFileEvent(r, doneEvent('b', '2024-02'), { manifest: manifestFor('b', '2024-02') })).toBeUndefined();
  });

  it('changes nothing for events the check does not count', () => {
    expect(applyFileEvent(runRecord({ state: 'cancelled' }), doneEvent('a', '2024-01'), { manifest: manifestFor('a', '2024-01') })).toBeUndefined();
    expect(applyFileEvent(runRecord(), failedEvent('zzz', '2024-01'))).toBeUndefined();
    expect(applyFileEvent(runRecord(), doneEvent('a', '2024-01', { rowsIn: 1_999_999_998 }), { manifest: manifestFor('a', '2024-01') })).toBeUndefined();
  });
});
