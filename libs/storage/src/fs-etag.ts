// FsStore ETags are the quoted md5 of the content, like S3's for single-part objects. Hashing is cached per
// file identity (device, inode, size, mtime, ctime in ns) so ranged reads pinned to an ETag do not rehash.
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

const MAX_CACHED = 10_000;
const HASH_CHUNK_BYTES = 1024 * 1024;
const cache = new Map<string, { fingerprint: string; etag: string }>();

export async function etagOfOpenFile(path: string, file: FileHandle, stats: BigIntStats): Promise<string> {
  const fingerprint = fingerprintOf(stats);
  const cached = cache.get(path);
  if (cached?.fingerprint === fingerprint) return cached.etag;
  const { hex, bytes } = await md5OfFile(file);
  const etag = quoteMd5(hex);
  // A file that changed while we hashed it is not cached: the next call hashes the settled content.
  if (BigInt(bytes) === stats.size) rememberEtag(path, stats, etag);
  return etag;
}

export function rememberEtag(path: string, stats: BigIntStats, etag: string): void {
  cache.delete(path);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(path, { fingerprint: fingerprintOf(stats), etag });
}

export function quoteMd5(hexDigest: string): string {
  return `"${hexDigest}"`;
}

function fingerprintOf(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

async function md5OfFile(file: FileHandle): Promise<{ hex: string; bytes: number }> {
  const hash = createHash('md5');
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  let position = 0;
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return { hex: hash.digest('hex'), bytes: position };
}
