// The source is what the options say: SOURCE_* and AWS_* keys in the environment change nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openConfiguredSource } from './open-source';
import { rangeReaderOptionsOf } from './range-reader';

const ELSEWHERE: Record<string, string> = {
  SOURCE_URL: 'https://elsewhere.invalid/other/',
  SOURCE_HTTP_ATTEMPTS: '9',
  SOURCE_HTTP_REDIRECT_HOSTS: 'evil.invalid',
  AWS_REGION: 'ap-south-1',
  S3_ENDPOINT: 'http://elsewhere.invalid:9999',
};
beforeEach(() => {
  for (const [key, value] of Object.entries(ELSEWHERE)) vi.stubEnv(key, value);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const http = { concurrency: 2, timeoutMs: 5_000, attempts: 3, redirectHosts: ['cdn.example'] };
const s3 = { endpoint: 'http://127.0.0.1:9000', region: 'eu-west-3', forcePathStyle: true };

describe('openConfiguredSource', () => {
  it('opens the URL of its options, of each kind', () => {
    expect(openConfiguredSource({ url: 'https://mirror.example/trip-data', http }, s3)).toMatchObject({ kind: 'https', url: 'https://mirror.example/trip-data/' });
    expect(openConfiguredSource({ url: 's3://tlc-mirror/trip-data', http }, s3)).toMatchObject({ kind: 's3', url: 's3://tlc-mirror/trip-data/' });
    expect(openConfiguredSource({ url: 'file:///tmp/tlc', http }, s3)).toMatchObject({ kind: 'file', url: 'file:///tmp/tlc/' });
  });

  it('the ranged reader of a key gets the same source, HTTP settings and S3 connection (plain data for the worker thread)', () => {
    const options = rangeReaderOptionsOf({ url: 'https://mirror.example/trip-data/', http }, s3, 'yellow_tripdata_2024-01.parquet');
    expect(options).toEqual({ sourceUrl: 'https://mirror.example/trip-data/', http, s3, key: 'yellow_tripdata_2024-01.parquet' });
    expect(structuredClone(options)).toEqual(options);
  });
});
