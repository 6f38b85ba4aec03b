import { describe, expect, it } from 'vitest';
import { DATASETS, isMonth, parseSourceKey } from './datasets';

describe('parseSourceKey', () => {
  it.each([
    ['fhvhv_tripdata_2024-01.parquet', { dataset: 'fhvhv', month: '2024-01' }],
    ['trip data/fhvhv_tripdata_2019-02.parquet', { dataset: 'fhvhv', month: '2019-02' }],
    ['yellow_tripdata_2009-01.parquet', { dataset: 'yellow', month: '2009-01' }],
    ['a/b/c/green_tripdata_2013-08.parquet', { dataset: 'green', month: '2013-08' }],
    ['fhv_tripdata_2015-12.parquet', { dataset: 'fhv', month: '2015-12' }],
  ])('parses %s', (key, expected) => {
    expect(parseSourceKey(key)).toEqual(expected);
  });

  it.each([
    'fhvhv_tripdata_2024-13.parquet', // no month 13
    'fhvhv_tripdata_2024-00.parquet',
    'fhvhv_tripdata_2024-1.parquet',
    'fhvhv_tripdata_2024-01.parquet.partial',
    'fhvhv_tripdata_2024-01.csv',
    'FHVHV_tripdata_2024-01.parquet',
    'taxi_zone_lookup.csv',
    'fhvhv_tripdata_2024-01.parquet/',
    'x_fhvhv_tripdata_2024-01.parquet',
    'limo_tripdata_2024-01.parquet',
    '',
  ])('rejects %s', (key) => {
    expect(parseSourceKey(key)).toBeNull();
  });

  it('knows the four datasets', () => {
    expect([...DATASETS].sort()).toEqual(['fhv', 'fhvhv', 'green', 'yellow']);
  });

  it('validates months', () => {
    expect(isMonth('2025-12')).toBe(true);
    expect(isMonth('2025-1')).toBe(false);
    expect(isMonth('2025-01-01')).toBe(false);
  });
});
