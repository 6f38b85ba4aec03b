import { describe, expect, it } from 'vitest';
import { checkFileEvent } from './file-event-check';
import { doneEvent, failedEvent, manifestFor, runRecord } from './__tests__/run-fixtures';

describe('checkFileEvent', () => {
  it('counts a done event whose manifest says the same (zero drop counts may be left out on either side)', () => {
    expect(checkFileEvent(runRecord(), doneEvent('a', '2024-01'), { manifest: manifestFor('a', '2024-01') })).toEqual({ verdict: 'count' });
  });

  it('counts a failure of a planned, queued file whose work message has been settled', () => {
    expect(checkFileEvent(runRecord(), failedEvent('b', '2024-02'))).toEqual({ verdict: 'count' });
    expect(checkFileEvent(runRecord(), failedEvent('b', '2024-02'), { workStillQueued: false })).toEqual({ verdict: 'count' });
  });

  it('waits with a failure while the work message is still queued or in progress (premature or forged: the worker holding it goes on)', () => {
    expect(checkFileEvent(runRecord(), failedEvent('b', '2024-02'), { workStillQueued: true })).toMatchObject({ verdict: 'wait' });
  });

  it('counts a failure of a file this run has committed as that commit (its done event may come after a forged or stale failure)', () => {
    const committed = checkFileEvent(runRecord(), failedEvent('b', '2024-02'), { workStillQueued: false, manifest: manifestFor('b', '2024-02') });
    expect(committed).toMatchObject({ verdict: 'count_commit', manifest: { runId: 'r1', source: { key: 'b' } } });
    // a manifest of another run, or of another source for that month, is no commit of this file
    expect(checkFileEvent(runRecord(), failedEvent('b', '2024-02'), { manifest: manifestFor('b', '2024-02', { runId: 'r0' }) })).toEqual({ verdict: 'count' });
    expect(checkFileEvent(runRecord(), failedEvent('b', '2024-02'), { manifest: manifestFor('other.parquet', '2024-02') })).toEqual({ verdict: 'count' });
    // still queued: wait, whatever the manifest
    expect(checkFileEvent(runRecord(), failedEvent('b', '2024-02'), { workStillQueued: true, manifest: manifestFor('b', '2024-02') })).toMatchObject({ verdict: 'wait' });
  });

  it('refuses events for a run that does not exist', () => {
    expect(checkFileEvent(undefined, failedEvent('a', '2024-01'))).toMatchObject({ verdict: 'refuse', code: 'unknown_run' });
  });

  it('refuses a file the run did not plan, and one whose dataset or month differ from the plan', () => {
    expect(checkFileEvent(runRecord(), failedEvent('zzz', '2024-01'))).toMatchObject({ verdict: 'refuse', code: 'not_planned' });
    expect(checkFileEvent(runRecord(), failedEvent('a', '2024-05'))).toMatchObject({ verdict: 'refuse', code: 'event_mismatch' });
    // an inherited property is not a planned file
    expect(checkFileEvent(runRecord(), failedEvent('constructor', '2024-01'))).toMatchObject({ verdict: 'refuse', code: 'not_planned' });
  });

  it('ignores repeats and events of finished runs', () => {
    const settled = runRecord({ files: { ...runRecord().files, a: { ...runRecord().files.a, status: 'done' } } });
    expect(checkFileEvent(settled, failedEvent('a', '2024-01')).verdict).toBe('ignore');
    expect(checkFileEvent(runRecord({ state: 'cancelled' }), doneEvent('a', '2024-01'), { manifest: manifestFor('a', '2024-01') }).verdict).toBe('ignore');
  });

  it("refuses a 'skipped' event while the run is running (workers skip only files of cancelled runs)", () => {
    const skipped = { ...failedEvent('a', '2024-01'), type: 'skipped' as const, reason: 'whatever' };
    expect(checkFileEvent(runRecord(), skipped)).toMatchObject({ verdict: 'refuse', code: 'event_mismatch' });
  });

  it("refuses a 'done' with no manifest, or a manifest of another run", () => {
    expect(checkFileEvent(runRecord(), doneEvent('a', '2024-01'))).toMatchObject({ verdict: 'refuse', code: 'no_manifest' });
    const other = checkFileEvent(runRecord(), doneEvent('a', '2024-01'), { manifest: manifestFor('a', '2024-01', { runId: 'no-such-run' }) });
    expect(other).toMatchObject({ verdict: 'refuse', code: 'event_mismatch' });
    expect((other as { reason: string }).reason).toContain('runId: event r1, manifest no-such-run');
  });

  it("refuses forged figures and keys in a 'done' event (the review's rowsIn 1999999998 and ../../etc/passwd)", () => {
    const m = manifestFor('a', '2024-01');
    const forged = [
      doneEvent('a', '2024-01', { rowsIn: 1_999_999_998 }),
      doneEvent('a', '2024-01', { outputKey: '../../etc/passwd' }),
      doneEvent('a', '2024-01', { rowsOut: 8 }),
      doneEvent('a', '2024-01', { outputBytes: 1 }),
      doneEvent('a', '2024-01', { rowGroups: 7 }),
      doneEvent('a', '2024-01', { dropped: { negative_trip_miles: 2 } }),
    ];
    for (const event of forged) expect(checkFileEvent(runRecord(), event, { manifest: m })).toMatchObject({ verdict: 'refuse', code: 'event_mismatch' });
    // a manifest for another source key of the same month
    expect(checkFileEvent(runRecord(), doneEvent('a', '2024-01'), { manifest: manifestFor('other.parquet', '2024-01') })).toMatchObject({ verdict: 'refuse' });
  });
});
