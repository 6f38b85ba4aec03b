import { openObjectStore, type S3ConnectionOptions } from '@sluice/storage';
import { HttpsSource, type HttpsSourceOptions } from './https.source';
import type { Source } from './source';
import { StoreSource } from './store.source';

/** The configured source (libs/config's sourceOptionsOf builds it from SOURCE_URL and SOURCE_HTTP_*). */
export interface SourceLocation {
  url: string;
  http: HttpsSourceOptions;
}

/** `https://…` (or `http://` for a local test server), `s3://bucket/prefix`, `file:///dir`. */
export function openSource(url: string, opts: { s3?: S3ConnectionOptions; http: HttpsSourceOptions }): Source {
  if (url.startsWith('https://') || url.startsWith('http://')) return new HttpsSource(url, opts.http);
  if (url.startsWith('s3://')) return new StoreSource(openObjectStore(url, opts.s3), 's3');
  if (url.startsWith('file:')) return new StoreSource(openObjectStore(url), 'file');
  throw new Error(`unsupported SOURCE_URL "${url.replace(/\/\/[^/@]*@/, '//***@')}": expected https://…, s3://bucket/prefix or file:///dir`);
}

/** The service's source, from the options it built once from its parsed config; s3 is used for an s3:// source. */
export function openConfiguredSource(source: SourceLocation, s3: S3ConnectionOptions): Source {
  return openSource(source.url, { s3, http: source.http });
}
