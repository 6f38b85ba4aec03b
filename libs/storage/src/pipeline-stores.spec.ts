import { describe, expect, it } from 'vitest';
import { testSinkUrl } from './pipeline-stores';

describe('testSinkUrl', () => {
  it('is <SINK_URL>/_test unless TEST_SINK_URL is set', () => {
    expect(testSinkUrl({ SINK_URL: 's3://sink-bucket/out/' })).toBe('s3://sink-bucket/out/_test');
    expect(testSinkUrl({ SINK_URL: 'file:///tmp/sink' })).toBe('file:///tmp/sink/_test');
    expect(testSinkUrl({ SINK_URL: 's3://sink-bucket/out', TEST_SINK_URL: 's3://test-bucket/' })).toBe('s3://test-bucket/');
  });
});
