import type { PlanPreview, SourceListingSummary } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { describeListing, describePlanned, formatPlanPreview, listingLines } from './plan-listing';

const listing: SourceListingSummary = {
  url: 's3://tlc-source/trip data/',
  candidates: 4,
  found: 2,
  absent: 1,
  unknown: [{ key: 'fhvhv_tripdata_2024-03.parquet', reason: 'HEAD timed out' }],
  complete: true,
};

describe('the source listing', () => {
  it('says what became of the candidates, then each one it could not check', () => {
    expect(describeListing(listing)).toBe('source s3://tlc-source/trip data/: 4 candidate(s), 2 found, 1 absent, 1 unknown');
    expect(listingLines(listing)).toEqual([
      'source s3://tlc-source/trip data/: 4 candidate(s), 2 found, 1 absent, 1 unknown',
      'unknown fhvhv_tripdata_2024-03.parquet: HEAD timed out',
    ]);
    expect(listingLines({ ...listing, unknown: [] })).toEqual(['source s3://tlc-source/trip data/: 4 candidate(s), 2 found, 1 absent, 0 unknown']);
  });

  it('says what a run planned, with orphans only when some were removed', () => {
    expect(describePlanned({ total: 2, candidates: 4, orphans: 0 })).toBe('planned: 2 file(s) to process of 4 candidate(s)');
    expect(describePlanned({ total: 0, candidates: 4, orphans: 3 })).toBe('planned: 0 file(s) to process of 4 candidate(s), 3 orphan output(s) removed');
  });
});

describe('formatPlanPreview', () => {
  const preview: PlanPreview = {
    intent: 'incremental',
    target: 'production',
    source: listing,
    files: [
      { key: 'fhvhv_tripdata_2024-01.parquet', dataset: 'fhvhv', month: '2024-01', reason: 'new', etag: '"a"', size: 1 },
      { key: 'fhv_tripdata_2024-02.parquet', dataset: 'fhv', month: '2024-02', reason: 'source_changed', etag: '"b"', size: 1 },
    ],
    orphans: [{ dataset: 'fhvhv', month: '2023-12', outputKey: 'fhvhv/year=2023/month=12/part-0.parquet', sourceKey: 'fhvhv_tripdata_2023-12.parquet' }],
    upToDate: 5,
    unsupported: ['yellow_tripdata_2009-01.parquet', 'yellow_tripdata_2009-02.parquet', 'misc.parquet'],
    conflicts: ['fhvhv 2024-01'],
    ignored: 0,
  };

  it('lists every file with its reason, every orphan, the unknown, the unsupported and the conflicts', () => {
    expect(formatPlanPreview(preview)).toEqual([
      'dry run: incremental, source s3://tlc-source/trip data/',
      '  source: 4 candidate(s): 2 found, 1 absent, 1 unknown',
      '  would process 2 file(s):',
      '    fhvhv_tripdata_2024-01.parquet  new',
      '    fhv_tripdata_2024-02.parquet    source changed (ETag)',
      '  up to date: 5',
      '  would remove 1 orphan output(s):',
      '    fhvhv/year=2023/month=12/part-0.parquet  (source fhvhv_tripdata_2023-12.parquet is gone)',
      '  unknown (not processed, never treated as absent):',
      '    fhvhv_tripdata_2024-03.parquet: HEAD timed out',
      '  not processed, no canonical schema yet: 3 file(s) (yellow 2, other 1)',
      '  duplicate sources for one month, ignored: fhvhv 2024-01',
      'nothing was published and no worker was started',
    ]);
  });

  it('says when the listing is incomplete and the run targets the test prefix, and leaves out empty sections', () => {
    const lines = formatPlanPreview({
      ...preview,
      target: 'test',
      source: { ...listing, unknown: [], complete: false },
      files: [],
      orphans: [],
      unsupported: [],
      conflicts: [],
    });
    expect(lines).toEqual([
      'dry run: incremental (test prefix), source s3://tlc-source/trip data/',
      '  source: 4 candidate(s): 2 found, 1 absent, 0 unknown — listing incomplete: no output will be removed',
      '  would process 0 file(s):',
      '  up to date: 5',
      '  would remove 0 orphan output(s)',
      'nothing was published and no worker was started',
    ]);
  });
});
