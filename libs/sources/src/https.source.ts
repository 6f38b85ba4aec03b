// The TLC's HTTPS distribution (CloudFront in front of a bucket that cannot be listed): candidates are enumerated
// by name and probed with HEAD; 403/404 means "not published"; a HEAD that keeps failing makes the candidate
// unknown — never absent. Reads are HTTP Range requests pinned to the ETag with If-Match, and checked again
// against the ETag each answer carries. Nothing is cached across runs, so a replaced file is always seen.
import { PermanentError, sameEtag, TransientError } from '@sluice/contracts';
import { downloadByRanges, validateObjectKey, type DownloadOptions, type ObjectInfo, type RangeOptions, type WholeObject } from '@sluice/storage';
import pLimit from 'p-limit';
import { classifyHttpFailure } from './http-failure';
import { describeStatus, readUpTo, type HttpAnswer } from './http-exchange';
import { HttpClient, unexpectedStatus, type HttpPolicy } from './http-request';
import { printableUrl } from './redirect-policy';
import type { ListFilter, Source, SourceListing, UnknownCandidate } from './source';
import { sourceFileOf } from './source-file';
import { tlcCandidates } from './tlc-catalog';

export interface HttpsSourceOptions extends HttpPolicy {
  /** HEAD requests in flight while listing. */
  concurrency: number;
  now?: () => Date;
}

const NOT_PUBLISHED = new Set([403, 404]);

export class HttpsSource implements Source {
  readonly kind = 'https' as const;
  readonly url: string;
  private readonly http: HttpClient;

