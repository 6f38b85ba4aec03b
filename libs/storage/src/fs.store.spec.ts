import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermanentError } from '@sluice/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsStore } from './fs.store';
import type { ObjectInfo } from './object-store';

const SPACED_KEY = 'trip data/fhvhv_tripdata_2024-01.parquet';
let dir: string;
let root: string;
let store: FsStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-fs-store-'));
  root = join(dir, 'root');
  store = new FsStore(root);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function listAll(prefix?: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of store.list(prefix)) out.push(info);
  return out;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PermanentError);
    return (error as PermanentError).code;
  }
  throw new Error('expected a rejection');
}

const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

describe('FsStore', () => {
  it('has a file:// url ending in a slash', () => {
    expect(store.url).toBe(`file://${root}/`);
  });

  it('puts, reads, heads and deletes objects, keys with spaces included', async () => {
    await store.put(SPACED_KEY, 'hello parquet');
    expect(text(await store.getBytes(SPACED_KEY))).toBe('hello parquet');
    expect(await readFile(join(root, 'trip data', 'fhvhv_tripdata_2024-01.parquet'), 'utf8')).toBe('hello parquet');

    const info = await store.head(SPACED_KEY);
    expect(info).toMatchObject({ key: SPACED_KEY, size: 13 });
    expect(info?.etag).toBe(`"${createHash('md5').update('hello parquet').digest('hex')}"`);
    expect(info?.lastModified).toBeInstanceOf(Date);

    await store.delete(SPACED_KEY);
    expect(await store.head(SPACED_KEY)).toBeUndefined();
    expect(await store.getBytes(SPACED_KEY)).toBeUndefined();
    await store.delete(SPACED_KEY); // absent is not an error
  });

  it('answers undefined for absent objects and for "directories"', async () => {
    await store.put('a/b.json', '{}');
    expect(await store.head('missing.json')).toBeUndefined();
    expect(await store.head('a')).toBeUndefined();
    expect(await store.getBytes('a')).toBeUndefined();
    expect(await store.getBytes('missing/deeper.json')).toBeUndefined();
    expect(await store.head('a/b.json/c')).toBeUndefined();
  });

  it('changes the ETag when the content changes, keeps it for the same content', async () => {
    await store.put('m.json', 'version 1');
    const first = (await store.head('m.json'))!.etag;
    await store.put('m.json', 'version 2');
    const second = (await store.head('m.json'))!.etag;
    expect(second).not.toBe(first);
    await store.put('m.json', 'version 1');
    expect((await store.head('m.json'))!.etag).toBe(first);

    // Same size, written in place behind the store's back: still noticed.
    await writeFile(join(root, 'm.json'), 'version 3');
    expect((await store.head('m.json'))!.etag).not.toBe(first);
  });

  it('lists every object under a prefix, in key order, with keys relative to the root', async () => {
    for (const key of ['b/2.parquet', 'a-c.json', 'a/1.parquet', 'a/sub/3.parquet', SPACED_KEY, 'top.json']) {
      await store.put(key, key);
    }
    expect((await listAll()).map((o) => o.key)).toEqual([
      'a-c.json',
      'a/1.parquet',
      'a/sub/3.parquet',
      'b/2.parquet',
      'top.json',
      SPACED_KEY,
    ]);
    expect((await listAll('a/')).map((o) => o.key)).toEqual(['a/1.parquet', 'a/sub/3.parquet']);
    expect((await listAll('a')).map((o) => o.key)).toEqual(['a-c.json', 'a/1.parquet', 'a/sub/3.parquet']);
    expect((await listAll('a/sub/3')).map((o) => o.key)).toEqual(['a/sub/3.parquet']);
    expect(await listAll('nothing/here/')).toEqual([]);
    const listed = (await listAll('trip'))[0];
    expect(listed).toEqual(await store.head(SPACED_KEY));
  });

  it('fails to list a root that does not exist rather than reporting it empty', async () => {
    expect(await codeOf(listAll())).toBe('no_such_root');
  });

  it('does not list temp files of writes in progress', async () => {
    await store.put('data/x.parquet', 'x');
    await writeFile(join(root, 'data', '.y.parquet.sluice-tmp-0123456789ab'), 'half written');
    expect((await listAll()).map((o) => o.key)).toEqual(['data/x.parquet']);
    expect(await codeOf(store.put('data/.y.parquet.sluice-tmp-0123456789ab', 'x'))).toBe('invalid_key');
  });

  it('leaves no temp files behind after put and upload', async () => {
    const source = join(dir, 'source.bin');
    await writeFile(source, Buffer.alloc(3 * 1024 * 1024, 7));
    await store.put('d/small.json', '{}');
    await store.upload('d/big.bin', source);
    expect((await readdir(join(root, 'd'))).sort()).toEqual(['big.bin', 'small.json']);
  });

  it('reads byte ranges, clamped to the end of the object', async () => {
    await store.put('r.bin', '0123456789');
    expect(text(await store.getRange('r.bin', 2, 5))).toBe('234');
    expect(text(await store.getRange('r.bin', 7, 100))).toBe('789');
    expect(text(await store.getRange('r.bin', 4, 4))).toBe('');
    expect(await codeOf(store.getRange('r.bin', 10, 12))).toBe('invalid_range');
    expect(await codeOf(store.getRange('r.bin', 5, 2))).toBe('invalid_range');
    expect(await codeOf(store.getRange('r.bin', -1, 2))).toBe('invalid_range');
    expect(await codeOf(store.getRange('missing.bin', 0, 2))).toBe('not_found');
  });

  it('pins ranged reads to an ETag', async () => {
    await store.put('r.bin', '0123456789');
    const { etag } = (await store.head('r.bin'))!;
    expect(text(await store.getRange('r.bin', 0, 3, { ifMatch: etag }))).toBe('012');
    expect(text(await store.getRange('r.bin', 0, 3, { ifMatch: etag.replace(/"/g, '') }))).toBe('012');
    await store.put('r.bin', 'abcdefghij');
    expect(await codeOf(store.getRange('r.bin', 0, 3, { ifMatch: etag }))).toBe('source_changed');
  });

  it('downloads in chunks to a file and returns the pinned info', async () => {
    const content = Buffer.from(Array.from({ length: 100_003 }, (_, i) => i % 251));
    await store.put(SPACED_KEY, content);
    const dest = join(dir, 'downloads', 'file.parquet');
    const progress: number[] = [];
    const info = await store.download(SPACED_KEY, dest, {
      chunkBytes: 10_000,
      onProgress: (done) => {
        progress.push(done);
      },
    });
    expect(Buffer.compare(await readFile(dest), content)).toBe(0);
    expect(info).toEqual(await store.head(SPACED_KEY));
    expect(progress).toHaveLength(11);
    expect(progress.at(-1)).toBe(100_003);
    expect(await readdir(join(dir, 'downloads'))).toEqual(['file.parquet']);
  });

  it('downloads an empty object', async () => {
    await store.put('empty.bin', '');
    const dest = join(dir, 'empty.bin');
    expect((await store.download('empty.bin', dest)).size).toBe(0);
    expect((await readFile(dest)).length).toBe(0);
  });

  it('fails a download whose source changes midway, leaving no file at destPath', async () => {
    await store.put('moving.bin', Buffer.alloc(50_000, 1));
    const dest = join(dir, 'out', 'moving.bin');
    const failure = store.download('moving.bin', dest, {
      chunkBytes: 10_000,
      onProgress: async (done) => {
        if (done === 10_000) await store.put('moving.bin', Buffer.alloc(50_000, 2));
      },
    });
    // Transient: the next attempt pins the new version instead of stitching the two.
    await expect(failure).rejects.toMatchObject({ kind: 'transient', code: 'source_changed' });
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });

  it('refuses a download when the expected ETag is not the current one', async () => {
    await store.put('x.bin', 'current');
    expect(await codeOf(store.download('x.bin', join(dir, 'x.bin'), { expectedEtag: '"0000"' }))).toBe('source_changed');
    expect(await codeOf(store.download('absent.bin', join(dir, 'y.bin')))).toBe('not_found');
  });

  it('uploads a local file and reports its size and ETag', async () => {
    const source = join(dir, 'upload source.bin');
    const content = Buffer.alloc(2 * 1024 * 1024 + 17, 3);
    await writeFile(source, content);
    const result = await store.upload(SPACED_KEY, source);
    expect(result).toEqual({ size: content.length, etag: `"${createHash('md5').update(content).digest('hex')}"` });
    expect((await store.head(SPACED_KEY))!.etag).toBe(result.etag);
    expect(Buffer.compare(Buffer.from((await store.getBytes(SPACED_KEY))!), content)).toBe(0);
  });

  it('streams a write that appears only on commit, with the ETag head() gives; abort leaves nothing', async () => {
    await store.put(SPACED_KEY, 'previous');
    const writer = store.openWriter(SPACED_KEY);
    const content = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    for (let at = 0; at < content.length; at += 1_000_000) await writer.write(content.subarray(at, at + 1_000_000));
    expect(text(await store.getBytes(SPACED_KEY))).toBe('previous');
    expect(await listAll()).toHaveLength(1); // the temp file is not listed
    const result = await writer.commit();
    expect(result).toEqual({ bytes: content.length, etag: `"${createHash('md5').update(content).digest('hex')}"` });
    expect((await store.head(SPACED_KEY))!.etag).toBe(result.etag);
    await writer.abort(); // after a commit: does nothing
    expect(Buffer.compare(Buffer.from((await store.getBytes(SPACED_KEY))!), content)).toBe(0);

    const aborted = store.openWriter('new/dir/k.bin');
    await aborted.write(Buffer.from('partial'));
    await aborted.abort();
    await aborted.abort();
    expect(await store.head('new/dir/k.bin')).toBeUndefined();
    expect(await readdir(join(root, 'new/dir'))).toEqual([]);
    await expect(aborted.write(Buffer.from('x'))).rejects.toThrow('write after commit or abort');
  });

  it('fails an upload of a missing source file without creating the object', async () => {
    expect(await codeOf(store.upload('k.bin', join(dir, 'no-such-file')))).toBe('not_found');
    expect(await store.head('k.bin')).toBeUndefined();
  });

  it('rejects keys that would escape the root', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'secret.txt'), 'outside');
    for (const key of ['../secret.txt', 'a/../../secret.txt', '/etc/passwd', '..', 'a\\..\\..\\secret.txt']) {
      expect(await codeOf(store.getBytes(key)), key).toBe('invalid_key');
      expect(await codeOf(store.put(key, 'x')), key).toBe('invalid_key');
      expect(await codeOf(store.head(key)), key).toBe('invalid_key');
      expect(await codeOf(store.delete(key)), key).toBe('invalid_key');
      expect(await codeOf((async () => store.openWriter(key))()), key).toBe('invalid_key');
    }
    expect(await codeOf(listAll('../'))).toBe('invalid_key');
    expect(await readFile(join(dir, 'secret.txt'), 'utf8')).toBe('outside');
  });

  it('does not follow symlinked directories when listing', async () => {
    await store.put('inside.json', '{}');
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'elsewhere', 'outside.json'), '{}');
    await symlink(join(dir, 'elsewhere'), join(root, 'link'));
    expect((await listAll()).map((o) => o.key)).toEqual(['inside.json']);
  });

  it('reports a key that is both an object and a prefix as a conflict', async () => {
    await store.put('a', 'object');
    expect(await codeOf(store.put('a/b', 'x'))).toBe('key_conflict');
    await store.put('dir/file', 'x');
    expect(await codeOf(store.put('dir', 'x'))).toBe('key_conflict');
  });
});
