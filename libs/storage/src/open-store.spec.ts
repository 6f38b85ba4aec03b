import { describe, expect, it } from 'vitest';
import { FsStore } from './fs.store';
import { openObjectStore } from './open-store';
import { S3Store } from './s3.store';

describe('openObjectStore', () => {
  it('opens s3://bucket and s3://bucket/prefix with a normalised url', () => {
    const bare = openObjectStore('s3://nyc-tlc');
    expect(bare).toBeInstanceOf(S3Store);
    expect(bare.url).toBe('s3://nyc-tlc/');
    expect(openObjectStore('s3://nyc-tlc/trip data').url).toBe('s3://nyc-tlc/trip data/');
    expect(openObjectStore('s3://nyc-tlc/trip data/').url).toBe('s3://nyc-tlc/trip data/');
  });

  it('opens file:///abs/dir, decoding the URL', () => {
    const store = openObjectStore('file:///tmp/sluice%20demo/source');
    expect(store).toBeInstanceOf(FsStore);
    expect(store.url).toBe('file:///tmp/sluice%20demo/source/');
  });

  it.each([
    ['https://example.com/x', 'unsupported object store URL'],
    ['/tmp/dir', 'unsupported object store URL'],
    ['s3://', 'not a valid S3 bucket name'],
    ['s3://Upper_Case/x', 'not a valid S3 bucket name'],
    ['file://relative/dir', 'invalid object store URL'],
  ])('rejects %j with a clear message', (url, message) => {
    expect(() => openObjectStore(url)).toThrow(message);
  });

  it('never echoes credentials embedded in a URL', () => {
    let message = '';
    try {
      openObjectStore('s3://AKIAEXAMPLE:s3cr3t@bucket/prefix');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('***@bucket');
    expect(message).not.toContain('s3cr3t');
    expect(message).not.toContain('AKIAEXAMPLE');
  });

  it('rejects a prefix that could escape', () => {
    expect(() => openObjectStore('s3://bucket/../x')).toThrow(/invalid key prefix/);
  });
});