  constructor(
    baseUrl: string,
    private readonly options: HttpsSourceOptions,
  ) {
    const parsed = new URL(baseUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`not an HTTP(S) source URL: ${baseUrl}`);
    if (parsed.username || parsed.password || parsed.search) throw new Error('an HTTP(S) source URL may not carry credentials or a query');
    this.url = parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`;
    this.http = new HttpClient(parsed, options);
  }

  async list(filter: ListFilter = {}): Promise<SourceListing> {
    const candidates = tlcCandidates(filter, this.options.now?.() ?? new Date());
    const limit = pLimit(Math.max(1, this.options.concurrency));
    const probes = await Promise.all(
      candidates.map((c) =>
        limit(async () => {
          try {
            const info = await this.head(c.key);
            return info ? { found: info, candidate: c } : { absent: true as const };
          } catch (error) {
            return { unknown: { key: c.key, reason: (error as Error).message } satisfies UnknownCandidate };
          }
        }),
      ),
    );
    const files = probes.flatMap((p) => ('found' in p && p.found ? [sourceFileOf(p.found, p.candidate)] : []));
    const unknown = probes.flatMap((p) => ('unknown' in p && p.unknown ? [p.unknown] : []));
    const absent = probes.filter((p) => 'absent' in p).length;
    return { files, ignored: [], candidates: candidates.length, absent, unknown, complete: unknown.length === 0 };
  }

  /** undefined when the file is not published (403/404); throws when that cannot be established. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    const found = await this.lookup(key);
    return 'info' in found ? found.info : undefined;
  }

  async require(key: string): Promise<ObjectInfo> {
    const found = await this.lookup(key);
    if ('info' in found) return found.info;
    throw new PermanentError('source_missing', `HEAD ${this.objectUrl(key)}: ${found.absent}: the file is not published (or not readable)`);
  }

  /** Bytes [start, endExclusive). A server that answers with the whole file instead fails it: range_not_supported. */
  async getRange(key: string, start: number, endExclusive: number, opts: RangeOptions = {}): Promise<Uint8Array> {
    if (endExclusive <= start) return new Uint8Array(0);
    return (await this.readRange(key, start, endExclusive, opts, false)) as Uint8Array;
  }

  /** Like getRange, but a server that ignores Range hands over its whole-file answer as a stream (for downloads). */
  getRangeOrWhole(key: string, start: number, endExclusive: number, opts: RangeOptions = {}): Promise<Uint8Array | WholeObject> {
    return this.readRange(key, start, endExclusive, opts, true);
  }

  /**
   * Ranged reads pinned to the ETag of one HEAD, into a temp file renamed into place. If the server ignores Range,
   * its first 200 answer is streamed to the file (checked against that HEAD's size and ETag): one whole download,
   * never one per chunk.
   */
  download(key: string, destPath: string, opts?: DownloadOptions): Promise<ObjectInfo> {
    const reader = {
      url: this.url,
      head: (k: string) => this.require(k),
      getRange: this.getRange.bind(this),
      getRangeOrWhole: this.getRangeOrWhole.bind(this),
    };
    return downloadByRanges(reader, key, destPath, opts);
  }

  private lookup(key: string): Promise<{ info: ObjectInfo } | { absent: string }> {
    const url = this.objectUrl(key);
    return this.http.request(url, { method: 'HEAD' }, async (answer) => {
      if (NOT_PUBLISHED.has(answer.status)) return { absent: await describeStatus(answer) };
      if (answer.status !== 200) throw await unexpectedStatus(answer, 'HEAD');
      answer.body.resume();
      const etag = answer.headers.etag;
      const size = Number(answer.headers['content-length'] ?? Number.NaN);
      if (!etag || !Number.isSafeInteger(size)) {
        throw new PermanentError('http_incomplete_answer', `HEAD ${url}: HTTP 200 without an ETag or a Content-Length`);
      }
      const lastModified = new Date(answer.headers['last-modified'] ?? 0);
      return { info: { key, etag, size, lastModified } };
    });
  }

  private readRange(key: string, start: number, end: number, opts: RangeOptions, wholeAllowed: boolean): Promise<Uint8Array | WholeObject> {
    const { ifMatch, signal } = opts;
    const range = `bytes=${start}-${end - 1}`;
    const headers: Record<string, string> = { range };
    if (ifMatch) headers['if-match'] = ifMatch;
    return this.http.request(this.objectUrl(key), { method: 'GET', headers, signal }, async (answer) => {
      const what = `GET ${printableUrl(answer.url)} (Range ${range})`;
      if (answer.status === 412) throw changed(what, ifMatch, `${await describeStatus(answer)}: the server says the ETag no longer matches`);
      if (NOT_PUBLISHED.has(answer.status)) {
        throw new PermanentError('source_missing', `${what}: ${await describeStatus(answer)}: the file is no longer published`);
      }
      if (answer.status !== 206 && answer.status !== 200) throw await unexpectedStatus(answer, 'GET');
      // Some servers and caches ignore If-Match: the ETag of the answer itself is checked too.
      const etag = answer.headers.etag;
      if (ifMatch && etag && !sameEtag(etag, ifMatch)) throw changed(what, ifMatch, `HTTP ${answer.status} with ETag ${etag}`);
      if (answer.status === 206) return readPartial(answer, start, end, what);
      if (wholeAllowed) return { whole: streamWhole(answer, this.options.timeoutMs, what) };
      return readWholeAsRange(answer, start, end, what);
    });
  }

  private objectUrl(key: string): string {
    return this.url + validateObjectKey(key).split('/').map(encodeURIComponent).join('/');
  }
}

/** A 206 answer: exactly the range it announces, which must start where asked and end no later; not a byte more. */
async function readPartial(answer: HttpAnswer, start: number, end: number, what: string): Promise<Uint8Array> {
  const announced = answer.headers['content-range'];
  let expected = end - start;
  if (announced !== undefined) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(announced);
    if (!m || Number(m[1]) !== start || Number(m[2]) < start || Number(m[2]) >= end) {
      throw new PermanentError('http_wrong_range', `${what}: HTTP 206 with Content-Range "${announced.slice(0, 80)}", not the range asked for`);
    }
    expected = Number(m[2]) - start + 1;
  }
  const { bytes, overflow } = await readUpTo(answer.body, expected);
  if (overflow) {
    throw new PermanentError('http_answer_too_long', `${what}: HTTP 206 with more than the ${expected} bytes asked for; stopped reading there`);
  }
  return bytes;
}

/**
 * A 200 answer to a Range request is the whole file. Only a read of the whole file may use it; any other read fails at
 * once, before the body is read, instead of downloading the whole file for every range.
 */
async function readWholeAsRange(answer: HttpAnswer, start: number, end: number, what: string): Promise<Uint8Array> {
  const length = Number(answer.headers['content-length'] ?? Number.NaN);
  if (start === 0 && (Number.isNaN(length) || length === end)) {
    const { bytes, overflow } = await readUpTo(answer.body, end);
    if (!overflow) return bytes;
  }
  answer.body.destroy();
  throw new PermanentError(
    'range_not_supported',
    `${what}: HTTP 200 with the whole file${Number.isNaN(length) ? '' : ` (${length} bytes)`}: the server does not support ranged reads`,
  );
}

/** The body of a 200 answer, handed over as it arrives; a pause of timeoutMs fails it (no deadline on the whole). */
async function* streamWhole(answer: HttpAnswer, idleMs: number, what: string): AsyncGenerator<Uint8Array> {
  answer.body.setTimeout(idleMs, () => answer.body.destroy(new TransientError('http_timeout', `${what}: no data for ${idleMs} ms`)));
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    throw classifyHttpFailure(error, { what, timeoutMs: idleMs, timedOut: false });
  } finally {
    answer.body.destroy();
  }
}

function changed(what: string, expected: string | undefined, detail: string): PermanentError {
  return new PermanentError('source_changed', `${what}: expected ETag ${expected}: ${detail}`);
}
