// The one interface every service uses for buckets and local folders (sources, sinks, manifests, reports).
// Implementations: S3Store (s3.store.ts) and FsStore (fs.store.ts); pick one from a URL with openObjectStore.
import { PermanentError } from '@sluice/contracts';

export interface ObjectInfo {
  /** Relative to the store root. */
  key: string;
  /** Changes whenever the content changes; compare with `sameEtag` from contracts (quotes are not significant). */
  etag: string;
  size: number;
  lastModified: Date;
}

export interface S3ConnectionOptions {
  /** Custom endpoint (MinIO, s3rver); path-style addressing is then the default. */
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  forcePathStyle?: boolean;
  /** SDK attempts per request, retries included (default 3). */
  maxAttempts?: number;
  /** Socket inactivity timeout per request (default 60 s). */
  requestTimeoutMs?: number;
}

export interface RangeOptions {
  /** Only this version: a changed object fails with `source_changed`. */
  ifMatch?: string;
  /** Abandons the read; it then fails with the signal's reason. */
  signal?: AbortSignal;
}

export interface DownloadOptions {
  /** Size of each ranged read (default 8 MiB). */
  chunkBytes?: number;
  /** Fail with PermanentError('source_changed') unless the object still has this ETag. */
  expectedEtag?: string;
  /** Stops the download (between chunks, and the read in flight where the store can) with the signal's reason. */
  signal?: AbortSignal;
  /** Awaited after each chunk is written: progress bars, and tests that change the object mid-download. */
  onProgress?: (bytesDone: number, totalBytes: number) => void | Promise<void>;
}

/**
 * A streamed write of one object: nothing is visible at its key until commit() (S3: the multipart upload
 * completes; a folder: a temp file is renamed). abort() discards what was written. Same shape as the
 * normalization engine's OutputSink.
 */
export interface ObjectWriter {
  /** `s3://bucket/key` or `file:///…`: never contains credentials. */
  readonly name: string;
  /** Resolves when the writer can take more (backpressure); rejects once the write has failed. */
  write(chunk: Uint8Array): Promise<void>;
  commit(): Promise<{ bytes: number; etag: string }>;
  /** Safe after a failure and more than once; does nothing after a successful commit. */
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** Where this store points, for logs and reports: `s3://bucket/prefix/` or `file:///dir/` — never contains credentials. */
  readonly url: string;
  /** Every object under `prefix` (relative to the store root), paginated under the hood; keys returned relative to the store root, in key order. */
  list(prefix?: string): AsyncIterable<ObjectInfo>;
  /** undefined when absent. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Bytes [start, endExclusive), fewer if the object ends first. With ifMatch, fails with PermanentError('source_changed') if the object's ETag differs. */
  getRange(key: string, start: number, endExclusive: number, opts?: RangeOptions): Promise<Uint8Array>;
  /** Whole small object (manifests, reports); undefined when absent. */
  getBytes(key: string): Promise<Uint8Array | undefined>;
  /** Downloads by ranged reads into destPath, pinned to the ETag from a HEAD at the start (ifMatch on every range). Returns the info it pinned. destPath appears only when complete. */
  download(key: string, destPath: string, opts?: DownloadOptions): Promise<ObjectInfo>;
  /** Small object, written atomically. */
  put(key: string, body: Uint8Array | string, opts?: { contentType?: string }): Promise<void>;
  /** Streams a local file to key. No partial object is ever visible at key. */
  upload(key: string, sourcePath: string, opts?: { contentType?: string }): Promise<{ size: number; etag: string }>;
  /** Starts a streamed write of key (see ObjectWriter): for outputs produced on the fly, with no local copy. */
  openWriter(key: string, opts?: { contentType?: string }): ObjectWriter;
  /** Absent is not an error. */
  delete(key: string): Promise<void>;
}

export function assertByteRange(start: number, endExclusive: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endExclusive) || start < 0 || endExclusive < start) {
    throw new PermanentError('invalid_range', `invalid byte range [${start}, ${endExclusive})`);
  }
}

export const DEFAULT_DOWNLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
