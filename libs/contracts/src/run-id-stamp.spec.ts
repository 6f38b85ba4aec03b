import { describe, expect, it } from 'vitest';
import { RunIdSchema } from './messages';
import { runIdStamp } from './run-id-stamp';

describe('runIdStamp', () => {
  it('is the UTC date and time to the second, from a Date or epoch milliseconds', () => {
    const at = Date.UTC(2026, 10, 25, 20, 18, 50, 999);
    expect(runIdStamp(at)).toBe('20261125-201850');
    expect(runIdStamp(new Date(at))).toBe('20261125-201850');
    expect(runIdStamp(Date.UTC(2027, 0, 2, 3, 4, 5))).toBe('20270102-030405');
  });

  it('is a valid run id on its own', () => {
    expect(RunIdSchema.safeParse(runIdStamp(Date.UTC(2026, 10, 25))).success).toBe(true);
  });
});
