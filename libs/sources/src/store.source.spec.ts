import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openObjectStore, type ObjectStore } from '@sluice/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreSource } from './store.source';

let dir: string;
let store: ObjectStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-store-source-'));
  store = openObjectStore(pathToFileURL(dir).href);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('StoreSource.list', () => {
  it('returns each TLC trip file with the dataset and month of its name; every other object is ignored, by key', async () => {
    await store.put('trip data/fhvhv_tripdata_2024-01.parquet', new TextEncoder().encode('one'));
    await store.put('yellow_tripdata_2009-01.parquet', new TextEncoder().encode('two!'));
    await store.put('taxi_zone_lookup.csv', new TextEncoder().encode('zones'));
    await store.put('fhvhv_tripdata_2024-01.parquet.partial', new TextEncoder().encode('x'));

    const listing = await new StoreSource(store, 'file').list();

    const byKey = [...listing.files].sort((a, b) => a.source.key.localeCompare(b.source.key));
    expect(byKey.map((f) => [f.source.key, f.dataset, f.month, f.source.size])).toEqual([
      ['trip data/fhvhv_tripdata_2024-01.parquet', 'fhvhv', '2024-01', 3],
      ['yellow_tripdata_2009-01.parquet', 'yellow', '2009-01', 4],
    ]);
    for (const file of listing.files) {
      const head = (await store.head(file.source.key))!;
      expect(file.source.etag).toBe(head.etag);
      expect(file.source.lastModified).toBe(head.lastModified.toISOString());
    }
    expect([...listing.ignored].sort()).toEqual(['fhvhv_tripdata_2024-01.parquet.partial', 'taxi_zone_lookup.csv']);
    expect(listing).toMatchObject({ candidates: 4, absent: 0, unknown: [], complete: true });
  });
});
