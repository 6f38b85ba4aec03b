// The HTTP source as an attacker or a broken server would try it: redirects to other hosts and to plain http, bodies
// that never end, a server that ignores Range, certificates that cannot be trusted, and error answers. Real HTTP and
// HTTPS servers on loopback (127.0.0.2 plays "another host"), a CA generated with openssl for the trusted ones, the
// built CLI and the pipeline's services where the user meets the behaviour. Each scenario records a security row.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { outputKey } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { HttpsSource, type HttpsSourceOptions } from '@sluice/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudFrontLike, startPipelineHarness, type CloudFrontLike, type PipelineHarness } from '../support';
import { recordSecurityRow } from './security-table';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sluice-http-sec-'));
const MiB = 1024 * 1024;
const NAME = 'fhvhv_tripdata_2024-01.parquet';
/** Not Parquet: the download path does not care, and a pattern shows any misplaced byte. */
const pattern = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 24) & 0xff);
const fast: HttpsSourceOptions = { concurrency: 4, timeoutMs: 5_000, attempts: 3, baseDelayMs: 10 };

/** A CA the tests trust (SOURCE_HTTP_CA_FILE), a good certificate for 127.0.0.1/127.0.0.2, and three bad ones. */
function certificates() {
  const p = (f: string) => join(dir, f);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const key = (name: string) => run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name}`);
  const sign = (name: string, sans: string, days: string) => {
    writeFileSync(p(`${name}.cnf`), `subjectAltName=${sans}\n`);
    run('x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.pem`), '-days', days, '-extfile', p(`${name}.cnf`));
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=sluice http test CA');
  key('good');
  sign('good', 'IP:127.0.0.1,IP:127.0.0.2,DNS:localhost', '2');
  key('expired');
  sign('expired', 'IP:127.0.0.1,DNS:localhost', '-1'); // notAfter a day before now
  key('wrong-name');
  sign('wrong-name', 'DNS:not-this-host.example', '2');
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('self.key'), '-out', p('self.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
  const pair = (name: string) => ({ cert: readFileSync(p(`${name}.pem`), 'utf8'), key: readFileSync(p(`${name}.key`), 'utf8') });
  return { caFile: p('ca.pem'), good: pair('good'), expired: pair('expired'), wrongName: pair('wrong-name'), selfSigned: pair('self') };
}

/**
 * A server whose answers never end (64 KiB at a time, with backpressure, up to 64 MiB so that a client that never
 * stops cannot take the machine down): `sent` is what the server managed to hand to a client that kept reading.
 */
