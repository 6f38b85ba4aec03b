import { describe, expect, it } from 'vitest';
import { lostFiles, lostWorkGraceMs, stalled } from './lost-work';
import { runRecord } from './__tests__/run-fixtures';

const started = Date.parse('2026-01-01T00:00:00.000Z');
const grace = lostWorkGraceMs(60_000, 60_000);

describe('stalled', () => {
  it('the grace outlasts a resumed run request and a redelivered file', () => {
    expect(grace).toBe(240_000);
  });

  it('a run is stalled once it has made no progress for the grace', () => {
    expect(stalled(runRecord(), started + grace - 1, grace)).toBe(false);
    expect(stalled(runRecord(), started + grace, grace)).toBe(true);
    expect(stalled(runRecord({ lastProgressAt: '2026-01-01T01:00:00.000Z' }), started + grace + 1, grace)).toBe(false);
    expect(stalled(runRecord({ state: 'cancelled' }), started + 10 * grace, grace)).toBe(false);
  });
});

describe('lostFiles', () => {
  const withSeqs = () => {
    const r = runRecord();
    r.files.a.workSeq = 7;
    r.files.b.workSeq = 8;
    return r;
  };

  it('a queued file whose recorded work message is still stored is not lost, whatever else the stream holds', () => {
    expect(lostFiles(withSeqs(), { messages: 2, stored: new Set([7, 8]) })).toEqual([]);
  });

  it('a queued file whose work message is gone is lost, even while other (stuck) messages fill the stream', () => {
    expect(lostFiles(withSeqs(), { messages: 5, stored: new Set([8]) })).toEqual(['a']);
  });

  it('without a recorded sequence, only an empty work stream says it is lost', () => {
    expect(lostFiles(runRecord(), { messages: 1, stored: new Set() })).toEqual([]);
    expect(lostFiles(runRecord(), { messages: 0, stored: new Set() })).toEqual(['a', 'b']);
  });

  it('settled files and finished runs lose nothing', () => {
    const r = withSeqs();
    r.files.b.status = 'done';
    expect(lostFiles(r, { messages: 0, stored: new Set() })).toEqual(['a']);
    expect(lostFiles(runRecord({ state: 'cancelled' }), { messages: 0, stored: new Set() })).toEqual([]);
  });
});
