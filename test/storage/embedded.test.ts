// libs/embedded against the real binaries: nats-server keeps its JetStream store across restart, and a
// missing binary is explained in one line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { resolveNatsBinary, startNatsServer, startS3Server } from '@sluice/embedded';
import { openObjectStore } from '@sluice/storage';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type TestNats, startTestNats } from '../support';

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ('value' in outcome) throw new Error(`expected a rejection, got ${String(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}

describe('embedded nats-server', () => {
  let nats: TestNats;
  const connections: NatsConnection[] = [];
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close()));
  });
  afterAll(async () => {
    await nats?.stop();
  });

  async function connectTo(url: string): Promise<NatsConnection> {
    const nc = await connect({ servers: url, reconnect: false });
    connections.push(nc);
    return nc;
  }

  it('starts on a free port with JetStream enabled', async () => {
    nats = await startTestNats();
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    expect(nats.port).toBeGreaterThan(0);
    const jsm = await jetstreamManager(await connectTo(nats.url));
    expect((await jsm.getAccountInfo()).streams).toBe(0);
  });

  it('keeps stream messages across restart, on the same port', async () => {
    const nc = await connectTo(nats.url);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'EMBEDDED_TEST', subjects: ['embedded.test.>'] });
    const ack = await jetstream(nc).publish('embedded.test.one', 'persisted across restart');
    await nc.close();

    const portBefore = nats.port;
    await nats.restart();
    expect(nats.port).toBe(portBefore);

    const after = await jetstreamManager(await connectTo(nats.url));
    const stored = await after.streams.getMessage('EMBEDDED_TEST', { seq: ack.seq });
    expect(stored?.subject).toBe('embedded.test.one');
    expect(stored?.string()).toBe('persisted across restart');
  });

  it('stops, refuses connections while stopped, and comes back with restart()', async () => {
    await nats.stop();
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow();
    await nats.restart();
    const jsm = await jetstreamManager(await connectTo(nats.url));
    expect((await jsm.streams.info('EMBEDDED_TEST')).state.messages).toBe(1);
  });

  it('uses the store directory it is given', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'sluice-embedded-test-'));
    const second = await startNatsServer({ storeDir });
    try {
      expect(second.storeDir).toBe(storeDir);
      expect(second.port).not.toBe(nats.port);
      const jsm = await jetstreamManager(await connectTo(second.url));
      await expect(jsm.streams.info('EMBEDDED_TEST')).rejects.toThrow(/stream not found/i);
    } finally {
      await second.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it('explains a missing binary in one line', async () => {
    const previous = process.env.NATS_SERVER_BIN;
    const previousPath = process.env.PATH;
    try {
      delete process.env.NATS_SERVER_BIN;
      process.env.PATH = '/nonexistent-dir';
      const error = await rejectionOf(startNatsServer());
      expect(error.message).not.toContain('\n');
      expect(error.message).toMatch(/^nats-server not found on PATH \(set NATS_SERVER_BIN or install it: .*apt-get install nats-server.*\)$/);

      process.env.NATS_SERVER_BIN = '/opt/nowhere/nats-server';
      expect(() => resolveNatsBinary()).toThrow(/^nats-server binary "\/opt\/nowhere\/nats-server" \(from NATS_SERVER_BIN\) not found/);
    } finally {
      process.env.PATH = previousPath;
      if (previous === undefined) delete process.env.NATS_SERVER_BIN;
      else process.env.NATS_SERVER_BIN = previous;
    }
  });

  it('reports a server that cannot start with its own output', async () => {
    const error = await rejectionOf(startNatsServer({ args: ['--no-such-flag'] }));
    expect(error.message).toMatch(/nats-server on port \d+ exited \(exit code \d+\) before it was ready/);
    expect(error.message).toMatch(/no-such-flag/);
  });
});

describe('embedded S3 server', () => {
  it('starts with buckets, serves requests, and stops', async () => {
    const s3 = await startS3Server({ buckets: ['alpha', 'beta'] });
    const store = openObjectStore('s3://beta/some prefix', { ...s3 });
    await store.put('hello.txt', 'hi');
    expect(Buffer.from((await store.getBytes('hello.txt'))!).toString()).toBe('hi');
    await s3.stop();
    const error = await rejectionOf(store.head('hello.txt'));
    expect(error).toMatchObject({ kind: 'transient' });
  });

  it('starts again on the same directory with the objects still there', async () => {
    const first = await startS3Server({ buckets: ['gamma'] });
    await openObjectStore('s3://gamma', { ...first }).put('kept.json', '{"kept":true}');
    await first.stop();
    const second = await startS3Server({ dir: first.dir, buckets: ['gamma'] });
    try {
      const store = openObjectStore('s3://gamma', { ...second });
      expect(Buffer.from((await store.getBytes('kept.json'))!).toString()).toBe('{"kept":true}');
    } finally {
      await second.stop();
    }
  });
});