async function startEndlessServer() {
  const CAP = 64 * MiB;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const sent = new Map<string, number>();
  const size = MiB; // what HEAD announces
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const name = req.url!.slice(req.url!.lastIndexOf('/') + 1);
    const headers = { etag: '"endless"', 'last-modified': new Date().toUTCString() };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': size }).end();
      return;
    }
    const status = Number(/^endless-(\d+)/.exec(name)?.[1] ?? 404);
    res.writeHead(status, status === 206 ? { ...headers, 'content-range': `bytes 0-1023/${size}` } : status === 200 ? headers : { 'content-type': 'text/plain' });
    let bytes = 0;
    const pump = () => {
      while (bytes < CAP) {
        bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => sent.set(name, bytes));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trip-data/`,
    sent,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Peak growth of the process's buffer memory while `work` runs (sampled every 5 ms). */
async function peakBufferGrowth<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; growth: number }> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
  try {
    const [result] = await Promise.allSettled([work()]);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    return { result, growth: peak - base };
  } finally {
    clearInterval(sampler);
  }
}

const failure = (r: PromiseSettledResult<unknown>) =>
  r.status === 'rejected' ? (r.reason as { kind?: string; code?: string; message?: string }) : { kind: 'none', code: 'resolved', message: 'resolved' };
const gets = (server: CloudFrontLike, name: string) => server.requests.filter((q) => q.method === 'GET' && q.name === name);

const certs = certificates();

describe('HTTP source: redirects', () => {
  let origin: CloudFrontLike; // https://127.0.0.1 (trusted through SOURCE_HTTP_CA_FILE)
  let plainOrigin: CloudFrontLike; // http://127.0.0.1
  let mirror: CloudFrontLike; // https://127.0.0.2, the allow-listed host
  let otherHttp: CloudFrontLike; // http://127.0.0.2
  let sameHostHttp: CloudFrontLike; // http://127.0.0.1 (another port)
  const content = pattern(200_000);

  beforeAll(async () => {
    origin = await startCloudFrontLike('/trip-data/', { tls: certs.good });
    plainOrigin = await startCloudFrontLike();
    mirror = await startCloudFrontLike('/trip-data/', { host: '127.0.0.2', tls: certs.good });
    otherHttp = await startCloudFrontLike('/trip-data/', { host: '127.0.0.2' });
    sameHostHttp = await startCloudFrontLike();
    for (const server of [origin, plainOrigin, mirror, otherHttp, sameHostHttp]) server.publish(NAME, content);
  });
  afterAll(async () => {
    for (const server of [origin, plainOrigin, mirror, otherHttp, sameHostHttp]) await server?.stop();
  });

  it('a redirect to another host is refused: permanent http_redirect_refused naming both hosts and the status; the other host gets nothing', async () => {
    plainOrigin.redirect(NAME, `${otherHttp.url}${NAME}`, 302);
    const source = new HttpsSource(plainOrigin.url, fast);
    const before = otherHttp.requests.length;
    const [read, listing] = await Promise.all([
      Promise.allSettled([source.getRange(NAME, 0, 1_000, { ifMatch: plainOrigin.etagOf(NAME) })]).then(([r]) => r),
      source.list({ datasets: ['fhvhv'], months: ['2024-01'] }),
    ]);
    const error = failure(read);
    const reached = otherHttp.requests.length - before;
    recordSecurityRow({
      area: 'http',
      scenario: 'a source redirects a ranged GET (and the HEAD) to another host (302)',
      expected: 'refused, permanent http_redirect_refused naming both hosts and the status; nothing sent to the other host',
      happened: `${error.kind} ${error.code}; requests that reached the other host: ${reached}; listing: ${listing.unknown.length} unknown, ${listing.files.length} found`,
      lost: 0,
      duplicated: 0,
      clobbered: reached,
    });
    expect(error).toMatchObject({ kind: 'permanent', code: 'http_redirect_refused' });
    expect(error.message).toContain(new URL(plainOrigin.url).host);
    expect(error.message).toContain(new URL(otherHttp.url).host);
    expect(error.message).toMatch(/HTTP 302/);
    expect(reached).toBe(0);
    expect(listing.files).toEqual([]);
    expect(listing.unknown[0].reason).toMatch(/http_redirect_refused|refused/);
  });

  it('https → http is never followed, not even to an allow-listed or the same host, and If-Match never travels in clear', async () => {
    const source = new HttpsSource(origin.url, { ...fast, caFile: certs.caFile, redirectHosts: ['127.0.0.2'] });
    const results = [];
    for (const target of [otherHttp, sameHostHttp]) {
      origin.redirect(NAME, `${target.url}${NAME}`, 301);
      const before = target.requests.length;
      const [read] = await Promise.allSettled([source.getRange(NAME, 0, 1_000, { ifMatch: origin.etagOf(NAME) })]);
      const received = target.requests.slice(before);
      results.push({ error: failure(read), received, target: new URL(target.url).host });
    }
    origin.redirect(NAME, undefined);
    const reached = results.reduce((n, r) => n + r.received.length, 0);
    const ifMatchInClear = results.reduce((n, r) => n + r.received.filter((q) => q.ifMatch).length, 0);
    recordSecurityRow({
      area: 'http',
      scenario: 'an https source redirects a ranged GET with If-Match to plain http (another allow-listed host; the same host)',
      expected: 'refused (a downgrade), permanent http_redirect_refused; no request and no If-Match over plain http',
      happened: results.map((r) => `${r.target}: ${r.error.kind} ${r.error.code}`).join('; ') + `; plain-http requests: ${reached}, with If-Match: ${ifMatchInClear}`,
      lost: 0,
      duplicated: 0,
      clobbered: reached,
    });
    for (const r of results) {
      expect(r.error).toMatchObject({ kind: 'permanent', code: 'http_redirect_refused' });
      expect(r.error.message).toMatch(/HTTP 301/);
      expect(r.error.message).toContain(r.target);
      expect(r.error.message).toMatch(/plain http|downgrade/);
    }
    expect(reached).toBe(0);
  });

  it('a redirect to an allow-listed https host is followed: the file is read there, pinned to its ETag, byte-identical', async () => {
    origin.redirect(NAME, `${mirror.url}${NAME}`, 307);
    const source = new HttpsSource(origin.url, { ...fast, caFile: certs.caFile, redirectHosts: ['127.0.0.2'] });
    const dest = join(dir, 'via-mirror.parquet');
    const before = mirror.requests.length;
    const [result] = await Promise.allSettled([source.download(NAME, dest, { chunkBytes: 64 * 1024 })]);
    origin.redirect(NAME, undefined);
    const atMirror = mirror.requests.slice(before).filter((q) => q.method === 'GET');
    const identical = result.status === 'fulfilled' && Buffer.compare(await readFile(dest), Buffer.from(content)) === 0;
    recordSecurityRow({
      area: 'http',
      scenario: 'an https source redirects to an https host on SOURCE_HTTP_REDIRECT_HOSTS (307)',
      expected: 'followed; every range read there with If-Match; the download is byte-identical',
      happened: `${result.status}; ${atMirror.length} GETs at the allow-listed host, ${atMirror.filter((q) => q.ifMatch === mirror.etagOf(NAME)).length} with If-Match; byte-identical: ${identical}`,
      lost: identical ? 0 : 1,
      duplicated: 0,
      clobbered: 0,
    });
    expect(result.status).toBe('fulfilled');
    expect(identical).toBe(true);
    expect(atMirror.map((q) => q.range)).toEqual(['bytes=0-65535', 'bytes=65536-131071', 'bytes=131072-196607', 'bytes=196608-199999']);
    expect(atMirror.every((q) => q.ifMatch === mirror.etagOf(NAME))).toBe(true);
  });

  it('a redirect loop on the same host stops after a bounded number of hops, once, as a permanent error', async () => {
    const source = new HttpsSource(origin.url, { ...fast, caFile: certs.caFile });
    origin.redirect('loop.parquet', `${origin.url}loop.parquet`, 302);
    const before = origin.requests.length;
    const [read] = await Promise.allSettled([source.getRange('loop.parquet', 0, 10)]);
    const requests = origin.requests.length - before;
    const error = failure(read);
    recordSecurityRow({
      area: 'http',
      scenario: 'a redirect loop (the file redirects to itself)',
      expected: 'a bounded number of hops, not retried: permanent http_redirect_refused',
      happened: `${error.kind} ${error.code} after ${requests} requests`,
      lost: 0,
      duplicated: 0,
      clobbered: 0,
    });
    expect(error).toMatchObject({ kind: 'permanent', code: 'http_redirect_refused' });
    expect(error.message).toMatch(/too many redirects/);
    expect(requests).toBeLessThanOrEqual(6);
  });
});

describe('HTTP source: bounded bodies', () => {
  let endless: Awaited<ReturnType<typeof startEndlessServer>>;
  beforeAll(async () => {
    endless = await startEndlessServer();
  });
  afterAll(async () => {
    await endless?.stop();
  });

  it('a 206 answer to a 1 KiB ranged GET that never ends is cut at the asked length: permanent error, no memory growth', async () => {
    const source = new HttpsSource(endless.url, fast);
    const { result, growth } = await peakBufferGrowth(() => source.getRange('endless-206.parquet', 0, 1024, { ifMatch: '"endless"' }));
    const error = failure(result);
    const sent = endless.sent.get('endless-206.parquet') ?? 0;
    recordSecurityRow({
      area: 'http',
      scenario: 'a server answers a 1 KiB ranged GET with 206 and a body that never ends',
      expected: 'reading stops at the asked length, permanent http_answer_too_long, no memory growth',
      happened: `${error.kind} ${error.code}; the server got to send ${(sent / MiB).toFixed(1)} MiB; buffer memory grew ${(growth / MiB).toFixed(1)} MiB`,
      lost: 0,
      duplicated: 0,
      clobbered: 0,
    });
    expect(error).toMatchObject({ kind: 'permanent', code: 'http_answer_too_long' });
    expect(sent).toBeLessThan(16 * MiB);
    expect(growth).toBeLessThan(16 * MiB);
  });

  it('a 200 answer (no Range support) longer than the HEAD said is cut at that size when downloading: nothing left on disk', async () => {
    const source = new HttpsSource(endless.url, fast);
    const dest = join(dir, 'endless.parquet');
    const { result, growth } = await peakBufferGrowth(() => source.download('endless-200.parquet', dest, { chunkBytes: 64 * 1024 }));
    const error = failure(result);
    const sent = endless.sent.get('endless-200.parquet') ?? 0;
    recordSecurityRow({
      area: 'http',
      scenario: 'a server answers the download\'s Range with 200 and a body longer than its HEAD\'s Content-Length (1 MiB), never ending',
      expected: 'the download stops at the announced size, permanent error, no file, no memory growth',
      happened: `${error.kind} ${error.code}; the server got to send ${(sent / MiB).toFixed(1)} MiB; buffer memory grew ${(growth / MiB).toFixed(1)} MiB; file left: ${existsSync(dest)}`,
      lost: 0,
      duplicated: 0,
      clobbered: 0,
    });
    expect(error).toMatchObject({ kind: 'permanent', code: 'http_answer_too_long' });
    expect(sent).toBeLessThan(16 * MiB);
    expect(growth).toBeLessThan(16 * MiB);
    expect(existsSync(dest)).toBe(false);
  });

  it('403 and 500 answers with endless bodies: the message carries the status, and only a few KB of the body are read', async () => {
    const source = new HttpsSource(endless.url, { ...fast, attempts: 2 });
    const outcomes = [];
    for (const name of ['endless-403.parquet', 'endless-500.parquet']) {
      const { result, growth } = await peakBufferGrowth(() => source.getRange(name, 0, 1024));
      outcomes.push({ name, error: failure(result), growth, sent: endless.sent.get(name) ?? 0 });
    }
    recordSecurityRow({
      area: 'http',
      scenario: 'a ranged GET answered 403 / 500 with a body that never ends',
      expected: 'the status in the message; a few KB of the body read, the rest refused',
      happened: outcomes.map((o) => `${o.error.kind} ${o.error.code} "${o.error.message?.slice(0, 80)}…", ${(o.sent / MiB).toFixed(1)} MiB sent`).join('; '),
      lost: 0,
      duplicated: 0,
      clobbered: 0,
    });
    expect(outcomes[0].error).toMatchObject({ kind: 'permanent', code: 'source_missing' });
    expect(outcomes[0].error.message).toMatch(/HTTP 403/);
    expect(outcomes[1].error).toMatchObject({ kind: 'transient', code: 'http_unavailable' });
    expect(outcomes[1].error.message).toMatch(/HTTP 500/);
    for (const o of outcomes) {
      expect(o.sent).toBeLessThan(16 * MiB);
      expect(o.growth).toBeLessThan(16 * MiB);
    }
  });
});

describe('HTTP source: a server that ignores Range', () => {
  let cf: CloudFrontLike;
  beforeAll(async () => {
    cf = await startCloudFrontLike();
    cf.ignoreRange();
  });
  afterAll(async () => {
    await cf?.stop();
  });

  it('a download asks once and streams that one 200 answer to the file, byte-identical and pinned to the ETag', async () => {
    const content = pattern(4 * MiB, 7);
    cf.publish(NAME, content);
    const source = new HttpsSource(cf.url, fast);
    const dest = join(dir, 'no-range.parquet');
    const [result] = await Promise.allSettled([source.download(NAME, dest, { chunkBytes: 256 * 1024 })]);
    const answers = gets(cf, NAME);
    const transferred = answers.reduce((n, q) => n + q.bytes, 0);
    const identical = result.status === 'fulfilled' && Buffer.compare(await readFile(dest), Buffer.from(content)) === 0;
    recordSecurityRow({
      area: 'http',
      scenario: 'a server answers every Range request with 200 and the whole file (4 MiB, 256 KiB chunks): download',
      expected: 'one GET streamed to the file (not one whole download per chunk), byte-identical',
      happened: `${result.status}; ${answers.length} GETs, ${(transferred / MiB).toFixed(1)} MiB transferred; byte-identical: ${identical}`,
      lost: identical ? 0 : 1,
      duplicated: Math.max(0, answers.length - 1),
      clobbered: 0,
    });
    expect(result.status).toBe('fulfilled');
    expect(identical).toBe(true);
    expect(answers).toHaveLength(1);
    expect(answers[0].ifMatch).toBe(cf.etagOf(NAME));
    expect(transferred).toBe(content.length);
  });

  it('`sluice normalize http://…` (ranged reads) fails at once with range_not_supported and a hint, instead of a whole download per read', async () => {
    const name = 'fhvhv_tripdata_2024-05.parquet';
    const bytes = generateFhvhvParquet({ month: '2024-05', rows: 60_000 });
    cf.publish(name, bytes);
    const output = join(dir, 'no-range-out.parquet');
    const r = await exec(process.execPath, [appEntry('cli'), 'normalize', `${cf.url}${name}`, output], {
      env: { PATH: process.env.PATH, SOURCE_HTTP_ATTEMPTS: '2' },
      timeout: 120_000,
    }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    const answers = gets(cf, name);
    const transferred = answers.reduce((n, q) => n + q.bytes, 0);
    recordSecurityRow({
      area: 'http',
      scenario: `\`sluice normalize http://…\` on a server without Range support (${(bytes.length / MiB).toFixed(1)} MiB file)`,
      expected: 'fails at once: range_not_supported naming the URL and the status, with a hint; at most one GET',
      happened: `exit ${r.code}; ${answers.length} GETs, ${(transferred / MiB).toFixed(1)} MiB transferred; "${/range_not_supported[^\n]*/.exec(r.stderr)?.[0].slice(0, 120) ?? r.stderr.slice(0, 120)}"`,
      lost: 0,
      duplicated: Math.max(0, answers.length - 1),
      clobbered: 0,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/range_not_supported: .*HTTP 200/);
    expect(r.stderr).toContain(`${cf.url}${name}`);
    expect(r.stderr).toMatch(/download/i);
    expect(answers).toHaveLength(1);
    expect(transferred).toBeLessThanOrEqual(bytes.length);
    expect(existsSync(output)).toBe(false);
  });
});

