import { describe, expect, it } from 'vitest';
import { lostFiles, lostWorkGraceMs } from './lost-work';
import { runRecord } from './__tests__/run-fixtures';

const started = Date.parse('2026-01-01T00:00:00.000Z');
const grace = lostWorkGraceMs(60_000, 60_000);

describe('lostFiles', () => {
  it('the grace outlasts a resumed run request and a redelivered file', () => {
    expect(grace).toBe(240_000);
  });

  it('nothing is lost while the work stream holds messages, however old the run', () => {
    expect(lostFiles(runRecord(), { messages: 1 }, started + 10 * grace, grace)).toEqual([]);
  });

  it('nothing is lost within the grace after the last progress', () => {
    expect(lostFiles(runRecord(), { messages: 0 }, started + grace - 1, grace)).toEqual([]);
    const progressed = runRecord({ lastProgressAt: '2026-01-01T01:00:00.000Z' });
    expect(lostFiles(progressed, { messages: 0 }, started + grace + 1, grace)).toEqual([]);
  });

  it('an empty work stream after the grace: every queued file is lost, settled ones are not', () => {
    const r = runRecord();
    r.files.b.status = 'done';
    expect(lostFiles(r, { messages: 0 }, started + grace, grace)).toEqual(['a']);
  });

  it('a finished run loses nothing', () => {
    expect(lostFiles(runRecord({ state: 'cancelled' }), { messages: 0 }, started + 10 * grace, grace)).toEqual([]);
  });
});
