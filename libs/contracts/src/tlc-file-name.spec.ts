import { describe, expect, it } from 'vitest';
import { DATASET_NAMES } from './messages';
import { parseTlcFileName, tlcFileName } from './tlc-file-name';

describe('parseTlcFileName', () => {
  it.each([
    ['fhvhv_tripdata_2024-01.parquet', { dataset: 'fhvhv', month: '2024-01' }],
    ['trip data/fhvhv_tripdata_2019-02.parquet', { dataset: 'fhvhv', month: '2019-02' }],
    ['yellow_tripdata_2009-01.parquet', { dataset: 'yellow', month: '2009-01' }],
    ['a/b/c/green_tripdata_2013-08.parquet', { dataset: 'green', month: '2013-08' }],
    ['fhv_tripdata_2015-12.parquet', { dataset: 'fhv', month: '2015-12' }],
  ])('parses %s', (key, expected) => {
    expect(parseTlcFileName(key)).toEqual(expected);
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
    'fhvhv_tripdata_2024-01xparquet', // the dot is a dot
    '',
  ])('rejects %s', (key) => {
    expect(parseTlcFileName(key)).toBeNull();
  });
});

describe('tlcFileName', () => {
  it('formats the name the TLC publishes', () => {
    expect(tlcFileName('fhvhv', '2024-01')).toBe('fhvhv_tripdata_2024-01.parquet');
  });

  it.each(DATASET_NAMES)('is read back by parseTlcFileName (%s)', (dataset) => {
    for (const month of ['2009-01', '2019-12', '2025-10']) {
      expect(parseTlcFileName(tlcFileName(dataset, month))).toEqual({ dataset, month });
      expect(parseTlcFileName(`trip data/${tlcFileName(dataset, month)}`)).toEqual({ dataset, month });
    }
  });
});
