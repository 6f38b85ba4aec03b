// HttpsSource against a loopback server that behaves like the TLC's CloudFront distribution.
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpsSource, tlcCandidates } from '@sluice/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudFrontLike, type CloudFrontLike } from '../support';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const now = () => new Date('2024-04-15T00:00:00Z');

describe('HttpsSource (CloudFront-like server)', () => {
  let cf: CloudFrontLike;
  let source: HttpsSource;
  const work = mkdtempSync(join(tmpdir(), 'sluice-https-'));

  beforeAll(async () => {
    cf = await startCloudFrontLike();
    source = new HttpsSource(cf.url, { concurrency: 8, timeoutMs: 500, attempts: 3, baseDelayMs: 20, now });
  });
  afterAll(async () => {
    await cf?.stop();
  });

  it('finds exactly the published months; the others are absent (403), and the listing is complete', async () => {
    cf.publish('fhvhv_tripdata_2024-01.parquet', bytes(1000, 1));
    cf.publish('fhvhv_tripdata_2024-02.parquet', bytes(2000, 2));
    const listing = await source.list({ datasets: ['fhvhv'], months: ['2024-01', '2024-02', '2024-03'] });
    expect(listing.files.map((f) => [f.source.key, f.source.size, f.dataset, f.month])).toEqual([
      ['fhvhv_tripdata_2024-01.parquet', 1000, 'fhvhv', '2024-01'],
      ['fhvhv_tripdata_2024-02.parquet', 2000, 'fhvhv', '2024-02'],
    ]);
    expect(listing.files[0].source.etag).toBe(cf.etagOf('fhvhv_tripdata_2024-01.parquet'));
    expect(Date.parse(listing.files[0].source.lastModified!)).toBeGreaterThan(0);
    expect(listing.ignored).toEqual([]);
    expect({ candidates: listing.candidates, absent: listing.absent, unknown: listing.unknown, complete: listing.complete }).toEqual({
      candidates: 3,
      absent: 1,
      unknown: [],
      complete: true,
    });
  });

  it('enumerates every dataset from its first month when unfiltered (one HEAD per candidate)', async () => {
    const before = cf.requests.length;
    const listing = await source.list();
    expect(listing.candidates).toBe(tlcCandidates({}, now()).length);
    expect(cf.requests.length - before).toBe(listing.candidates);
    expect(listing.files).toHaveLength(2);
  });

  it('retries 5xx answers with backoff and then finds the file', async () => {
    cf.failNext('fhvhv_tripdata_2024-01.parquet', 503, 2);
    const listing = await source.list({ datasets: ['fhvhv'], months: ['2024-01'] });
    expect(listing.files.map((f) => f.source.key)).toEqual(['fhvhv_tripdata_2024-01.parquet']);
  });

  it('a HEAD that keeps failing or stalls makes the candidate unknown, never absent, and the listing incomplete', async () => {
    cf.failNext('fhvhv_tripdata_2024-01.parquet', 503);
    cf.stall('fhvhv_tripdata_2024-02.parquet');
    try {
      const listing = await source.list({ datasets: ['fhvhv'], months: ['2024-01', '2024-02', '2024-03'] });
      expect(listing.complete).toBe(false);
      expect(listing.absent).toBe(1);
      expect(listing.files).toEqual([]);
      expect(listing.unknown.map((u) => u.key)).toEqual(['fhvhv_tripdata_2024-01.parquet', 'fhvhv_tripdata_2024-02.parquet']);
      expect(listing.unknown[0].reason).toMatch(/HTTP 503/);
      expect(listing.unknown[1].reason).toMatch(/no complete answer within 500 ms/);
    } finally {
      cf.failNext('fhvhv_tripdata_2024-01.parquet', 503, 0);
      cf.stall('fhvhv_tripdata_2024-02.parquet', false);
    }
  });

  it('downloads by Range requests pinned with If-Match', async () => {
    const content = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);
    const etag = cf.publish('fhvhv_tripdata_2024-03.parquet', content);
    const dest = join(work, 'a.parquet');
    const info = await source.download('fhvhv_tripdata_2024-03.parquet', dest, { chunkBytes: 3_000 });
    expect(info.etag).toBe(etag);
    expect(Buffer.compare(await readFile(dest), Buffer.from(content))).toBe(0);
    const gets = cf.requests.filter((r) => r.method === 'GET' && r.name === 'fhvhv_tripdata_2024-03.parquet');
    expect(gets.map((g) => g.range)).toEqual(['bytes=0-2999', 'bytes=3000-5999', 'bytes=6000-8999', 'bytes=9000-9999']);
  });

  it('a range comes back in an ArrayBuffer of its own, which the engine\'s worker can transfer (not a view of a shared pool)', async () => {
    cf.publish('fhvhv_tripdata_2024-05.parquet', Uint8Array.from({ length: 5_000 }, (_, i) => i % 13));
    for (const [start, end] of [[0, 100], [100, 4_100]]) {
      const bytes = await source.getRange('fhvhv_tripdata_2024-05.parquet', start, end);
      expect(Buffer.isBuffer(bytes)).toBe(false);
      expect([bytes.byteOffset, bytes.buffer.byteLength]).toEqual([0, end - start]);
      expect(bytes[1]).toBe((start + 1) % 13);
    }
  });

  it('a file replaced mid-read fails that attempt transiently; the next attempt reads the new version whole', async () => {
    cf.publish('fhvhv_tripdata_2024-04.parquet', bytes(9_000, 4));
    cf.replaceDuringRead('fhvhv_tripdata_2024-04.parquet', 1, bytes(9_000, 5));
    const dest = join(work, 'b.parquet');
    await expect(source.download('fhvhv_tripdata_2024-04.parquet', dest, { chunkBytes: 3_000 })).rejects.toMatchObject({
      kind: 'transient',
      code: 'source_changed',
    });
    const info = await source.download('fhvhv_tripdata_2024-04.parquet', dest, { chunkBytes: 3_000 });
    expect(info.etag).toBe(cf.etagOf('fhvhv_tripdata_2024-04.parquet'));
    expect(new Set(await readFile(dest))).toEqual(new Set([5]));
  });

  it('a file that is no longer published fails the read with a clear permanent reason', async () => {
    cf.publish('fhvhv_tripdata_2024-02.parquet', bytes(10, 1));
    const head = await source.head('fhvhv_tripdata_2024-02.parquet');
    cf.unpublish('fhvhv_tripdata_2024-02.parquet');
    await expect(source.getRange('fhvhv_tripdata_2024-02.parquet', 0, 5, { ifMatch: head!.etag })).rejects.toMatchObject({
      kind: 'permanent',
      code: 'source_missing',
    });
  });
});
