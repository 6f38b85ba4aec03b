import { openObjectStore, type S3ConnectionOptions } from '@sluice/storage';
import { HttpsSource, type HttpsSourceOptions } from './https.source';
import type { Source } from './source';
import { StoreSource } from './store.source';

/** The TLC's own distribution: the default source. */
export const TLC_HTTPS_URL = 'https://d37ci6vzurychx.cloudfront.net/trip-data/';

/** `https://…` (or `http://` for a local test server), `s3://bucket/prefix`, `file:///dir`. */
export function openSource(url: string, opts: { s3?: S3ConnectionOptions; http: HttpsSourceOptions }): Source {
  if (url.startsWith('https://') || url.startsWith('http://')) return new HttpsSource(url, opts.http);
  if (url.startsWith('s3://')) return new StoreSource(openObjectStore(url, opts.s3), 's3');
  if (url.startsWith('file:')) return new StoreSource(openObjectStore(url), 'file');
  throw new Error(`unsupported SOURCE_URL "${url.replace(/\/\/[^/@]*@/, '//***@')}": expected https://…, s3://bucket/prefix or file:///dir`);
}
