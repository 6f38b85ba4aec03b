import { RunIdSchema } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { runIdFor } from './run-id';

describe('runIdFor', () => {
  it('is stable for the same stored message and a valid subject token', () => {
    const at = Date.UTC(2026, 10, 25, 20, 18, 50, 123);
    expect(runIdFor(at, 42)).toBe('r20261125-201850-42');
    expect(runIdFor(at, 42)).toBe(runIdFor(at, 42));
    expect(RunIdSchema.safeParse(runIdFor(at, 42)).success).toBe(true);
  });
});
