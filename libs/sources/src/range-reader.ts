// Reads one source object by ranges, pinned to the version current when it is opened: what the normalization
// engine's remote input (libs/normalize, io/worker-range-input.ts) loads in its worker thread, by path.
import { join } from 'node:path';
import { PermanentError, PipelineError, TransientError } from '@sluice/contracts';
import type { S3ConnectionOptions } from '@sluice/storage';
import type { HttpsSourceOptions } from './https.source';
import { openSource, type SourceLocation } from './open-source';

export interface SourceRangeReaderOptions {
  sourceUrl: string;
  s3?: S3ConnectionOptions;
  http: HttpsSourceOptions;
  key: string;
}

/** The reader options for one key of the configured source (what openConfiguredSource(source, s3) opens). */
export function rangeReaderOptionsOf(source: SourceLocation, s3: S3ConnectionOptions, key: string): SourceRangeReaderOptions {
  return { sourceUrl: source.url, s3, http: source.http, key };
}

const RANGE_HINT =
  'Read it whole instead: the transformer with SOURCE_READ_MODE=download (the default) streams such a file once; ' +
  'for `sluice normalize`, download the file first and give its local path';

/** The compiled path of this module, for the engine's worker. */
export const SOURCE_RANGE_READER_MODULE = join(__dirname, 'range-reader.js');

export async function openRangeReader(options: SourceRangeReaderOptions) {
  const source = openSource(options.sourceUrl, { s3: options.s3, http: options.http });
  const where = `${source.url}${options.key}`;
  const info = await source.require(options.key);
  return {
    size: info.size,
    etag: info.etag,
    read: (start: number, endExclusive: number) =>
      source.getRange(options.key, start, endExclusive, { ifMatch: info.etag }).catch((error: unknown) => {
        // Replaced while we read it: this attempt must not stitch two versions, but the next one (pinned to
        // the new ETag) will succeed, so it is transient, as in a download.
        if (error instanceof PipelineError && error.code === 'source_changed') {
          throw new TransientError('source_changed', `${where} was replaced while being read (ETag ${info.etag} at the start); retrying reads the new version`, { cause: error });
        }
        // Reading by ranges from such a server would download the whole file once per read.
        if (error instanceof PipelineError && error.code === 'range_not_supported') {
          throw new PermanentError('range_not_supported', `${error.message}. ${RANGE_HINT}`, { cause: error });
        }
        throw error;
      }),
  };
}
