import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_URL, normalizeCliEnvSchema, scannerEnvSchema, transformerEnvSchema } from './env.schema';
import { loadEnv } from './load-env';
import { sourceHttpOptionsOf, sourceOptionsOf } from './source-options';

const SINK = { SINK_URL: 's3://sink-bucket' };

describe('sourceOptionsOf', () => {
  it('defaults: the TLC distribution, 8 HEADs in flight, 30 s, 4 attempts, no other redirect host, no extra CA', () => {
    expect(sourceOptionsOf(loadEnv(scannerEnvSchema, SINK))).toEqual({
      url: DEFAULT_SOURCE_URL,
      http: { concurrency: 8, timeoutMs: 30_000, attempts: 4, redirectHosts: [], caFile: undefined },
    });
  });

  it('each key, from a parsed transformer environment', () => {
    const env = loadEnv(transformerEnvSchema, {
      ...SINK,
      SOURCE_URL: 'https://mirror.example/trip-data/',
      SOURCE_HTTP_CONCURRENCY: '3',
      SOURCE_HTTP_TIMEOUT_MS: '5000',
      SOURCE_HTTP_ATTEMPTS: '2',
      SOURCE_HTTP_REDIRECT_HOSTS: 'CDN.example, files.example:8443',
      SOURCE_HTTP_CA_FILE: '/etc/ssl/corp.pem',
    });
    expect(sourceOptionsOf(env)).toEqual({
      url: 'https://mirror.example/trip-data/',
      http: { concurrency: 3, timeoutMs: 5000, attempts: 2, redirectHosts: ['cdn.example', 'files.example:8443'], caFile: '/etc/ssl/corp.pem' },
    });
  });

  it('the HTTP settings alone, for `sluice normalize` (which has no SOURCE_URL)', () => {
    expect(sourceHttpOptionsOf(loadEnv(normalizeCliEnvSchema, { SOURCE_HTTP_ATTEMPTS: '7' }))).toEqual({
      concurrency: 8,
      timeoutMs: 30_000,
      attempts: 7,
      redirectHosts: [],
      caFile: undefined,
    });
  });
});
