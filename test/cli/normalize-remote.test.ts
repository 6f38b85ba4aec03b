// `sluice normalize` on URLs, as a user runs it (the built CLI): an S3 object or an HTTPS file read by ranges as
// the engine decodes, an S3 output streamed as a multipart upload, a quarantine file; the bytes are those of a
// local run; a signal while the s3:// outputs are being committed. Real s3rver (behind the fault proxy for that one)
// and a CloudFront-like HTTP server. Needs `npm run build`.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { appEntry } from '@sluice/embedded';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { type ObjectStore, openObjectStore } from '@sluice/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudFrontLike, type TestS3, startCloudFrontLike, startS3FaultProxy, startTestS3, waitFor } from '../support';

const run = promisify(execFile);
const NAME = 'fhvhv_tripdata_2024-05.parquet';

/** The lines of stderr that report a failure (the AWS SDK's Node-version notice on Node 20 is not one). */
const errorsIn = (stderr: string) =>
  stderr.split('\n').filter((line) => line.startsWith('sluice') || (/error/i.test(line) && !line.includes('NodeVersionSupportWarning')));

describe('sluice normalize with s3:// and https:// locations', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-remote-'));
  let s3: TestS3;
  let cloudfront: CloudFrontLike;
  let bucket: ObjectStore;
  let source: Uint8Array;
  let localOutput: Buffer;
  let localQuarantine: Buffer;

  async function sluice(...args: string[]) {
    const env = {
      PATH: process.env.PATH,
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    try {
      const { stdout, stderr } = await run(process.execPath, [appEntry('cli'), ...args], { env, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  beforeAll(async () => {
    s3 = await startTestS3(['tlc-mirror', 'sink']);
    cloudfront = await startCloudFrontLike();
    // 3 MiB-ish of snappy pages in one row group: the decoder reads it in many 1 MiB slices
    source = generateFhvhvParquet({ month: '2024-05', rows: 60_000, invalidFraction: 0.01 });
    bucket = openObjectStore('s3://tlc-mirror/', s3.connection);
    await bucket.put(`trip data/${NAME}`, source);
    cloudfront.publish(NAME, source);
    const input = path.join(dir, NAME);
    fs.writeFileSync(input, source);
    const local = await sluice('normalize', input, path.join(dir, 'local.parquet'), '--quarantine', path.join(dir, 'local-q.parquet'));
    expect(local.code).toBe(0);
    localOutput = fs.readFileSync(path.join(dir, 'local.parquet'));
    localQuarantine = fs.readFileSync(path.join(dir, 'local-q.parquet'));
  }, 120_000);
  afterAll(async () => {
    await cloudfront?.stop();
    await s3?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('s3:// in, s3:// out (and quarantine): the same bytes as a local run', async () => {
    const r = await sluice(
      'normalize',
      `s3://tlc-mirror/trip data/${NAME}`,
      's3://sink/fhvhv/year=2024/month=05/fhvhv_2024-05.parquet',
      '--quarantine',
      's3://sink/_quarantine/fhvhv_2024-05.parquet',
    );
    expect(errorsIn(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(fhvhv.v1, month 2024-05)');
    expect(r.stdout).toMatch(/quarantined {6}600 rows/);
    const sink = openObjectStore('s3://sink/', s3.connection);
    expect(Buffer.from((await sink.getBytes('fhvhv/year=2024/month=05/fhvhv_2024-05.parquet'))!).equals(localOutput)).toBe(true);
    expect(Buffer.from((await sink.getBytes('_quarantine/fhvhv_2024-05.parquet'))!).equals(localQuarantine)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(s3.secretAccessKey);
  });

  it('https:// in, read by ranged GETs pinned to the ETag, never downloaded whole', async () => {
    cloudfront.requests.length = 0;
    const output = path.join(dir, 'from-https.parquet');
    const r = await sluice('normalize', `${cloudfront.url}${NAME}`, output);
    expect(errorsIn(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(output).equals(localOutput)).toBe(true);
    const gets = cloudfront.requests.filter((q) => q.method === 'GET');
    expect(gets.length).toBeGreaterThan(3);
    for (const get of gets) {
      expect(get.status).toBe(206);
      const [from, to] = get.range!.replace('bytes=', '').split('-').map(Number);
      expect(to - from + 1).toBeLessThan(source.length);
    }
  });

  it('a file replaced while it is read fails with source_changed (transient), leaving no output', async () => {
    const output = path.join(dir, 'replaced.parquet');
    const name = 'fhvhv_tripdata_2024-06.parquet'; // its own file: no request of another test can count
    cloudfront.publish(name, generateFhvhvParquet({ month: '2024-06', rows: 60_000 }));
    cloudfront.replaceDuringRead(name, 2, generateFhvhvParquet({ month: '2024-06', rows: 60_000, seed: 99 }));
    const r = await sluice('normalize', `${cloudfront.url}${name}`, output);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/: source_changed: .*was replaced while being read/);
    expect(fs.existsSync(output)).toBe(false);
    expect(fs.existsSync(`${output}.partial`)).toBe(false);
  });

  it('a missing object fails with its reason, and an s3 output is never created', async () => {
    const r = await sluice('normalize', 's3://tlc-mirror/trip data/fhvhv_tripdata_2019-01.parquet', 's3://sink/never.parquet');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/source_missing: .*no longer there/);
    expect(await openObjectStore('s3://sink/', s3.connection).head('never.parquet')).toBeUndefined();
  });
  // The quarantine is committed first (its upload completed), then the output: the test holds the quarantine's PUT
  // (the commit phase has begun) and sends SIGTERM. The handler must wait for the commit phase to end and say that
  // both had been written (see normalize-commit.ts); the handler before it aborted the output's upload at once,
  // leaving the quarantine visible without its output.
  it('SIGTERM while the s3:// outputs are being committed: waits, both are written, exit 143 saying so', async () => {
    const proxy = await startS3FaultProxy(s3.endpoint);
    let release!: () => void;
    proxy.add({ method: 'PUT', path: /^\/sink\/held\/rejected\.parquet$/, fault: { kind: 'hold', until: new Promise<void>((r) => (release = r)) } });
    const [output, quarantine] = ['s3://sink/held/out.parquet', 's3://sink/held/rejected.parquet'];
    const env = { PATH: process.env.PATH, S3_ENDPOINT: proxy.endpoint, AWS_REGION: s3.region, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    const child = spawn(process.execPath, [appEntry('cli'), 'normalize', path.join(dir, NAME), output, '--quarantine', quarantine], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => proxy.injected.some((i) => i.fault === 'hold'), { what: 'the quarantine upload held', timeoutMs: 60_000 });
      child.kill('SIGTERM');
      release();
      expect(await exited).toBe(143);
    } finally {
      release();
      child.kill('SIGKILL');
      await proxy.stop();
    }
    expect(errorsIn(stderr)).toEqual([`sluice normalize: interrupted (SIGTERM): ${output} and ${quarantine} had been written already`]);
    const sink = openObjectStore('s3://sink/', s3.connection);
    expect(Buffer.from((await sink.getBytes('held/out.parquet'))!).equals(localOutput)).toBe(true);
    expect(Buffer.from((await sink.getBytes('held/rejected.parquet'))!).equals(localQuarantine)).toBe(true);
  });
});
