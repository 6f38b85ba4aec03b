import { describe, expect, it } from 'vitest';
import { tlcCandidates, TLC_FIRST_MONTH } from './tlc-catalog';

describe('tlcCandidates', () => {
  const now = new Date('2025-11-25T12:00:00Z');

  it('enumerates each dataset from its first month to the current month', () => {
    const all = tlcCandidates({}, now);
    const fhvhv = all.filter((c) => c.dataset === 'fhvhv');
    expect(fhvhv[0]).toEqual({ key: 'fhvhv_tripdata_2019-02.parquet', dataset: 'fhvhv', month: '2019-02' });
    expect(fhvhv.at(-1)!.month).toBe('2025-11');
    expect(fhvhv).toHaveLength(82);
    // About 560 files in all, as DATA.md says (plus the months not yet published).
    expect(all.length).toBeGreaterThan(550);
    expect(all.length).toBeLessThan(600);
    expect(Object.keys(TLC_FIRST_MONTH).sort()).toEqual(['fhv', 'fhvhv', 'green', 'yellow']);
  });

  it('applies the dataset and month filters before any request is made', () => {
    expect(tlcCandidates({ datasets: ['green'], months: ['2013-07', '2013-08', '2030-01'] }, now)).toEqual([
      { key: 'green_tripdata_2013-08.parquet', dataset: 'green', month: '2013-08' },
    ]);
  });

  it('rolls over years', () => {
    const months = tlcCandidates({ datasets: ['fhvhv'], months: ['2019-12', '2020-01'] }, now).map((c) => c.month);
    expect(months).toEqual(['2019-12', '2020-01']);
  });
});
