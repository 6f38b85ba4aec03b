// S3Store against a real S3-compatible server (s3rver in a child process; MinIO with SLUICE_TEST_DOCKER=1).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { PipelineError } from '@sluice/contracts';
import { startS3Server } from '@sluice/embedded';
import { createS3Client, type ObjectInfo, type ObjectStore, openObjectStore, S3Store } from '@sluice/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromEmbedded, startTestS3, type TestS3 } from '../support';

const BUCKET = 'sluice-source';
const SPACED_KEY = 'trip data/fhvhv_tripdata_2024-01.parquet';
const MiB = 1024 * 1024;

let s3: TestS3;
let work: string;
let store: ObjectStore;

beforeAll(async () => {
  s3 = await startTestS3([BUCKET]);
  work = mkdtempSync(join(tmpdir(), 'sluice-s3-store-test-'));
  store = openObjectStore(`s3://${BUCKET}/run prefix/`, s3.connection);
});
afterAll(async () => {
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function listAll(from: ObjectStore, prefix?: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of from.list(prefix)) out.push(info);
  return out;
}

async function failureOf(promise: Promise<unknown>): Promise<PipelineError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, 'expected a rejection').toBeInstanceOf(PipelineError);
  return outcome as PipelineError;
}

/** A store whose client fails part 2 of every multipart upload with a 500, and the commands it sent. */
function storeFailingPart2(): { store: S3Store; sent: string[] } {
  const client = createS3Client(s3.connection);
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName as string);
      if (context.commandName === 'UploadPartCommand' && (args.input as { PartNumber?: number }).PartNumber === 2) {
        throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
          name: 'InternalError',
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'fail-part-2' },
  );
  return { store: new S3Store({ bucket: BUCKET, prefix: 'run prefix/', client }), sent };
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** Runs `hook` after every command `commandName` this client completes: to look at the bucket mid-operation. */
function afterCommand(client: S3Client, commandName: string, hook: (input: Record<string, unknown>) => Promise<void>) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === commandName) await hook(args.input as Record<string, unknown>);
      return result;
    },
    { step: 'initialize', name: `after-${commandName}-${Math.random()}` },
  );
}

describe('S3Store listing', () => {
  const COUNT = 1_050;
  const keyOf = (i: number) => `many/part-${String(i).padStart(5, '0')}.json`;

  beforeAll(async () => {
    const keys = Array.from({ length: COUNT }, (_, i) => keyOf(i));
    for (let i = 0; i < keys.length; i += 25) {
      await Promise.all(keys.slice(i, i + 25).map((key) => store.put(key, `{"i":"${key}"}`)));
    }
    await store.put('outside.json', '{}');
  });

  it('pages through more than 1000 objects, in key order, keys relative to the store root', async () => {
    const listed = await listAll(store, 'many/');
    expect(listed).toHaveLength(COUNT);
    expect(listed.map((o) => o.key)).toEqual(Array.from({ length: COUNT }, (_, i) => keyOf(i)));
    expect(listed[0]).toMatchObject({ key: keyOf(0), size: `{"i":"${keyOf(0)}"}`.length });
    expect(listed[0].etag).toBe(`"${md5(Buffer.from(`{"i":"${keyOf(0)}"}`))}"`);
    expect(listed[0].lastModified).toBeInstanceOf(Date);
  });

  it('gives the same listing with small pages', async () => {
    const smallPages = new S3Store({ bucket: BUCKET, prefix: 'run prefix/', connection: s3.connection, listPageSize: 100 });
    expect((await listAll(smallPages, 'many/')).map((o) => o.key)).toEqual(Array.from({ length: COUNT }, (_, i) => keyOf(i)));
    expect((await listAll(smallPages, 'many/part-009')).map((o) => o.key)).toEqual(
      Array.from({ length: 100 }, (_, i) => keyOf(900 + i)),
    );
  });

  it('sees only its own prefix of the bucket', async () => {
    const elsewhere = openObjectStore(`s3://${BUCKET}/other/`, s3.connection);
    await elsewhere.put('not-mine.json', '{}');
    expect((await listAll(store, 'out')).map((o) => o.key)).toEqual(['outside.json']);
    expect((await listAll(openObjectStore(`s3://${BUCKET}`, s3.connection), 'other/')).map((o) => o.key)).toEqual([
      'other/not-mine.json',
    ]);
  });
});

