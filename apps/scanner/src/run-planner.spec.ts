import type { SourceFile } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { planRun, type CommittedOutput, type PlanInput } from './run-planner';

const src = (month: string, etag = `e-${month}`, dataset: SourceFile['dataset'] = 'fhvhv'): SourceFile => ({
  dataset,
  month,
  source: { key: `${dataset}_tripdata_${month}.parquet`, etag, size: 100 },
});
/** The same file under another key. */
const movedTo = (s: SourceFile, key: string): SourceFile => ({ ...s, source: { ...s.source, key } });
const out = (s: SourceFile, over: Partial<CommittedOutput> = {}): CommittedOutput => ({
  dataset: s.dataset,
  month: s.month,
  source: { key: s.source.key, etag: s.source.etag },
  hasQuarantine: false,
  schemaVersion: 'fhvhv.v1',
  ...over,
});
const base = (over: Partial<PlanInput>): PlanInput => ({
  intent: 'incremental',
  sources: [],
  committed: [],
  schemaVersionOf: (d) => (d === 'fhvhv' ? 'fhvhv.v1' : undefined),
  filters: {},
  listingComplete: true,
  ...over,
});
const reasons = (p: ReturnType<typeof planRun>) => p.files.map((f) => `${f.month}:${f.reason}`);

describe('planRun', () => {
  const jan = src('2024-01');
  const feb = src('2024-02');
  const mar = src('2024-03');

  it('incremental: processes new, changed-ETag and changed-schema sources, skips up-to-date ones', () => {
    const plan = planRun(
      base({
        sources: [mar, feb, jan, src('2024-04')],
        committed: [out(jan), out(feb, { source: { key: feb.source.key, etag: 'old' } }), out(mar, { schemaVersion: 'fhvhv.v0' })],
      }),
    );
    expect(reasons(plan)).toEqual(['2024-02:source_changed', '2024-03:schema_changed', '2024-04:new']);
    expect(plan.upToDate).toBe(1);
    expect(plan.orphans).toEqual([]);
  });

  it('incremental with everything committed plans nothing', () => {
    const plan = planRun(base({ sources: [jan, feb], committed: [out(jan), out(feb)] }));
    expect(plan.files).toEqual([]);
    expect(plan.upToDate).toBe(2);
  });

  it('reprocess: every source, and orphans whose source is gone', () => {
    const gone = out(src('2023-12'));
    const plan = planRun(base({ intent: 'reprocess', sources: [jan, feb], committed: [out(jan), gone] }));
    expect(reasons(plan)).toEqual(['2024-01:reprocess', '2024-02:reprocess']);
    expect(plan.orphans).toEqual([gone]);
  });

  it('never removes orphans when the listing was incomplete', () => {
    const plan = planRun(base({ intent: 'reprocess', sources: [jan], committed: [out(src('2023-12'))], listingComplete: false }));
    expect(plan.orphans).toEqual([]);
  });

  it('incremental never removes anything', () => {
    const plan = planRun(base({ sources: [jan], committed: [out(src('2023-12'))] }));
    expect(plan.orphans).toEqual([]);
  });

  it('test_subset: the first file, or `limit` files, in dataset-month order', () => {
    expect(reasons(planRun(base({ intent: 'test_subset', sources: [feb, jan, mar] })))).toEqual(['2024-01:test_subset']);
    expect(reasons(planRun(base({ intent: 'test_subset', sources: [feb, jan, mar], filters: { limit: 2 } })))).toEqual([
      '2024-01:test_subset',
      '2024-02:test_subset',
    ]);
  });

  it('applies dataset, month and limit filters, orphans included', () => {
    const yellowJan = src('2024-01', 'y', 'yellow');
    const plan = planRun(
      base({
        intent: 'reprocess',
        sources: [jan, feb, mar, yellowJan],
        committed: [out(src('2023-11')), out(src('2023-12'))],
        filters: { datasets: ['fhvhv'], months: ['2024-02', '2024-03', '2023-12'], limit: 1 },
      }),
    );
    expect(reasons(plan)).toEqual(['2024-02:reprocess']);
    expect(plan.orphans.map((o) => o.month)).toEqual(['2023-12']);
    expect(plan.candidates).toBe(2);
  });

  it('reports datasets without a canonical schema instead of enqueuing them', () => {
    const plan = planRun(base({ sources: [jan, src('2024-01', 'y', 'yellow')] }));
    expect(reasons(plan)).toEqual(['2024-01:new']);
    expect(plan.unsupported.map((s) => s.source.key)).toEqual(['yellow_tripdata_2024-01.parquet']);
  });

  it('one output per dataset-month: a second source object for the same month is a reported conflict', () => {
    const copy = movedTo(jan, `backup/${jan.source.key}`);
    const plan = planRun(base({ sources: [jan, copy] }));
    expect(plan.files.map((f) => f.source.key)).toEqual(['backup/fhvhv_tripdata_2024-01.parquet']);
    expect(plan.conflicts.map((s) => s.source.key)).toEqual(['fhvhv_tripdata_2024-01.parquet']);
  });

  it('a source whose ETag changed and whose schema changed is planned as source_changed', () => {
    const plan = planRun(base({ sources: [jan], committed: [out(jan, { source: { key: jan.source.key, etag: 'old' }, schemaVersion: 'fhvhv.v0' })] }));
    expect(reasons(plan)).toEqual(['2024-01:source_changed']);
  });

  it('incremental: an ETag that differs only in its quotes or weak marker is the same version (the manifest records the ETag read, the listing another call\'s)', () => {
    const listed = [src('2024-01', 'abc'), src('2024-02', '"def"'), src('2024-03', 'W/"ghi"')];
    const recorded = ['"abc"', 'def', '"ghi"'];
    const plan = planRun(base({ sources: listed, committed: listed.map((s, i) => out(s, { source: { key: s.source.key, etag: recorded[i] } })) }));
    expect(plan.files).toEqual([]);
    expect(plan.upToDate).toBe(3);
  });

  it('a moved source (same month, new key) counts as changed', () => {
    const moved = movedTo(jan, `new/${jan.source.key}`);
    expect(reasons(planRun(base({ sources: [moved], committed: [out(jan)] })))).toEqual(['2024-01:source_changed']);
  });
});