describe('HTTP source: certificates that cannot be trusted', () => {
  const cases = [
    { name: 'self-signed', pair: certs.selfSigned, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    { name: 'expired (signed by a trusted CA)', pair: certs.expired, code: 'CERT_HAS_EXPIRED' },
    { name: 'issued for another host (by a trusted CA)', pair: certs.wrongName, code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
  ];

  it.each(cases)('$name: permanent http_tls_certificate naming $code, after exactly one connection', async ({ name, pair, code }) => {
    const server = await startCloudFrontLike('/trip-data/', { tls: pair });
    try {
      server.publish(NAME, pattern(1_000));
      const source = new HttpsSource(server.url, { ...fast, attempts: 4, caFile: certs.caFile });
      const [read] = await Promise.allSettled([source.getRange(NAME, 0, 100)]);
      const error = failure(read);
      recordSecurityRow({
        area: 'http',
        scenario: `the source's TLS certificate is ${name} (SOURCE_HTTP_ATTEMPTS=4)`,
        expected: `permanent http_tls_certificate naming ${code}, never retried`,
        happened: `${error.kind} ${error.code}: "${error.message?.slice(error.message.indexOf('certificate'), error.message.indexOf('certificate') + 90)}"; connections: ${server.connections}`,
        lost: 0,
        duplicated: 0,
        clobbered: 0,
      });
      expect(error).toMatchObject({ kind: 'permanent', code: 'http_tls_certificate' });
      expect(error.message).toMatch(/the server's certificate/);
      expect(error.message).toContain(code);
      expect(server.connections).toBe(1);
      expect(server.requests).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe('HTTP source: the status in every HTTP error', () => {
  let cf: CloudFrontLike;
  beforeAll(async () => {
    cf = await startCloudFrontLike();
  });
  afterAll(async () => {
    await cf?.stop();
  });

  it('`sluice normalize` on a 403 and a download on a 403 say HTTP 403; a 500 says HTTP 500', async () => {
    const name = 'fhvhv_tripdata_2031-01.parquet'; // not published: the server answers 403
    const cli = await exec(process.execPath, [appEntry('cli'), 'normalize', `${cf.url}${name}`, join(dir, 'never.parquet')], {
      env: { PATH: process.env.PATH, SOURCE_HTTP_ATTEMPTS: '1' },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    const source = new HttpsSource(cf.url, { ...fast, attempts: 1 });
    const [download] = await Promise.allSettled([source.download(name, join(dir, 'never-2.parquet'))]);
    cf.publish(NAME, pattern(1_000));
    cf.failNext(NAME, 500);
    const [read] = await Promise.allSettled([source.getRange(NAME, 0, 100)]);
    cf.failNext(NAME, 500, 0);
    const cliLine = /sluice[^\n]*/.exec(cli.stderr)?.[0] ?? cli.stderr;
    const messages = [cliLine, failure(download).message ?? '', failure(read).message ?? ''];
    recordSecurityRow({
      area: 'http',
      scenario: 'a 403 on `sluice normalize https://…` and on a download; a 500 on a ranged read',
      expected: 'every message names the HTTP status',
      happened: messages.map((m) => `"${m.slice(0, 110)}"`).join('; '),
      lost: 0,
      duplicated: 0,
      clobbered: 0,
    });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/source_missing: .*HTTP 403/);
    expect(failure(download)).toMatchObject({ kind: 'permanent', code: 'source_missing' });
    expect(messages[1]).toMatch(/HTTP 403/);
    expect(messages[2]).toMatch(/HTTP 500/);
  });
});

describe('pipeline on a source without Range support (SOURCE_READ_MODE=download)', () => {
  let cf: CloudFrontLike;
  let h: PipelineHarness;
  beforeAll(async () => {
    cf = await startCloudFrontLike();
    cf.ignoreRange();
    h = await startPipelineHarness({
      env: { SOURCE_URL: cf.url, SOURCE_HTTP_TIMEOUT_MS: '5000', SOURCE_HTTP_ATTEMPTS: '2', SOURCE_READ_CHUNK_BYTES: '16384', SOURCE_READ_MODE: 'download' },
    });
    await h.startService('scanner');
    await h.startService('capacity-manager');
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await cf?.stop();
  });

  it('the transformer downloads the file once and commits it once', async () => {
    const bytes = generateFhvhvParquet({ month: '2024-01', rows: 3_000, seed: 3 });
    const etag = cf.publish(NAME, bytes);
    const record = await h.run({ intent: 'incremental', datasets: ['fhvhv'], months: ['2024-01'], runId: 'no-range-1' }, 120_000);
    const answers = gets(cf, NAME);
    const transferred = answers.reduce((n, q) => n + q.bytes, 0);
    const manifest = (await h.manifests()).find((m) => m.month === '2024-01');
    const started = h.fileEvents.filter((e) => e.runId === 'no-range-1' && e.type === 'started').length;
    recordSecurityRow({
      area: 'http',
      scenario: `the pipeline (download mode, 16 KiB chunks) on a server that ignores Range (${(bytes.length / 1024).toFixed(0)} KiB file)`,
      expected: 'one GET of the whole file, committed once',
      happened: `run ${record.state}; ${answers.length} GETs, ${(transferred / 1024).toFixed(0)} KiB transferred; ${started} attempt(s); manifest ETag ${manifest?.source.etag === etag ? 'matches' : 'differs'}`,
      lost: record.done === 1 ? 0 : 1,
      duplicated: Math.max(0, answers.length - 1),
      clobbered: 0,
    });
    expect(record).toMatchObject({ state: 'succeeded', done: 1, failed: 0 });
    expect(manifest?.source.etag).toBe(etag);
    expect(manifest?.rowsIn).toBe(3_000);
    expect(await h.sink.head(outputKey('fhvhv', '2024-01'))).toBeDefined();
    expect(started).toBe(1);
    expect(answers).toHaveLength(1);
    expect(transferred).toBe(bytes.length);
  });
});
