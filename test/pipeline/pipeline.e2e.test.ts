// End to end, the demo's path: pipeline.run → scanner → JetStream → transformers started by the capacity
// manager → normalized Parquet in S3, with manifests, run reports, the test prefix, orphans and failures.
import { generateBadFile, generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { manifestKey, outputKey, runReportKey, type RunRecord } from '@sluice/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbRows, parquetShape, startPipelineHarness, tempFile, waitFor, type PipelineHarness } from '../support';

const MONTHS = ['2024-01', '2024-02', '2024-03'];
const ROWS = 10_000;
const key = (month: string) => `fhvhv_tripdata_${month}.parquet`;

/** The documented quality rules, written independently in SQL and run by DuckDB on the source file. */
async function invalidRowsBySql(path: string, month: string): Promise<number> {
  const start = `TIMESTAMP '${month}-01'`;
  const [{ n }] = await duckdbRows(`
    SELECT count(*)::INTEGER AS n FROM read_parquet('${path}')
    WHERE dropoff_datetime <= pickup_datetime
       OR trip_miles < 0
       OR base_passenger_fare < 0
       OR pickup_datetime < ${start} - INTERVAL 1 DAY
       OR pickup_datetime >= ${start} + INTERVAL 1 MONTH + INTERVAL 1 DAY
       OR PULocationID NOT BETWEEN 1 AND 265
       OR DOLocationID NOT BETWEEN 1 AND 265`);
  return Number(n);
}

describe('pipeline end to end (demo path)', () => {
  let h: PipelineHarness;
  let first: RunRecord;

  beforeAll(async () => {
    h = await startPipelineHarness();
    for (const [i, month] of MONTHS.entries()) await h.source.put(key(month), generateFhvhvParquet({ month, rows: ROWS, seed: i + 1 }));
    await h.source.put(key('2024-04'), generateBadFile('html'));
    await h.startService('scanner');
    await h.startService('capacity-manager');
    first = await h.run({ intent: 'incremental', runId: 'e2e-first' });
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('processes every good file once; a corrupt source fails with its reason and the others succeed', async () => {
    expect(first.state).toBe('completed_with_failures');
    expect({ total: first.total, done: first.done, failed: first.failed }).toEqual({ total: 4, done: 3, failed: 1 });
    expect(first.files[key('2024-04')].failure).toMatchObject({ code: 'not_parquet', reason: expect.stringMatching(/HTML/i) });
    const letters = await h.deadLetters();
    expect(letters.filter((d) => d.key === key('2024-04')).map((d) => d.code)).toEqual(['not_parquet']);
    expect(await h.sink.head(outputKey('fhvhv', '2024-04'))).toBeUndefined();
  });

  it('writes exactly one output per source whose rows are source rows minus dropped, and manifests match outputs', async () => {
    const manifests = await h.manifests();
    expect(manifests.map((m) => m.month)).toEqual(MONTHS);
    const dataKeys: string[] = [];
    for await (const o of h.sink.list('fhvhv/')) dataKeys.push(o.key);
    expect(dataKeys.sort()).toEqual(MONTHS.map((m) => outputKey('fhvhv', m)));
    for (const m of manifests) {
      const dropped = Object.values(m.dropped).reduce((a, b) => a + b, 0);
      expect(m.rowsIn).toBe(ROWS);
      const sourcePath = tempFile((await h.source.getBytes(key(m.month)))!);
      expect(dropped).toBeGreaterThan(0);
      expect(dropped).toBe(await invalidRowsBySql(sourcePath, m.month));
      expect(m.rowsOut).toBe(ROWS - dropped);
      const bytes = (await h.sink.getBytes(m.output.key))!;
      expect(bytes.length).toBe(m.output.bytes);
      const shape = await parquetShape(tempFile(bytes));
      expect(shape.rows).toBe(m.rowsOut);
      expect(shape.rowGroups.length).toBe(m.output.rowGroups);
      expect(shape.rowGroups.slice(0, -1).every((n) => n === 4_000)).toBe(true);
      expect(m.source.etag).toBe((await h.source.head(key(m.month)))!.etag);
      expect(m.runId).toBe('e2e-first');
    }
    const report = JSON.parse(Buffer.from((await h.sink.getBytes(runReportKey('e2e-first')))!).toString());
    expect(report.counts).toMatchObject({ total: 4, done: 3, failed: 1 });
    expect(report.reportVersion).toBe(2);
    const failure = first.files[key('2024-04')].failure!;
    expect(report.failures).toEqual([{ sourceKey: key('2024-04'), code: 'not_parquet', reason: failure.reason, attempt: failure.attempt }]);
  });

  it('scales workers from 0 up while there is work and back to 0 when idle', async () => {
    expect(Math.max(...h.capacityEvents.map((e) => e.to))).toBe(2);
    await waitFor(() => h.capacityEvents.at(-1)?.to === 0, { what: 'workers back to 0', timeoutMs: 20_000 });
  });

  it('a second incremental run processes 0 files and starts 0 workers', async () => {
    await h.source.delete(key('2024-04')); // the corrupt file would otherwise be retried
    await waitFor(() => h.capacityEvents.at(-1)?.to === 0, { what: 'workers at 0', timeoutMs: 20_000 });
    const eventsBefore = h.capacityEvents.length;
    const second = await h.run({ intent: 'incremental', runId: 'e2e-second' });
    expect(second).toMatchObject({ state: 'succeeded', total: 0, done: 0 });
    // Give the capacity manager a few polls to (not) react.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.capacityEvents.slice(eventsBefore).filter((e) => e.to > 0)).toEqual([]);
  });

  it('replacing one source object (new ETag) makes the next incremental run process exactly that file', async () => {
    const before = (await h.source.head(key('2024-02')))!.etag;
    await h.source.put(key('2024-02'), generateFhvhvParquet({ month: '2024-02', rows: ROWS + 500, seed: 99 }));
    expect((await h.source.head(key('2024-02')))!.etag).not.toBe(before);
    const third = await h.run({ intent: 'incremental', runId: 'e2e-third' });
    expect(third).toMatchObject({ state: 'succeeded', total: 1, done: 1 });
    expect(Object.entries(third.files).map(([k, f]) => [k, f.reason])).toEqual([[key('2024-02'), 'source_changed']]);
    const feb = (await h.manifests()).find((m) => m.month === '2024-02')!;
    expect(feb).toMatchObject({ rowsIn: ROWS + 500, runId: 'e2e-third' });
  });

  it('test_subset writes only under the test prefix', async () => {
    const production = async () => {
      const all: string[] = [];
      for await (const o of h.sink.list()) if (!o.key.startsWith('_test/')) all.push(`${o.key}@${o.etag}`);
      return all.filter((k) => !k.startsWith('_sluice/runs/')).sort();
    };
    const before = await production();
    const subset = await h.run({ intent: 'test_subset', runId: 'e2e-subset' });
    expect(subset).toMatchObject({ state: 'succeeded', total: 1, done: 1, target: 'test' });
    expect(await production()).toEqual(before);
    expect(await h.testSink.head(outputKey('fhvhv', '2024-01'))).toBeDefined();
    expect(await h.testSink.head(manifestKey('fhvhv', '2024-01'))).toBeDefined();
    expect(await h.testSink.head(runReportKey('e2e-subset'))).toBeDefined();
  });

  it('reprocess rewrites every output in place without duplicates and removes orphans', async () => {
    await h.source.delete(key('2024-03'));
    const reprocess = await h.run({ intent: 'reprocess', runId: 'e2e-reprocess' });
    expect(reprocess).toMatchObject({ state: 'succeeded', total: 2, done: 2 });
    expect(reprocess.orphansRemoved).toEqual([outputKey('fhvhv', '2024-03')]);
    const manifests = await h.manifests();
    expect(manifests.map((m) => [m.month, m.runId])).toEqual([
      ['2024-01', 'e2e-reprocess'],
      ['2024-02', 'e2e-reprocess'],
    ]);
    const dataKeys: string[] = [];
    for await (const o of h.sink.list('fhvhv/')) dataKeys.push(o.key);
    expect(dataKeys.sort()).toEqual([outputKey('fhvhv', '2024-01'), outputKey('fhvhv', '2024-02')]);
    await waitFor(() => h.capacityEvents.at(-1)?.to === 0, { what: 'workers back to 0 at the end', timeoutMs: 20_000 });
  });
});
