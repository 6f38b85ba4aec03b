// Chooses the store from a URL in config: `s3://bucket[/prefix]` or `file:///absolute/dir`.
import { fileURLToPath } from 'node:url';
import { FsStore } from './fs.store';
import type { ObjectStore, S3ConnectionOptions } from './object-store';
import { S3Store } from './s3.store';

// Lowercase letters, digits, dots and hyphens, 3–63 characters (S3's rule; MinIO's too).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function openObjectStore(url: string, s3?: S3ConnectionOptions): ObjectStore {
  if (url.startsWith('s3://')) {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1);
    if (!BUCKET_NAME.test(bucket)) {
      throw new Error(`invalid object store URL "${redact(url)}": the bucket name is not a valid S3 bucket name`);
    }
    return new S3Store({ bucket, prefix, connection: s3 });
  }
  if (url.startsWith('file:')) {
    let dir: string;
    try {
      dir = fileURLToPath(url);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`invalid object store URL "${redact(url)}": ${why} (expected file:///absolute/dir)`);
    }
    return new FsStore(dir);
  }
  throw new Error(`unsupported object store URL "${redact(url)}": expected s3://bucket[/prefix] or file:///absolute/dir`);
}

/** Drops user:password@ so a mistyped URL with credentials never reaches a log. */
function redact(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}
