// ObjectStore over a local directory (tests, the demo, `file:///dir` sources). Keys map to paths under the
// root; writes go to a dot-temp file in the target directory and are renamed into place, so a reader never
// sees a partial object and list() never shows a write in progress.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, type Dirent, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PermanentError, sameEtag } from '@sluice/contracts';
import { classifyFsError } from './fs-errors';
import { etagOfOpenFile, quoteMd5, rememberEtag } from './fs-etag';
import { validateKeyPrefix, validateObjectKey } from './object-key';
import type { DownloadOptions, ObjectInfo, ObjectStore, ObjectWriter, RangeOptions } from './object-store';
import { assertByteRange } from './object-store';
import { downloadByRanges } from './ranged-download';

const TEMP_NAME = /^\..*\.sluice-tmp-[0-9a-f]{12}$/;

export class FsStore implements ObjectStore {
  readonly url: string;
  private readonly root: string;

  constructor(rootDir: string) {
    if (!isAbsolute(rootDir)) throw new Error(`FsStore root must be an absolute path, got "${rootDir}"`);
    this.root = resolve(rootDir);
    const href = pathToFileURL(this.root).href;
    this.url = href.endsWith('/') ? href : `${href}/`;
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    validateKeyPrefix(prefix);
    await this.assertRootExists(prefix);
    const startDir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys = (await this.collectKeys(startDir, prefix))
      .filter((key) => key.startsWith(prefix))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))); // S3 order: UTF-8 bytes
    for (const key of keys) {
      const info = await this.head(key); // a file deleted since readdir is simply not listed
      if (info) yield info;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    const file = await this.openForRead(path, `HEAD ${this.url}${key}`);
    if (!file) return undefined;
    try {
      const stats = await file.stat({ bigint: true });
      if (!stats.isFile()) return undefined;
      const etag = await etagOfOpenFile(path, file, stats);
      return { key, etag, size: Number(stats.size), lastModified: new Date(Number(stats.mtimeMs)) };
    } catch (error) {
      throw classifyFsError(error, `HEAD ${this.url}${key}`);
    } finally {
      await file.close();
    }
  }

  async getRange(key: string, start: number, endExclusive: number, opts: RangeOptions = {}): Promise<Uint8Array> {
    assertByteRange(start, endExclusive);
    opts.signal?.throwIfAborted();
    const path = this.pathOf(key);
    const action = `GET ${this.url}${key} bytes [${start}, ${endExclusive})`;
    const file = await this.openForRead(path, action);
    if (!file) throw new PermanentError('not_found', `${action} failed: object not found`);
    try {
      const stats = await file.stat({ bigint: true });
      if (!stats.isFile()) throw new PermanentError('not_found', `${action} failed: object not found`);
      if (opts.ifMatch !== undefined) {
        const etag = await etagOfOpenFile(path, file, stats);
        if (!sameEtag(etag, opts.ifMatch)) {
          throw new PermanentError('source_changed', `${action} failed: ETag is ${etag}, expected ${opts.ifMatch}`);
        }
      }
      const size = Number(stats.size);
      if (start === endExclusive) return new Uint8Array(0);
      if (start >= size) throw new PermanentError('invalid_range', `${action} failed: the object has ${size} bytes`);
      const length = Math.min(endExclusive, size) - start;
      const buffer = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(buffer, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return new Uint8Array(buffer.buffer, buffer.byteOffset, filled);
    } catch (error) {
      throw classifyFsError(error, action);
    } finally {
      await file.close();
    }
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    const path = this.pathOf(key);
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if (isAbsent(error)) return undefined;
      throw classifyFsError(error, `GET ${this.url}${key}`);
    }
  }

  download(key: string, destPath: string, opts?: DownloadOptions): Promise<ObjectInfo> {
    return downloadByRanges(this, key, destPath, opts);
  }

  async put(key: string, body: Uint8Array | string, _opts?: { contentType?: string }): Promise<void> {
    const path = this.pathOf(key);
    await this.writeAtomically(path, `PUT ${this.url}${key}`, async (tempPath) => {
      const file = await open(tempPath, 'wx');
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
    });
  }

  async upload(key: string, sourcePath: string, _opts?: { contentType?: string }): Promise<{ size: number; etag: string }> {
    const path = this.pathOf(key);
    const action = `upload ${sourcePath} to ${this.url}${key}`;
    let etag = '';
    let size = 0;
    await this.writeAtomically(path, action, async (tempPath) => {
      const hash = createHash('md5');
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(createReadStream(sourcePath), tap, createWriteStream(tempPath, { flags: 'wx' }));
      etag = quoteMd5(hash.digest('hex'));
    });
    try {
      rememberEtag(path, await stat(path, { bigint: true }), etag);
    } catch {
      // Replaced or removed by someone else already: the next head() hashes whatever is there.
    }
    return { size, etag };
  }

  /** Written to a dot-temp file beside the target (synchronous writes), renamed into place on commit. */
  openWriter(key: string, _opts?: { contentType?: string }): ObjectWriter {
    const path = this.pathOf(key);
    const name = `${this.url}${key}`;
    const action = `write ${name}`;
    const dir = dirname(path);
    const tempPath = join(dir, `.${path.slice(dir.length + 1)}.sluice-tmp-${randomBytes(6).toString('hex')}`);
    let fd: number | undefined;
    try {
      mkdirSync(dir, { recursive: true });
      fd = openSync(tempPath, 'wx');
    } catch (error) {
      throw classifyFsError(error, action);
    }
    const hash = createHash('md5');
    let bytes = 0;
    let state: 'open' | 'committed' | 'aborted' = 'open';
    const closeFd = () => {
      if (fd === undefined) return;
      const open = fd;
      fd = undefined;
      closeSync(open);
    };
    return {
      name,
      async write(chunk) {
        if (state !== 'open' || fd === undefined) throw new Error(`${name}: write after commit or abort`);
        try {
          for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at, chunk.length - at);
        } catch (error) {
          throw classifyFsError(error, action);
        }
        hash.update(chunk);
        bytes += chunk.length;
      },
      async commit() {
        if (state !== 'open' || fd === undefined) throw new Error(`${name}: commit after commit or abort`);
        const etag = quoteMd5(hash.digest('hex'));
        try {
          fsyncSync(fd);
          closeFd();
          await rename(tempPath, path);
        } catch (error) {
          throw classifyFsError(error, action);
        }
        state = 'committed';
        try {
          rememberEtag(path, await stat(path, { bigint: true }), etag);
        } catch {
          // replaced or removed by someone else already: the next head() hashes whatever is there
        }
        return { bytes, etag };
      },
      async abort() {
        if (state === 'committed') return;
        state = 'aborted';
        try {
          closeFd();
        } finally {
          await rm(tempPath, { force: true }).catch(() => undefined);
        }
      },
    };
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      if (!(await lstat(path)).isFile()) return; // a "directory" is not an object
      await unlink(path);
    } catch (error) {
      if (isAbsent(error)) return;
      throw classifyFsError(error, `DELETE ${this.url}${key}`);
    }
  }

  /** Validates the key, then makes sure the resolved path cannot leave the root whatever the key says. */
  private pathOf(key: string): string {
    validateObjectKey(key);
    const segments = key.split('/');
    if (TEMP_NAME.test(segments[segments.length - 1])) {
      throw new PermanentError('invalid_key', `invalid object key ${JSON.stringify(key)}: the name is reserved for temp files`);
    }
    const path = join(this.root, ...segments);
    const rel = relative(this.root, path);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new PermanentError('invalid_key', `invalid object key ${JSON.stringify(key)}: it escapes ${this.url}`);
    }
    return path;
  }

  private async openForRead(path: string, action: string) {
    try {
      return await open(path, 'r');
    } catch (error) {
      if (isAbsent(error)) return undefined;
      throw classifyFsError(error, action);
    }
  }

  private async writeAtomically(path: string, action: string, write: (tempPath: string) => Promise<void>): Promise<void> {
    const dir = dirname(path);
    const tempPath = join(dir, `.${path.slice(dir.length + 1)}.sluice-tmp-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: true });
      await write(tempPath);
      await rename(tempPath, path);
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => undefined);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
        throw new PermanentError(
          'key_conflict',
          `${action} failed: on a filesystem a key cannot be both an object and a prefix of other keys (${code})`,
          { cause: error },
        );
      }
      throw classifyFsError(error, action);
    }
  }

  /** A missing root is an error, not an empty listing: "no files" must never be mistaken for "all deleted". */
  private async assertRootExists(prefix: string): Promise<void> {
    try {
      if (!(await stat(this.root)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (error) {
      throw new PermanentError('no_such_root', `LIST ${this.url}${prefix} failed: the root directory does not exist`, {
        cause: error,
      });
    }
  }

  private async collectKeys(dirKey: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dirPath: string, keyPrefix: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dirPath, { withFileTypes: true });
      } catch (error) {
        if (isAbsent(error)) return; // the prefix names no directory, or it vanished meanwhile
        throw classifyFsError(error, `LIST ${this.url}${keyPrefix}`);
      }
      for (const entry of entries) {
        const key = `${keyPrefix}${entry.name}`;
        if (entry.isDirectory()) {
          if (couldContain(`${key}/`, prefix)) await walk(join(dirPath, entry.name), `${key}/`);
        }
        else if (entry.isFile() && !TEMP_NAME.test(entry.name) && isAddressable(key)) keys.push(key);
      }
    };
    await walk(dirKey === '' ? this.root : join(this.root, ...dirKey.split('/')), dirKey === '' ? '' : `${dirKey}/`);
    return keys;
  }
}

/** Whether keys under `dirKey` (ending in '/') can start with `prefix`. */
function couldContain(dirKey: string, prefix: string): boolean {
  return dirKey.startsWith(prefix) || prefix.startsWith(dirKey);
}

function isAddressable(key: string): boolean {
  try {
    validateObjectKey(key);
    return true;
  } catch {
    return false; // e.g. a file name with a backslash: no key can reach it, so it is not listed
  }
}

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
