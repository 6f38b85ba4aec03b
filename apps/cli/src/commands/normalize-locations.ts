// Where `sluice normalize` reads and writes: a local path, or a URL. s3://bucket/key and https://…/file.parquet
// inputs are read by ranged GETs as the engine decodes (nothing is downloaded first); s3://bucket/key outputs are
// streamed as a multipart upload, visible only when complete.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv, normalizeCliEnvSchema } from '@sluice/config';
import { type OutputSink, type RandomAccessInput, localFileSink, openLocalInput, openRemoteInput } from '@sluice/normalize';
import { SOURCE_RANGE_READER_MODULE, rangeReaderOptionsFromEnv } from '@sluice/sources';
import { openObjectStore, s3OptionsFromEnv } from '@sluice/storage';

const S3_URL = /^s3:\/\/([^/]+)\/(.+)$/;
const HTTP_URL = /^https?:\/\//;

/** The file name part of a location (what the dataset and month are read from). */
export function fileNameOf(location: string): string {
  const path = location.replace(/[?#].*$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

export async function openInput(location: string, env: NodeJS.ProcessEnv): Promise<RandomAccessInput> {
  const s3 = S3_URL.exec(location);
  if (s3 || HTTP_URL.test(location)) {
    const config = loadEnv(normalizeCliEnvSchema, env);
    const cut = s3 ? `s3://${s3[1]}/`.length : location.lastIndexOf('/') + 1;
    const sourceUrl = location.slice(0, cut);
    const key = s3 ? s3[2] : fileNameOf(location);
    return openRemoteInput({
      module: SOURCE_RANGE_READER_MODULE,
      options: rangeReaderOptionsFromEnv({ ...config, SOURCE_URL: sourceUrl }, key),
      name: location,
    });
  }
  return openLocalInput(location.startsWith('file://') ? fileURLToPath(location) : location);
}

export function openOutput(location: string, env: NodeJS.ProcessEnv): OutputSink {
  const s3 = S3_URL.exec(location);
  if (s3) {
    const store = openObjectStore(`s3://${s3[1]}/`, s3OptionsFromEnv(loadEnv(normalizeCliEnvSchema, env)));
    return store.openWriter(s3[2], { contentType: 'application/vnd.apache.parquet' });
  }
  if (HTTP_URL.test(location)) throw new Error(`cannot write to ${location}: give a local path or s3://bucket/key`);
  const path = location.startsWith('file://') ? fileURLToPath(location) : location;
  mkdirSync(dirname(path), { recursive: true });
  return localFileSink(path);
}