describe('S3Store objects', () => {
  it('handles keys with spaces and other characters that need encoding', async () => {
    const keys = [SPACED_KEY, 'odd/a+b=c&d;e,f@g$h.json', 'odd/percent%20literal.json', 'odd/über ñ 東京.json'];
    for (const key of keys) {
      await store.put(key, `content of ${key}`, { contentType: 'application/json' });
      expect(text(await store.getBytes(key)), key).toBe(`content of ${key}`);
      expect((await store.head(key))?.size, key).toBe(Buffer.byteLength(`content of ${key}`));
    }
    expect((await listAll(store, 'odd/')).map((o) => o.key).sort()).toEqual(keys.slice(1).sort());
    expect((await listAll(store, 'trip data/')).map((o) => o.key)).toEqual([SPACED_KEY]);
    for (const key of keys) {
      await store.delete(key);
      expect(await store.head(key), key).toBeUndefined();
    }
  });

  it('answers undefined for absent objects and deletes absent objects quietly', async () => {
    expect(await store.head('absent.json')).toBeUndefined();
    expect(await store.getBytes('absent.json')).toBeUndefined();
    await store.delete('absent.json');
  });

  it('reads byte ranges, clamped to the end of the object, pinned to an ETag', async () => {
    await store.put('range.bin', '0123456789');
    const { etag } = (await store.head('range.bin'))!;
    expect(text(await store.getRange('range.bin', 0, 1))).toBe('0'); // s3rver answers bytes=0-0 with everything
    expect(text(await store.getRange('range.bin', 9, 10))).toBe('9');
    expect(text(await store.getRange('range.bin', 3, 7, { ifMatch: etag }))).toBe('3456');
    expect(text(await store.getRange('range.bin', 8, 50))).toBe('89');
    expect(text(await store.getRange('range.bin', 5, 5))).toBe('');
    expect((await failureOf(store.getRange('range.bin', 10, 20))).code).toBe('invalid_range');
    expect((await failureOf(store.getRange('absent.bin', 0, 2))).code).toBe('not_found');

    await store.put('range.bin', 'abcdefghij');
    const changed = await failureOf(store.getRange('range.bin', 0, 2, { ifMatch: etag }));
    expect(changed).toMatchObject({ kind: 'permanent', code: 'source_changed' });
    expect(changed.message).toContain(`s3://${BUCKET}/run prefix/range.bin`);
  });

  it('downloads in ranged chunks to a file', async () => {
    const content = Buffer.from(Array.from({ length: 300_001 }, (_, i) => (i * 7) % 256));
    await store.put(SPACED_KEY, content);
    const dest = join(work, 'dl', 'fhvhv.parquet');
    const info = await store.download(SPACED_KEY, dest, { chunkBytes: 64 * 1024 });
    expect(Buffer.compare(await readFile(dest), content)).toBe(0);
    expect(info).toMatchObject({ key: SPACED_KEY, size: content.length, etag: `"${md5(content)}"` });
  });

  it('refuses to download when the object is not the expected version', async () => {
    await store.put('pinned.bin', 'version 2');
    const failure = await failureOf(store.download('pinned.bin', join(work, 'pinned.bin'), { expectedEtag: `"${md5(Buffer.from('version 1'))}"` }));
    expect(failure).toMatchObject({ kind: 'permanent', code: 'source_changed' });
    expect((await failureOf(store.download('absent.bin', join(work, 'absent.bin')))).code).toBe('not_found');
  });

  it('fails (transiently: a retry reads the new version) a download whose object is replaced midway, leaving nothing at destPath', async () => {
    await store.put('moving.bin', Buffer.alloc(200_000, 1));
    const destDir = join(work, 'moving');
    const failure = await failureOf(
      store.download('moving.bin', join(destDir, 'moving.bin'), {
        chunkBytes: 50_000,
        onProgress: async (done) => {
          if (done === 50_000) await store.put('moving.bin', Buffer.alloc(200_000, 2));
        },
      }),
    );
    expect(failure).toMatchObject({ kind: 'transient', code: 'source_changed' });
    expect(await readdir(destDir)).toEqual([]);
  });
});

