import { describe, expect, it } from 'vitest';
import { nextMonth, parseMonths } from './months';

describe('parseMonths', () => {
  it('expands ranges and lists, sorted and unique', () => {
    expect(parseMonths('2023-11..2024-02,2024-07,2024-01')).toEqual(['2023-11', '2023-12', '2024-01', '2024-02', '2024-07']);
  });
  it('rejects bad months and reversed ranges with a clear message', () => {
    expect(() => parseMonths('2024-13')).toThrow(/invalid month "2024-13"/);
    expect(() => parseMonths('2024-05..2024-01')).toThrow(/before/);
  });
  it('rolls over years', () => {
    expect(nextMonth('2024-12')).toBe('2025-01');
  });
});
