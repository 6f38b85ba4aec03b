// Download = HEAD once, then ranged reads pinned to that ETag, written to a temp file renamed into place:
// a changed source fails the download instead of stitching two versions, and destPath is never half-written.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PermanentError, PipelineError, TransientError } from '@sluice/contracts';
import { classifyFsError } from './fs-errors';
import { DEFAULT_DOWNLOAD_CHUNK_BYTES, type DownloadOptions, type ObjectInfo, type ObjectStore, sameEtag } from './object-store';

export type RangeReader = Pick<ObjectStore, 'url' | 'head' | 'getRange'>;

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
        const end = Math.min(offset + chunkBytes, info.size);
        const bytes = await store.getRange(key, offset, end, { ifMatch: info.etag }).catch((error: unknown) => {
          // Replaced while we read it: this attempt must not stitch two versions, but the next one (pinned to
          // the new ETag) will succeed, so it is transient, unlike an explicit expectedEtag mismatch above.
          if (error instanceof PipelineError && error.code === 'source_changed') {
            throw new TransientError('source_changed', `${where} was replaced while being read (ETag ${info.etag} at the start); retrying reads the new version`, { cause: error });
          }
          throw error;
        });
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
    throw classifyFsError(error, localAction);
  }
}
