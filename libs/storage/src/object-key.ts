// Object keys are relative paths shared by S3 and the filesystem store, so a key must mean the same
// object in both: no absolute paths, no `.`/`..`/empty segments, no backslashes, no control characters.
import { PermanentError } from '@sluice/contracts';

/** S3's limit on key length, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** Returns `key` unchanged, or throws PermanentError('invalid_key') saying what is wrong with it. */
export function validateObjectKey(key: string): string {
  const problem = keyProblem(key, { allowTrailingSlash: false });
  if (problem) throw new PermanentError('invalid_key', `invalid object key ${JSON.stringify(key)}: ${problem}`);
  return key;
}

/** A listing prefix: '' (everything) or a key-like string that may end with '/'. */
export function validateKeyPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const problem = keyProblem(prefix, { allowTrailingSlash: true });
  if (problem) throw new PermanentError('invalid_key', `invalid key prefix ${JSON.stringify(prefix)}: ${problem}`);
  return prefix;
}

/** Joins key parts with single slashes: joinKey('a/', 'b') → 'a/b', joinKey('a', 'b/') → 'a/b/'. Empty parts are skipped. */
export function joinKey(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .join('/')
    .replace(/\/{2,}/g, '/');
}

function keyProblem(key: string, opts: { allowTrailingSlash: boolean }): string | undefined {
  if (typeof key !== 'string' || key === '') return 'it is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  if (key.startsWith('/')) return 'it is absolute (starts with "/")';
  if (key.includes('\\')) return 'it contains a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'it contains a control character';
  const segments = key.split('/');
  if (opts.allowTrailingSlash && segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '..') return 'it contains a ".." segment';
    if (segment === '.') return 'it contains a "." segment';
    if (segment === '') return 'it contains an empty segment ("//" or a trailing "/")';
  }
  return undefined;
}
