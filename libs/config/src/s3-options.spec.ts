import { describe, expect, it } from 'vitest';
import { normalizeCliEnvSchema, scannerEnvSchema, transformerEnvSchema } from './env.schema';
import { loadEnv } from './load-env';
import { s3OptionsOf } from './s3-options';

const SINK = { SINK_URL: 's3://sink-bucket' };

describe('s3OptionsOf', () => {
  it('defaults: us-east-1, virtual-hosted style, the SDK default credentials, 60 s requests', () => {
    expect(s3OptionsOf(loadEnv(scannerEnvSchema, SINK))).toEqual({
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
      accessKeyId: undefined,
      secretAccessKey: undefined,
      sessionToken: undefined,
      requestTimeoutMs: 60_000,
    });
  });

  it('each key, from a parsed transformer environment', () => {
    const env = loadEnv(transformerEnvSchema, {
      ...SINK,
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      AWS_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      S3_REQUEST_TIMEOUT_MS: '1500',
    });
    expect(s3OptionsOf(env)).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-3',
      forcePathStyle: true,
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      requestTimeoutMs: 1500,
    });
  });

  it('path-style follows S3_ENDPOINT unless S3_FORCE_PATH_STYLE says otherwise', () => {
    const pathStyle = (env: Record<string, string>) => s3OptionsOf(loadEnv(scannerEnvSchema, { ...SINK, ...env })).forcePathStyle;
    expect(pathStyle({ S3_ENDPOINT: 'http://minio:9000' })).toBe(true);
    expect(pathStyle({ S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'false' })).toBe(false);
    expect(pathStyle({ S3_FORCE_PATH_STYLE: 'true' })).toBe(true);
    expect(pathStyle({})).toBe(false);
  });

  it('from `sluice normalize`s environment', () => {
    expect(s3OptionsOf(loadEnv(normalizeCliEnvSchema, { AWS_REGION: 'us-west-2' }))).toMatchObject({ region: 'us-west-2', forcePathStyle: false, requestTimeoutMs: 60_000 });
  });
});
