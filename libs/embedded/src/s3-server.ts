// An S3-compatible server (s3rver) in a child node process, for the demo and for tests. See
// ../s3-server.child.cjs for why it cannot run in this process. s3rver is a development dependency (it brings
// busboy → dicer and fast-xml-parser 3): a production install has neither it nor the child script.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ChildServer, removeOnExit, spawnChildServer, waitUntilReady } from './child-server';

const READY_TIMEOUT_MS = 20_000;
const CHILD_SCRIPT = 'libs/embedded/s3-server.child.cjs';

export interface S3ServerOptions {
  /** Where objects are stored; default: a fresh temp dir, removed when this process exits. */
  dir?: string;
  /** Created at start (existing ones are kept with their objects). */
  buckets?: string[];
  /** 0 or absent: a free port. */
  port?: number;
  /** The key pair it accepts (default S3RVER / S3RVER). It checks the access key id, not SigV4 signatures. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export const DEV_DEPENDENCIES_NEEDED = 'the demo needs the development dependencies: run it from a checkout with `npm run demo`';

/** Whether this install can start the embedded S3 server: s3rver and the child script are there (a checkout). */
export function embeddedS3Available(): boolean {
  const script = childScriptPath();
  if (!script || !existsSync(script)) return false;
  try {
    createRequire(script).resolve('s3rver'); // as the child script will resolve it
    return true;
  } catch {
    return false;
  }
}

export interface EmbeddedS3 {
  endpoint: string;
  region: 'us-east-1';
  accessKeyId: string;
  secretAccessKey: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startS3Server(opts: S3ServerOptions = {}): Promise<EmbeddedS3> {
  if (!embeddedS3Available()) throw new Error(DEV_DEPENDENCIES_NEEDED);
  const script = childScriptPath()!;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sluice-s3-'));
  if (opts.dir) mkdirSync(dir, { recursive: true });
  else removeOnExit(dir);

  const { accessKeyId, secretAccessKey } = opts.credentials ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const config = JSON.stringify({ port: opts.port ?? 0, dir, buckets: opts.buckets ?? [], credentials: opts.credentials });
  const server = await spawnChildServer(process.execPath, ['--openssl-legacy-provider', script, config], {
    // stdin stays open: the child exits when it closes, even if this process is SIGKILLed.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const port = await readyPort(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId,
    secretAccessKey,
    dir,
    stop: () => server.stop(5000),
  };
}

async function readyPort(server: ChildServer): Promise<number> {
  let port: number | undefined;
  let pending = '';
  server.process.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      const match = /^\{"ready":true,"port":(\d+)\}$/.exec(line.trim());
      if (match) port = Number(match[1]);
    }
  });
  await waitUntilReady(server, 'the embedded S3 server (s3rver)', async () => port !== undefined, READY_TIMEOUT_MS);
  return port as number;
}

/** The child script sits outside src/: find it from the package root, whether we run from sources or dist/. */
function childScriptPath(): string | undefined {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, CHILD_SCRIPT);
    if (dirname(dir) === dir) return undefined;
  }
}
