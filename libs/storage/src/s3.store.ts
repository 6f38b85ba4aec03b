// ObjectStore over an S3 bucket (AWS, MinIO, s3rver). Multipart uploads via lib-storage, ranged reads
// pinned to an ETag, every SDK failure classified transient/permanent with the store URL and key in it.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PermanentError, sameEtag, TransientError } from '@sluice/contracts';
import { classifyFsError } from './fs-errors';
import { validateKeyPrefix, validateObjectKey } from './object-key';
import {
  assertByteRange,
  type DownloadOptions,
  type ObjectInfo,
  type ObjectWriter,
  type RangeOptions,
  type ObjectStore,
  type S3ConnectionOptions,
} from './object-store';
import { downloadByRanges } from './ranged-download';
import { classifyS3Error } from './s3-errors';

const MIN_PART_BYTES = 8 * 1024 * 1024; // S3's floor is 5 MiB; 8 MiB matches the AWS CLI
const MAX_PARTS = 10_000;
const UPLOAD_CONCURRENCY = 4;

export interface S3StoreOptions {
  bucket: string;
  /** '' (the whole bucket) or a key prefix ending in '/'. */
  prefix?: string;
  /** Share a client between stores, or instrument one (tests inject faults through its middleware stack). */
  client?: S3Client;
  /** Used to build a client when `client` is not given. */
  connection?: S3ConnectionOptions;
  /** ListObjectsV2 MaxKeys (default and S3 maximum 1000). */
  listPageSize?: number;
}

/**
 * An S3 client with our defaults; custom endpoints (MinIO, s3rver) get path-style and no default checksums. The options
 * are the whole configuration (libs/config's s3OptionsOf builds them); only the SDK's default credential chain, used
 * when no keys are given, looks further (role, profile, its own environment variables).
 */
export function createS3Client(options: S3ConnectionOptions = {}): S3Client {
  const custom = options.endpoint !== undefined;
  const { accessKeyId, secretAccessKey, sessionToken } = options;
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken } : undefined,
    forcePathStyle: options.forcePathStyle ?? custom,
    maxAttempts: options.maxAttempts ?? 3,
    // throwOnRequestTimeout: without it, recent SDKs only log a warning and a stalled answer hangs forever.
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 60_000, connectionTimeout: 10_000, throwOnRequestTimeout: true },
    // Non-AWS servers reject or mangle the flexible checksums the SDK sends by default since 2025.
    ...(custom ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  });
}