describe('S3Store upload', () => {
  let source: string;
  let content: Buffer;

  beforeAll(async () => {
    content = Buffer.alloc(12 * MiB + 12_345);
    for (let i = 0; i + 4 <= content.length; i += 4) content.writeUInt32LE(i >>> 2, i);
    source = join(work, 'big source.parquet');
    await writeFile(source, content);
  });

  it('uploads a 12 MiB file in parts; the object appears only when the upload completes', async () => {
    const client = createS3Client(s3.connection);
    const uploading = new S3Store({ bucket: BUCKET, prefix: 'run prefix/', client });
    const key = 'uploads/fhvhv 2024-01.parquet';
    const seenDuringUpload: Array<ObjectInfo | undefined> = [];
    afterCommand(client, 'UploadPartCommand', async () => {
      seenDuringUpload.push(await store.head(key));
    });

    const result = await uploading.upload(key, source, { contentType: 'application/vnd.apache.parquet' });

    expect(seenDuringUpload.length).toBeGreaterThanOrEqual(2); // it really was multipart
    expect(seenDuringUpload.every((seen) => seen === undefined)).toBe(true);
    expect(result.size).toBe(content.length);
    const info = await store.head(key);
    expect(info).toMatchObject({ size: content.length, etag: result.etag });
    const dest = join(work, 'roundtrip.parquet');
    await store.download(key, dest);
    expect(md5(await readFile(dest))).toBe(md5(content));
  });

  it('uploads small and empty files in one request', async () => {
    const small = join(work, 'small.json');
    await writeFile(small, '{"rows":3}');
    expect(await store.upload('uploads/small.json', small)).toEqual({ size: 10, etag: `"${md5(Buffer.from('{"rows":3}'))}"` });
    const empty = join(work, 'empty.bin');
    await writeFile(empty, '');
    expect((await store.upload('uploads/empty.bin', empty)).size).toBe(0);
    expect((await store.head('uploads/empty.bin'))?.size).toBe(0);
  });

  it('a failed upload is aborted and leaves the previous object untouched', async () => {
    const key = 'uploads/replace me.parquet';
    await store.put(key, 'previous version');
    const { store: failing, sent } = storeFailingPart2();

    const failure = await failureOf(failing.upload(key, source));

    expect(failure).toMatchObject({ kind: 'transient', code: 'storage_unavailable' });
    expect(failure.message).toContain(`s3://${BUCKET}/run prefix/${key}`);
    expect(sent).toContain('AbortMultipartUploadCommand'); // s3rver answers it with 405; MinIO and S3 drop the parts
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    expect(text(await store.getBytes(key))).toBe('previous version');
  });

  it('fails an upload of a missing local file as permanent, touching nothing', async () => {
    const failure = await failureOf(store.upload('uploads/ghost.parquet', join(work, 'no such file')));
    expect(failure).toMatchObject({ kind: 'permanent', code: 'not_found' });
    expect(await store.head('uploads/ghost.parquet')).toBeUndefined();
  });
});

