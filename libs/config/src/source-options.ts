// Where and how a service reads source files, built once from its parsed environment: what libs/sources takes
// (with the S3 connection, s3OptionsOf, for an s3:// source).

/** HTTP(S) sources: plain data, since the engine's worker thread receives it too. */
export interface SourceHttpOptions {
  /** SOURCE_HTTP_CONCURRENCY: HEAD requests in flight while listing. */
  concurrency: number;
  /** SOURCE_HTTP_TIMEOUT_MS: deadline of one request, body included. */
  timeoutMs: number;
  /** SOURCE_HTTP_ATTEMPTS: attempts per request, the first included. */
  attempts: number;
  /** SOURCE_HTTP_REDIRECT_HOSTS: hosts a redirect may lead to besides the source's own. */
  redirectHosts: string[];
  /** SOURCE_HTTP_CA_FILE: CA certificates trusted besides the default ones. */
  caFile?: string;
}

export interface SourceOptions {
  /** SOURCE_URL: https://host/path/, s3://bucket[/prefix] or file:///dir. */
  url: string;
  http: SourceHttpOptions;
}

export interface SourceHttpEnv {
  SOURCE_HTTP_CONCURRENCY: number;
  SOURCE_HTTP_TIMEOUT_MS: number;
  SOURCE_HTTP_ATTEMPTS: number;
  SOURCE_HTTP_REDIRECT_HOSTS: readonly string[];
  SOURCE_HTTP_CA_FILE?: string;
}

/** The HTTP settings alone: `sluice normalize` reads https:// inputs with no SOURCE_URL. */
export function sourceHttpOptionsOf(env: SourceHttpEnv): SourceHttpOptions {
  return {
    concurrency: env.SOURCE_HTTP_CONCURRENCY,
    timeoutMs: env.SOURCE_HTTP_TIMEOUT_MS,
    attempts: env.SOURCE_HTTP_ATTEMPTS,
    redirectHosts: [...env.SOURCE_HTTP_REDIRECT_HOSTS],
    caFile: env.SOURCE_HTTP_CA_FILE,
  };
}

export function sourceOptionsOf(env: SourceHttpEnv & { SOURCE_URL: string }): SourceOptions {
  return { url: env.SOURCE_URL, http: sourceHttpOptionsOf(env) };
}
