import { describe, expect, it } from 'vitest';
import { BitmapBuilder } from './bitmap';

describe('BitmapBuilder', () => {
  it('pushRun sets the bits and counts the unset ones as as many push calls do', () => {
    const runs: [boolean, number][] = [[true, 3], [false, 2], [true, 21], [false, 1], [true, 8], [true, 0], [false, 9], [true, 17]];
    const total = runs.reduce((a, [, n]) => a + n, 0);
    const byRun = new BitmapBuilder(total);
    const byValue = new BitmapBuilder(total);
    for (const [set, n] of runs) {
      byRun.pushRun(set, n);
      for (let k = 0; k < n; k++) byValue.push(set);
    }
    expect([...byRun.bits]).toEqual([...byValue.bits]);
    expect(byRun.unset).toBe(byValue.unset);
    expect(byRun.unset).toBe(12);
  });

  it('pushLevels sets a bit for each level 1 and counts the rest as unset, from any starting bit', () => {
    const levels = Uint8Array.from([1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1]);
    const byLevels = new BitmapBuilder(3 + levels.length);
    const byValue = new BitmapBuilder(3 + levels.length);
    byLevels.pushRun(true, 3);
    byValue.pushRun(true, 3);
    byLevels.pushLevels(levels, levels.length);
    for (const level of levels) byValue.push(level === 1);
    expect([...byLevels.bits]).toEqual([...byValue.bits]);
    expect(byLevels.unset).toBe(4);
  });
});
