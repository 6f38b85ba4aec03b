// The TLC's HTTPS distribution (CloudFront in front of a bucket that cannot be listed): candidates are enumerated
// by name and probed with HEAD; 403/404 means "not published"; a HEAD that keeps failing makes the candidate
// unknown — never absent. Reads are HTTP Range requests pinned to the ETag with If-Match, and checked again
// against the ETag each answer carries. Nothing is cached across runs, so a replaced file is always seen.
import { PermanentError } from '@sluice/contracts';
import { downloadByRanges, sameEtag, validateObjectKey, type DownloadOptions, type ObjectInfo } from '@sluice/storage';
import pLimit from 'p-limit';
import { requestWithRetries, unexpectedStatus, type RetryPolicy } from './http-request';
import type { ListFilter, Source, SourceListing, UnknownCandidate } from './source';
import { tlcCandidates } from './tlc-catalog';

export interface HttpsSourceOptions extends RetryPolicy {
  /** HEAD requests in flight while listing. */
  concurrency: number;
  now?: () => Date;
}

const NOT_PUBLISHED = new Set([403, 404]);

export class HttpsSource implements Source {
  readonly kind = 'https' as const;
  readonly url: string;

  constructor(
    baseUrl: string,
    private readonly options: HttpsSourceOptions,
  ) {
    const parsed = new URL(baseUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`not an HTTP(S) source URL: ${baseUrl}`);
    if (parsed.username || parsed.password || parsed.search) throw new Error('an HTTP(S) source URL may not carry credentials or a query');
    this.url = parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`;
  }

  async list(filter: ListFilter = {}): Promise<SourceListing> {
    const candidates = tlcCandidates(filter, this.options.now?.() ?? new Date());
    const limit = pLimit(Math.max(1, this.options.concurrency));
    const probes = await Promise.all(
      candidates.map((c) =>
        limit(async () => {
          try {
            const info = await this.head(c.key);
            return info ? { found: info } : { absent: true as const };
          } catch (error) {
            return { unknown: { key: c.key, reason: (error as Error).message } satisfies UnknownCandidate };
          }
        }),
      ),
    );
    const objects = probes.flatMap((p) => ('found' in p && p.found ? [p.found] : []));
    const unknown = probes.flatMap((p) => ('unknown' in p && p.unknown ? [p.unknown] : []));
    const absent = probes.filter((p) => 'absent' in p).length;
    return { objects, candidates: candidates.length, absent, unknown, complete: unknown.length === 0 };
  }

  /** undefined when the file is not published (403/404); throws when that cannot be established. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    const url = this.objectUrl(key);
    const answer = await requestWithRetries(url, { method: 'HEAD' }, this.options);
    if (NOT_PUBLISHED.has(answer.status)) return undefined;
    if (answer.status !== 200) throw unexpectedStatus('HEAD', url, answer.status);
    const etag = answer.headers.get('etag');
    const size = Number(answer.headers.get('content-length'));
    if (!etag || !Number.isSafeInteger(size)) {
      throw new PermanentError('http_incomplete_answer', `HEAD ${url}: the answer has no ETag or Content-Length`);
    }
    const lastModified = new Date(answer.headers.get('last-modified') ?? 0);
    return { key, etag, size, lastModified };
  }

  async getRange(key: string, start: number, endExclusive: number, opts: { ifMatch?: string } = {}): Promise<Uint8Array> {
    if (endExclusive <= start) return new Uint8Array(0);
    const url = this.objectUrl(key);
    const headers: Record<string, string> = { range: `bytes=${start}-${endExclusive - 1}` };
    if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
    const answer = await requestWithRetries(url, { method: 'GET', headers }, this.options);
    if (answer.status === 412) throw changed(url, opts.ifMatch, 'the server says the ETag no longer matches');
    if (NOT_PUBLISHED.has(answer.status)) {
      throw new PermanentError('source_missing', `GET ${url}: HTTP ${answer.status}: the file is no longer published`);
    }
    if (answer.status !== 206 && answer.status !== 200) throw unexpectedStatus('GET', url, answer.status);
    // Some servers and caches ignore If-Match: the ETag of the answer itself is checked too.
    const etag = answer.headers.get('etag');
    if (opts.ifMatch && etag && !sameEtag(etag, opts.ifMatch)) throw changed(url, opts.ifMatch, `the answer carries ETag ${etag}`);
    // A server that ignores Range answers 200 with the whole file: keep only what was asked for.
    return answer.status === 200 ? answer.body.subarray(start, endExclusive) : answer.body;
  }

  download(key: string, destPath: string, opts?: DownloadOptions): Promise<ObjectInfo> {
    return downloadByRanges(this, key, destPath, opts);
  }

  private objectUrl(key: string): string {
    return this.url + validateObjectKey(key).split('/').map(encodeURIComponent).join('/');
  }
}

function changed(url: string, expected: string | undefined, detail: string): PermanentError {
  return new PermanentError('source_changed', `GET ${url}: expected ETag ${expected}: ${detail}`);
}
