import { describe, expect, it } from 'vitest';
import { DATASETS, isMonth } from './datasets';

describe('datasets', () => {
  it('knows the four datasets', () => {
    expect([...DATASETS].sort()).toEqual(['fhv', 'fhvhv', 'green', 'yellow']);
  });

  it('validates months', () => {
    expect(isMonth('2025-12')).toBe(true);
    expect(isMonth('2025-1')).toBe(false);
    expect(isMonth('2025-01-01')).toBe(false);
  });
});