export class S3Store implements ObjectStore {
  readonly url: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly listPageSize: number;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    if (this.prefix !== '' && !this.prefix.endsWith('/')) this.prefix += '/';
    if (this.prefix !== '') validateKeyPrefix(this.prefix);
    this.url = `s3://${this.bucket}/${this.prefix}`;
    this.client = options.client ?? createS3Client(options.connection);
    this.listPageSize = options.listPageSize ?? 1000;
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    validateKeyPrefix(prefix);
    let continuationToken: string | undefined;
    do {
      const page = await this.attempt(`LIST ${this.url}${prefix}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            MaxKeys: this.listPageSize,
            ContinuationToken: continuationToken,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        // "folder/" markers made by consoles are not objects in our model.
        if (!object.Key || object.Key.endsWith('/')) continue;
        yield {
          key: object.Key.slice(this.prefix.length),
          etag: object.ETag ?? '',
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !continuationToken) {
        throw new TransientError('storage_unavailable', `LIST ${this.url}${prefix} failed: truncated page without a continuation token`);
      }
    } while (continuationToken);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const action = `HEAD ${this.url}${key}`;
    const Key = this.fullKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { key, etag: out.ETag ?? '', size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    } catch (error) {
      // A HEAD response has no body, so a missing bucket also looks like a 404 here.
      if (isNotFound(error)) return undefined;
      throw classifyS3Error(error, action);
    }
  }

  async getRange(key: string, start: number, endExclusive: number, opts: RangeOptions = {}): Promise<Uint8Array> {
    assertByteRange(start, endExclusive);
    const action = `GET ${this.url}${key} bytes [${start}, ${endExclusive})`;
    const Key = this.fullKey(key);
    if (start === endExclusive) return new Uint8Array(0); // HTTP cannot ask for an empty range
    opts.signal?.throwIfAborted();
    return this.attempt(action, async () => {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${start}-${endExclusive - 1}`, IfMatch: opts.ifMatch }),
        { abortSignal: opts.signal },
      );
      // Servers that ignore If-Match (s3rver does) still tell us which version they sent.
      if (opts.ifMatch !== undefined && out.ETag && !sameEtag(out.ETag, opts.ifMatch)) {
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new PermanentError('source_changed', `${action} failed: ETag is ${out.ETag}, expected ${opts.ifMatch}`);
      }
      const bytes = await readBody(out);
      if (bytes.length <= endExclusive - start) return bytes;
      // More than we asked for: the server ignored or widened the range (s3rver answers `bytes=0-0` with the
      // whole object). Cut our range out of what it says it sent.
      const sentFrom = out.ContentRange ? Number(/^bytes (\d+)-/.exec(out.ContentRange)?.[1]) : 0;
      if (!Number.isSafeInteger(sentFrom) || sentFrom > start) {
        throw new PermanentError('range_not_supported', `${action} failed: the server sent ${out.ContentRange ?? 'the whole object'}`);
      }
      return bytes.subarray(start - sentFrom, endExclusive - sentFrom);
    }, opts.signal);
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    const action = `GET ${this.url}${key}`;
    const Key = this.fullKey(key);
    try {
      return await readBody(await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key })));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw classifyS3Error(error, action);
    }
  }

  download(key: string, destPath: string, opts?: DownloadOptions): Promise<ObjectInfo> {
    return downloadByRanges(this, key, destPath, opts);
  }

  async put(key: string, body: Uint8Array | string, opts: { contentType?: string } = {}): Promise<void> {
    const Key = this.fullKey(key);
    await this.attempt(`PUT ${this.url}${key}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
          ContentType: opts.contentType,
        }),
      ),
    );
  }

  /**
   * A multipart upload fed as the bytes come (parts of 8 MiB, 4 in flight): S3 shows the object only when
   * commit() completes it; abort() aborts the upload, so no part outlives a failure. Memory: the parts in flight.
   */
  openWriter(key: string, opts: { contentType?: string } = {}): ObjectWriter {
    const name = `${this.url}${key}`;
    const action = `upload to ${name}`;
    const Key = this.fullKey(key);
    const body = new PassThrough({ highWaterMark: MIN_PART_BYTES });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body, ContentType: opts.contentType },
      partSize: MIN_PART_BYTES,
      queueSize: UPLOAD_CONCURRENCY,
      leavePartsOnError: true, // we abort ourselves, as in upload()
    });
    let failure: Error | undefined;
    let state: 'open' | 'committed' | 'aborted' = 'open';
    let bytes = 0;
    const done = upload.done().catch((error: unknown) => {
      failure ??= classifyS3Error(error, action);
      throw failure;
    });
    done.catch(() => undefined); // observed by write() and commit()
    const abort = async () => {
      if (state !== 'open') return;
      state = 'aborted';
      body.destroy();
      await done.catch(() => undefined);
      // A failed abort is not reported over the error that caused it: the parts stay invisible, and the
      // sink bucket's lifecycle rule for incomplete multipart uploads removes them.
      if (upload.uploadId) await this.abortMultipart(Key, upload.uploadId);
    };
    return {
      name,
      async write(chunk) {
        if (failure) throw failure;
        if (state !== 'open') throw new Error(`${name}: write after commit or abort`);
        bytes += chunk.length;
        if (body.write(chunk)) return;
        await Promise.race([once(body, 'drain'), done]);
        if (failure) throw failure;
      },
      async commit() {
        if (failure) throw failure;
        body.end();
        const out = await done;
        state = 'committed';
        return { bytes, etag: out.ETag ?? '' };
      },
      abort,
    };
  }

  /** Multipart when the file is larger than one part; S3 shows the object only on completion, and a failed upload is aborted. */
  async upload(key: string, sourcePath: string, opts: { contentType?: string } = {}): Promise<{ size: number; etag: string }> {
    const action = `upload ${sourcePath} to ${this.url}${key}`;
    const Key = this.fullKey(key);
    let size: number;
    try {
      size = (await stat(sourcePath)).size;
    } catch (error) {
      throw classifyFsError(error, action);
    }
    const body = createReadStream(sourcePath);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body, ContentLength: size, ContentType: opts.contentType },
      partSize: Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS)),
      queueSize: UPLOAD_CONCURRENCY,
      // We abort ourselves: lib-storage lets a failed abort replace the error that caused it.
      leavePartsOnError: true,
    });
    try {
      const out = await upload.done();
      const etag = out.ETag ?? (await this.head(key))?.etag ?? '';
      return { size, etag };
    } catch (error) {
      const abortFailure = upload.uploadId ? await this.abortMultipart(Key, upload.uploadId) : undefined;
      const readingSourceFailed = (error as NodeJS.ErrnoException).path === sourcePath;
      const classified = readingSourceFailed ? classifyFsError(error, action) : classifyS3Error(error, action);
      if (abortFailure) {
        classified.message += ` (aborting multipart upload ${upload.uploadId} also failed: ${abortFailure}; its parts stay until a lifecycle rule removes them)`;
      }
      throw classified;
    } finally {
      body.destroy();
    }
  }

  /** Returns why the abort failed, or undefined when it worked. */
  private async abortMultipart(Key: string, UploadId: string): Promise<string | undefined> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }));
      return undefined;
    } catch (error) {
      const e = error as { name?: string; message?: string };
      return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
    }
  }

  async delete(key: string): Promise<void> {
    const action = `DELETE ${this.url}${key}`;
    const Key = this.fullKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw classifyS3Error(error, action);
    }
  }

  private fullKey(key: string): string {
    validateObjectKey(key);
    return this.prefix === '' ? key : validateObjectKey(this.prefix + key);
  }

  private async attempt<T>(action: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // abandoned on purpose (a deadline): the caller's reason, not a network error to retry
      if (signal?.aborted) throw signal.reason;
      throw classifyS3Error(error, action);
    }
  }
}

async function readBody(out: GetObjectCommandOutput): Promise<Uint8Array> {
  if (!out.Body) return new Uint8Array(0);
  return out.Body.transformToByteArray();
}

/** The object is absent — not the bucket, which must stay an error. */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (e?.name === 'NoSuchBucket') return false;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
