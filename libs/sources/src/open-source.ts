import { openObjectStore, s3OptionsFromEnv, type S3Config, type S3ConnectionOptions } from '@sluice/storage';
import { HttpsSource, type HttpsSourceOptions } from './https.source';
import type { Source } from './source';
import { StoreSource } from './store.source';

/** `https://…` (or `http://` for a local test server), `s3://bucket/prefix`, `file:///dir`. */
export function openSource(url: string, opts: { s3?: S3ConnectionOptions; http: HttpsSourceOptions }): Source {
  if (url.startsWith('https://') || url.startsWith('http://')) return new HttpsSource(url, opts.http);
  if (url.startsWith('s3://')) return new StoreSource(openObjectStore(url, opts.s3), 's3');
  if (url.startsWith('file:')) return new StoreSource(openObjectStore(url), 'file');
  throw new Error(`unsupported SOURCE_URL "${url.replace(/\/\/[^/@]*@/, '//***@')}": expected https://…, s3://bucket/prefix or file:///dir`);
}

export interface SourceHttpConfig {
  SOURCE_HTTP_CONCURRENCY: number;
  SOURCE_HTTP_TIMEOUT_MS: number;
  SOURCE_HTTP_ATTEMPTS: number;
  SOURCE_HTTP_REDIRECT_HOSTS: readonly string[];
  SOURCE_HTTP_CA_FILE?: string;
}

export interface SourceConfig extends S3Config, SourceHttpConfig {
  SOURCE_URL: string;
}

/** The HTTP(S) source settings from the environment (plain data: the engine's worker receives them too). */
export function httpOptionsFromEnv(env: SourceHttpConfig): HttpsSourceOptions {
  return {
    concurrency: env.SOURCE_HTTP_CONCURRENCY,
    timeoutMs: env.SOURCE_HTTP_TIMEOUT_MS,
    attempts: env.SOURCE_HTTP_ATTEMPTS,
    redirectHosts: [...env.SOURCE_HTTP_REDIRECT_HOSTS],
    caFile: env.SOURCE_HTTP_CA_FILE,
  };
}

export function openSourceFromEnv(env: SourceConfig): Source {
  return openSource(env.SOURCE_URL, { s3: s3OptionsFromEnv(env), http: httpOptionsFromEnv(env) });
}
