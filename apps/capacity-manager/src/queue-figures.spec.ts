import { describe, expect, it } from 'vitest';
import { backlogAgeSeconds } from './queue-figures';

describe('backlogAgeSeconds', () => {
  const now = Date.parse('2026-11-30T08:00:00Z');

  it('is the age of the oldest stored work message, in whole seconds', () => {
    expect(backlogAgeSeconds({ messages: 3, first_ts: '2026-11-30T07:58:19.900Z' }, now)).toBe(100);
  });

  it('is 0 for an empty stream (whose first_ts is the zero time) and never negative (clock skew)', () => {
    expect(backlogAgeSeconds({ messages: 0, first_ts: '0001-01-01T00:00:00Z' }, now)).toBe(0);
    expect(backlogAgeSeconds({ messages: 1, first_ts: '2026-11-30T08:00:02Z' }, now)).toBe(0);
    expect(backlogAgeSeconds({ messages: 1, first_ts: 'not a time' }, now)).toBe(0);
  });
});
