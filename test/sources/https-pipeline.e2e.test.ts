// The pipeline against the TLC's HTTPS distribution, played by a CloudFront-like server on loopback, with the
// real nats-server, the S3-compatible sink and the service processes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { outputKey, PlanPreviewSchema, STREAMS, type RunRecord } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { generateFhvhvParquet, generateYellowParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudFrontLike, startPipelineHarness, type CloudFrontLike, type PipelineHarness } from '../support';

const exec = promisify(execFile);
const name = (month: string) => `fhvhv_tripdata_${month}.parquet`;
const file = (month: string, rows: number, seed: number) => generateFhvhvParquet({ month, rows, seed });
const processed = (r: RunRecord) => Object.entries(r.files).map(([k, f]) => `${k}:${f.reason}`).sort();

describe('pipeline on the HTTPS (CloudFront-like) source', () => {
  let cf: CloudFrontLike;
  let h: PipelineHarness;
  let n = 0;
  const run = (request: Parameters<PipelineHarness['run']>[0]) => h.run(request, 120_000);
  const runId = () => `https-${++n}`;
  const dryRun = async (...args: string[]) => {
    const { stdout } = await exec(process.execPath, [appEntry('cli'), 'run', '--dry-run', '--json', ...args], {
      env: h.cliEnv(),
    });
    return PlanPreviewSchema.parse(JSON.parse(stdout));
  };
  const streamCounts = async () =>
    Promise.all([STREAMS.control, STREAMS.work, STREAMS.events, STREAMS.dlq].map(async (s) => (await h.jsm.streams.info(s)).state.messages));

  beforeAll(async () => {
    cf = await startCloudFrontLike();
    cf.publish(name('2024-01'), file('2024-01', 3_000, 1));
    cf.publish(name('2024-02'), file('2024-02', 3_000, 2));
    cf.publish('yellow_tripdata_2024-01.parquet', generateYellowParquet({ month: '2024-01', rows: 2_000, seed: 7 })); // another dataset, same run
    h = await startPipelineHarness({
      env: { SOURCE_URL: cf.url, SOURCE_HTTP_TIMEOUT_MS: '2000', SOURCE_HTTP_ATTEMPTS: '2', SOURCE_READ_CHUNK_BYTES: '16384' },
    });
    await h.startService('scanner');
    await h.startService('capacity-manager');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await cf?.stop();
  });

  it('--dry-run publishes nothing and lists the same files the real run then processes: exactly the published months', async () => {
    const before = await streamCounts();
    const preview = await dryRun('--intent', 'incremental');
    expect(await streamCounts()).toEqual(before);
    expect(preview.files.map((f) => `${f.key}:${f.reason}`)).toEqual([
      `${name('2024-01')}:new`,
      `${name('2024-02')}:new`,
      'yellow_tripdata_2024-01.parquet:new',
    ]);
    expect(preview.source).toMatchObject({ url: cf.url, found: 3, unknown: [], complete: true });
    expect(preview.source.absent).toBe(preview.source.candidates - 3);
    expect(preview.unsupported).toEqual([]);

    const first = await run({ intent: 'incremental', runId: runId() });
    expect(first).toMatchObject({ state: 'succeeded', total: 3, done: 3 });
    expect(processed(first)).toEqual(preview.files.map((f) => `${f.key}:${f.reason}`));
    expect(first.sourceListing).toEqual(preview.source);
  });

  it('a newly published month makes the next incremental run process that file only', async () => {
    cf.publish(name('2024-03'), file('2024-03', 3_000, 3));
    const r = await run({ intent: 'incremental', runId: runId() });
    expect(processed(r)).toEqual([`${name('2024-03')}:new`]);
    expect(r.state).toBe('succeeded');
  });

  it('a replaced file (new ETag) is reprocessed by the next incremental run', async () => {
    const etag = cf.publish(name('2024-01'), file('2024-01', 3_500, 11));
    const r = await run({ intent: 'incremental', runId: runId() });
    expect(processed(r)).toEqual([`${name('2024-01')}:source_changed`]);
    const jan = (await h.manifests()).find((m) => m.month === '2024-01')!;
    expect(jan.source.etag).toBe(etag);
    expect(jan.rowsIn).toBe(3_500);
  });

  it('a file replaced mid-read is retried, and the output matches the new version', async () => {
    const newer = file('2024-02', 4_000, 22);
    cf.replaceDuringRead(name('2024-02'), 1, newer);
    const r = await run({ intent: 'reprocess', months: ['2024-02'], runId: runId() });
    expect(r).toMatchObject({ state: 'succeeded', done: 1, failed: 0 });
    const feb = (await h.manifests()).find((m) => m.month === '2024-02')!;
    expect(feb.source.etag).toBe(cf.etagOf(name('2024-02')));
    expect(feb.rowsIn).toBe(4_000);
    expect(cf.requests.some((q) => q.name === name('2024-02') && q.status === 412)).toBe(true);
    expect(h.fileEvents.filter((e) => e.runId === r.runId && e.type === 'started').length).toBeGreaterThanOrEqual(2);
  });

  it('HEAD failures during reprocess leave those outputs untouched, remove nothing, and are reported', async () => {
    const before = await h.manifests();
    cf.failNext(name('2024-03'), 503);
    cf.unpublish(name('2024-02')); // truly gone, but the listing is incomplete: its output must stay too
    try {
      const preview = await dryRun('--intent', 'reprocess', '--dataset', 'fhvhv');
      expect(preview.orphans).toEqual([]);
      const r = await run({ intent: 'reprocess', datasets: ['fhvhv'], runId: runId() });
      expect(processed(r)).toEqual(preview.files.map((f) => `${f.key}:${f.reason}`));
      expect(processed(r)).toEqual([`${name('2024-01')}:reprocess`]);
      expect(r.orphansRemoved).toEqual([]);
      expect(r.sourceListing.complete).toBe(false);
      expect(r.sourceListing.unknown.map((u) => u.key)).toEqual([name('2024-03')]);
      expect(r.sourceListing.unknown[0].reason).toMatch(/HTTP 503/);
      const after = await h.manifests();
      for (const month of ['2024-02', '2024-03']) {
        expect(after.find((m) => m.month === month)).toEqual(before.find((m) => m.month === month));
        expect(await h.sink.head(outputKey('fhvhv', month))).toBeDefined();
      }
      const report = JSON.parse(Buffer.from((await h.sink.getBytes(`_sluice/runs/${r.runId}.json`))!).toString());
      expect(report.sourceListing.unknown).toEqual(r.sourceListing.unknown);
    } finally {
      cf.failNext(name('2024-03'), 503, 0);
    }
  });
});
