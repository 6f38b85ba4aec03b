// Download = HEAD once, then ranged reads pinned to that ETag, written to a temp file renamed into place:
// a changed source fails the download instead of stitching two versions, and destPath is never half-written.
// A reader that may be answered with the whole object instead of a range (an HTTP server without Range support)
// hands that answer over as a stream: it is written in one pass, bounded by the HEAD's size, and nothing more is asked.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PermanentError, PipelineError, sameEtag, TransientError } from '@sluice/contracts';
import { classifyFsError } from './fs-errors';
import { DEFAULT_DOWNLOAD_CHUNK_BYTES, type DownloadOptions, type ObjectInfo, type ObjectStore, type RangeOptions } from './object-store';

/** The whole object, as a server sent it in answer to a Range request (already checked against the pinned ETag). */
export interface WholeObject {
  whole: AsyncIterable<Uint8Array>;
}

export type RangeReader = Pick<ObjectStore, 'url' | 'head' | 'getRange'> & {
  /** Like getRange, but may answer with the whole object instead (then the download streams that, and stops). */
  getRangeOrWhole?(key: string, start: number, endExclusive: number, opts: RangeOptions & { ifMatch: string }): Promise<Uint8Array | WholeObject>;
};

export async function downloadByRanges(
  store: RangeReader,
  key: string,
  destPath: string,
  opts: DownloadOptions = {},
): Promise<ObjectInfo> {
  const chunkBytes = opts.chunkBytes ?? DEFAULT_DOWNLOAD_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) {
    throw new PermanentError('invalid_argument', `download chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  const where = `${store.url}${key}`;
  const info = await store.head(key);
  if (!info) throw new PermanentError('not_found', `download ${where} failed: object not found`);
  if (opts.expectedEtag !== undefined && !sameEtag(opts.expectedEtag, info.etag)) {
    throw new PermanentError(
      'source_changed',
      `download ${where} failed: ETag is ${info.etag}, expected ${opts.expectedEtag} (the object changed)`,
    );
  }

  const tempPath = `${destPath}.${randomBytes(6).toString('hex')}.partial`;
  const localAction = `download ${where} to ${destPath}`;
  try {
    await mkdir(dirname(destPath), { recursive: true });
    const file = await open(tempPath, 'w');
    try {
      for (let offset = 0; offset < info.size; offset += chunkBytes) {
        opts.signal?.throwIfAborted();
        const end = Math.min(offset + chunkBytes, info.size);
        const read = store.getRangeOrWhole ?? store.getRange;
        const bytes = await read.call(store, key, offset, end, { ifMatch: info.etag, signal: opts.signal }).catch((error: unknown) => {
          // Replaced while we read it: this attempt must not stitch two versions, but the next one (pinned to
          // the new ETag) will succeed, so it is transient, unlike an explicit expectedEtag mismatch above.
          if (error instanceof PipelineError && error.code === 'source_changed') {
            throw new TransientError('source_changed', `${where} was replaced while being read (ETag ${info.etag} at the start); retrying reads the new version`, { cause: error });
          }
          throw error;
        });
        if ('whole' in bytes) {
          await writeWhole(file, bytes.whole, info.size, where, opts);
          break;
        }
        if (bytes.length !== end - offset) {
          throw new TransientError(
            'short_read',
            `download ${where} failed: asked for bytes [${offset}, ${end}), got ${bytes.length} bytes`,
          );
        }
        await file.write(bytes, 0, bytes.length, offset);
        await opts.onProgress?.(end, info.size);
      }
    } finally {
      await file.close();
    }
    await rename(tempPath, destPath);
    return info;
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw classifyFsError(error, localAction);
  }
}

/** The whole object from offset 0: exactly `size` bytes (the pinned HEAD's); one byte more and the stream is dropped. */
async function writeWhole(file: FileHandle, whole: AsyncIterable<Uint8Array>, size: number, where: string, opts: DownloadOptions): Promise<void> {
  let written = 0;
  for await (const chunk of whole) {
    opts.signal?.throwIfAborted();
    if (written + chunk.length > size) {
      throw new PermanentError('http_answer_too_long', `download ${where} failed: the server sent more than the ${size} bytes its HEAD announced; stopped reading there`);
    }
    await file.write(chunk, 0, chunk.length, written);
    written += chunk.length;
    await opts.onProgress?.(written, size);
  }
  if (written !== size) {
    throw new TransientError('short_read', `download ${where} failed: the server's whole-file answer ended after ${written} of ${size} bytes`);
  }
}