describe('S3Store openWriter (streamed multipart upload)', () => {
  const chunks = (total: number, size: number) => {
    const all = Buffer.alloc(total);
    for (let i = 0; i + 4 <= total; i += 4) all.writeUInt32LE((i * 2654435761) >>> 0, i);
    const out: Buffer[] = [];
    for (let at = 0; at < total; at += size) out.push(all.subarray(at, Math.min(total, at + size)));
    return { all, out };
  };

  it('streams 20 MiB in parts; nothing is visible until commit', async () => {
    const client = createS3Client(s3.connection);
    const writing = new S3Store({ bucket: BUCKET, prefix: 'run prefix/', client });
    const key = 'streamed/fhvhv 2024-02.parquet';
    const sentParts: number[] = [];
    afterCommand(client, 'UploadPartCommand', async (input) => {
      sentParts.push(input.PartNumber as number);
      expect(await store.head(key)).toBeUndefined();
    });
    const { all, out } = chunks(20 * MiB + 777, 300_000);
    const writer = writing.openWriter(key, { contentType: 'application/vnd.apache.parquet' });
    expect(writer.name).toBe(`s3://${BUCKET}/run prefix/${key}`);
    for (const chunk of out) await writer.write(chunk);
    expect(await store.head(key)).toBeUndefined();
    const result = await writer.commit();
    expect(sentParts.length).toBeGreaterThanOrEqual(3);
    expect(result.bytes).toBe(all.length);
    expect(md5((await store.getBytes(key))!)).toBe(md5(all));
    await writer.abort(); // after a commit: does nothing
    expect((await store.head(key))?.size).toBe(all.length);
  });

  it('abort leaves the previous object untouched; a failed part fails the write or the commit, transiently', async () => {
    const key = 'streamed/replace me.parquet';
    await store.put(key, 'previous version');
    const aborted = store.openWriter(key);
    await aborted.write(Buffer.alloc(MiB, 1));
    await aborted.abort();
    expect(text(await store.getBytes(key))).toBe('previous version');

    const { store: failingStore, sent } = storeFailingPart2();
    const failing = failingStore.openWriter(key);
    const failure = await failureOf(
      (async () => {
        for (const chunk of chunks(30 * MiB, MiB).out) await failing.write(chunk);
        await failing.commit();
      })(),
    );
    expect(failure).toMatchObject({ kind: 'transient', code: 'storage_unavailable' });
    await failing.abort();
    expect(sent).toContain('AbortMultipartUploadCommand');
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    expect(text(await store.getBytes(key))).toBe('previous version');
  });

  it('writes small and empty objects', async () => {
    const small = store.openWriter('streamed/small.json');
    await small.write(Buffer.from('{"rows":3}'));
    expect((await small.commit()).bytes).toBe(10);
    expect(text(await store.getBytes('streamed/small.json'))).toBe('{"rows":3}');
    const empty = store.openWriter('streamed/empty.bin');
    expect((await empty.commit()).bytes).toBe(0);
    expect((await store.head('streamed/empty.bin'))?.size).toBe(0);
  });
});

describe('S3Store error classification', () => {
  it('a missing bucket is permanent, whatever the operation', async () => {
    const missing = openObjectStore('s3://no-such-bucket/x/', s3.connection);
    const listing = await failureOf(listAll(missing));
    expect(listing).toMatchObject({ kind: 'permanent', code: 'no_such_bucket' });
    expect(listing.message).toContain('s3://no-such-bucket/x/');
    expect(await failureOf(missing.put('k.json', '{}'))).toMatchObject({ kind: 'permanent', code: 'no_such_bucket' });
    expect(await failureOf(missing.getBytes('k.json'))).toMatchObject({ kind: 'permanent', code: 'no_such_bucket' });
  });

  it('bad credentials are permanent and never appear in the message', async () => {
    const secret = 'not-the-secret-but-do-not-log-me';
    const wrong = openObjectStore(`s3://${BUCKET}/`, { ...s3.connection, accessKeyId: 'WRONGKEY', secretAccessKey: secret });
    const failure = await failureOf(wrong.getBytes('anything.json'));
    expect(failure.kind).toBe('permanent');
    expect(['invalid_credentials', 'access_denied']).toContain(failure.code);
    expect(failure.message).toContain(`s3://${BUCKET}/anything.json`);
    expect(failure.message).not.toContain(secret);
  });

  it('a server that is down is transient', async () => {
    const doomed = fromEmbedded(await startS3Server({ buckets: ['doomed'] }));
    const dead = openObjectStore('s3://doomed/', { ...doomed.connection, maxAttempts: 2 });
    await dead.put('before.json', '{}');
    await doomed.stop();
    const attempts = [
      () => dead.head('before.json'),
      () => listAll(dead),
      () => dead.put('after.json', '{}'),
      () => dead.getRange('before.json', 0, 1),
    ];
    for (const attempt of attempts) {
      const failure = await failureOf(attempt());
      expect(failure).toMatchObject({ kind: 'transient', code: 'storage_unavailable' });
      expect(failure.message).toMatch(/s3:\/\/doomed\//);
    }
  });
});
