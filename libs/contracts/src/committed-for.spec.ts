import { describe, expect, it } from 'vitest';
import { isCommittedFor, isSameSourceVersion } from './committed-for';
import { ManifestSchema, type Manifest } from './records';

const KEY = 'fhvhv_tripdata_2024-01.parquet';
const SCHEMA = 'fhvhv.v1';

/** A manifest as the transformer writes it and the sink returns it (parsed with the contract's schema). */
const manifestJson = (source: { key?: string; etag?: string; size?: number } = {}, schemaVersion: string | null = SCHEMA) => ({
  manifestVersion: 1,
  dataset: 'fhvhv',
  month: '2024-01',
  source: { store: 'file:///sources/', key: KEY, etag: '"9b2cf535f27731c974343645a3985328"', size: 4_096, ...source },
  ...(schemaVersion === null ? {} : { schemaVersion }),
  rowsIn: 10,
  rowsOut: 9,
  dropped: { negative_fare: 1 },
  droppedColumns: [],
  output: { key: 'fhvhv/year=2024/month=01/fhvhv_2024-01.parquet', bytes: 1_024, rowGroups: 1 },
  runId: 'run-1',
  writtenAt: '2024-02-01T00:00:00.000Z',
});
const manifest = (source: { key?: string; etag?: string; size?: number } = {}, schemaVersion = SCHEMA): Manifest =>
  ManifestSchema.parse(manifestJson(source, schemaVersion));
const listed = (etag = '"9b2cf535f27731c974343645a3985328"', key = KEY) => ({ key, etag, size: 4_096 });

describe('isCommittedFor', () => {
  it('same key, ETag and schema version: committed', () => {
    expect(isCommittedFor(manifest(), listed(), SCHEMA)).toBe(true);
  });

  it('a different ETag (the source was replaced): not committed', () => {
    expect(isCommittedFor(manifest(), listed('"0c7e1a2d5f8b9c3e4d6a7b8c9d0e1f2a"'), SCHEMA)).toBe(false);
    // Only the quotes are dropped: a tag that differs inside them is another version.
    expect(isCommittedFor(manifest({ etag: '"abc"' }), listed('"abd"'), SCHEMA)).toBe(false);
  });

  it('a different schema version (the normalizer changed): not committed', () => {
    expect(isCommittedFor(manifest(), listed(), 'fhvhv.v2')).toBe(false);
    expect(isCommittedFor(manifest({}, 'fhvhv.v2'), listed(), SCHEMA)).toBe(false);
  });

  it('a dataset with no canonical schema (no version to compare): not committed', () => {
    expect(isCommittedFor(manifest(), listed(), undefined)).toBe(false);
  });

  it('another source key with the same ETag (a moved or copied file): not committed', () => {
    expect(isCommittedFor(manifest(), listed(undefined, `backup/${KEY}`), SCHEMA)).toBe(false);
  });

  it('quotes, the weak marker and surrounding blanks are not significant in an ETag', () => {
    const etag = '9b2cf535f27731c974343645a3985328';
    for (const [recorded, current] of [
      [`"${etag}"`, etag],
      [etag, `"${etag}"`],
      [`W/"${etag}"`, `"${etag}"`],
      [`"${etag}"`, `W/"${etag}"`],
      [` "${etag}" `, etag],
    ]) {
      expect(isCommittedFor(manifest({ etag: recorded }), listed(current), SCHEMA), `${recorded} vs ${current}`).toBe(true);
    }
  });

  it('the size is not compared: the ETag names the version', () => {
    const grown = { ...listed(), size: 8_192 };
    expect(isCommittedFor(manifest({ size: 4_096 }), grown, SCHEMA)).toBe(true);
  });

  it('no manifest, or one missing its source ETag or schema version (it does not parse, so it is never read as one): not committed', () => {
    expect(isCommittedFor(undefined, listed(), SCHEMA)).toBe(false);
    const { etag: _etag, ...sourceWithoutEtag } = manifestJson().source;
    expect(ManifestSchema.safeParse({ ...manifestJson(), source: sourceWithoutEtag }).success).toBe(false);
    expect(ManifestSchema.safeParse(manifestJson({}, null)).success).toBe(false);
  });

  it('a manifest with an empty ETag is not the commit of a source that has one', () => {
    expect(isCommittedFor(manifest({ etag: '' }), listed(), SCHEMA)).toBe(false);
  });
});

describe('isSameSourceVersion', () => {
  it('tells a changed source from a changed schema (the planner reports which)', () => {
    expect(isSameSourceVersion(manifest().source, listed())).toBe(true);
    expect(isSameSourceVersion(manifest({}, 'fhvhv.v0').source, listed())).toBe(true);
    expect(isSameSourceVersion(manifest().source, listed('"other"'))).toBe(false);
    expect(isSameSourceVersion(manifest().source, listed(undefined, `new/${KEY}`))).toBe(false);
  });
});
