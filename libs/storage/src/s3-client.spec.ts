// createS3Client takes its whole configuration from its options: keys in the environment change nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createS3Client } from './s3.store';

// Values the client must not pick up: were one read, a check below would see it.
const ELSEWHERE: Record<string, string> = {
  AWS_REGION: 'ap-south-1',
  AWS_DEFAULT_REGION: 'ap-south-2',
  AWS_ACCESS_KEY_ID: 'ENVKEY',
  AWS_SECRET_ACCESS_KEY: 'envsecret',
  S3_ENDPOINT: 'http://elsewhere.invalid:9999',
  S3_FORCE_PATH_STYLE: 'false',
  S3_REQUEST_TIMEOUT_MS: '999',
};
beforeEach(() => {
  for (const [key, value] of Object.entries(ELSEWHERE)) vi.stubEnv(key, value);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** The Node handler resolves its settings once, lazily. */
const timeoutOf = async (client: ReturnType<typeof createS3Client>) =>
  (await (client.config.requestHandler as unknown as { configProvider: Promise<{ requestTimeout: number }> }).configProvider).requestTimeout;

describe('createS3Client', () => {
  it('a custom endpoint: that endpoint, its region and keys, path-style, checksums only when required', async () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9000', region: 'eu-west-3', accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'ST', requestTimeoutMs: 1234 });
    expect(await client.config.region()).toBe('eu-west-3');
    expect(await client.config.endpoint!()).toMatchObject({ hostname: '127.0.0.1', port: 9000, protocol: 'http:' });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'ST' });
    expect(await timeoutOf(client)).toBe(1234);
  });

  it('no endpoint: AWS, virtual-hosted style unless forced, us-east-1 when no region is given, 60 s requests', async () => {
    const client = createS3Client({});
    expect(await client.config.region()).toBe('us-east-1');
    expect(client.config.forcePathStyle).toBe(false);
    expect(await timeoutOf(client)).toBe(60_000);
    expect(createS3Client({ region: 'us-west-2', forcePathStyle: true }).config.forcePathStyle).toBe(true);
  });

  it('an explicit forcePathStyle: false wins over the endpoint default', () => {
    expect(createS3Client({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: false }).config.forcePathStyle).toBe(false);
  });
});
