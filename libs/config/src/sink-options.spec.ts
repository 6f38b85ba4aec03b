import { describe, expect, it } from 'vitest';
import { scannerEnvSchema, transformerEnvSchema } from './env.schema';
import { loadEnv } from './load-env';
import { sinkOptionsOf } from './sink-options';

describe('sinkOptionsOf', () => {
  it('the test sink is <SINK_URL>/_test unless TEST_SINK_URL is set', () => {
    expect(sinkOptionsOf({ SINK_URL: 's3://sink-bucket/out/' })).toEqual({ sinkUrl: 's3://sink-bucket/out/', testSinkUrl: 's3://sink-bucket/out/_test' });
    expect(sinkOptionsOf({ SINK_URL: 'file:///tmp/sink' }).testSinkUrl).toBe('file:///tmp/sink/_test');
    expect(sinkOptionsOf({ SINK_URL: 's3://sink-bucket/out', TEST_SINK_URL: 's3://test-bucket/' }).testSinkUrl).toBe('s3://test-bucket/');
  });

  it('from a parsed scanner or transformer environment', () => {
    const env = { SINK_URL: 's3://sink-bucket', TEST_SINK_URL: 'file:///tmp/test-sink' };
    expect(sinkOptionsOf(loadEnv(scannerEnvSchema, env))).toEqual({ sinkUrl: 's3://sink-bucket', testSinkUrl: 'file:///tmp/test-sink' });
    expect(sinkOptionsOf(loadEnv(transformerEnvSchema, { SINK_URL: 's3://sink-bucket' })).testSinkUrl).toBe('s3://sink-bucket/_test');
  });
});
