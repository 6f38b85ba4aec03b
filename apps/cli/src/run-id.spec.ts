import { RunIdSchema } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { newRunId } from './run-id';

describe('newRunId', () => {
  const at = new Date(Date.UTC(2026, 10, 25, 20, 18, 50, 123));

  it('is cli-, the UTC stamp to the second and four hex digits: a valid run id', () => {
    expect(newRunId(at, () => 0.6312)).toBe('cli-20261125-201850-a196');
    expect(RunIdSchema.safeParse(newRunId(at)).success).toBe(true);
    expect(newRunId(at)).toMatch(/^cli-20261125-201850-[0-9a-f]{4}$/);
  });

  it('keeps four digits whatever the random draw', () => {
    expect(newRunId(at, () => 0)).toBe('cli-20261125-201850-0000');
    expect(newRunId(at, () => 0.5)).toBe('cli-20261125-201850-8000');
    expect(newRunId(at, () => 0.99999999)).toBe('cli-20261125-201850-ffff');
  });
});
