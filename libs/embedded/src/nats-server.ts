// A real nats-server (JetStream on, bound to 127.0.0.1) as a child process, for the demo and for tests.
import { accessSync, constants, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { canConnect, type ChildServer, freePort, removeOnExit, spawnChildServer, waitUntilReady } from './child-server';

const INSTALL_HINT =
  'install it: `apt-get install nats-server`, `brew install nats-server`, or https://github.com/nats-io/nats-server/releases';
const READY_TIMEOUT_MS = 15_000;
const PORT_ATTEMPTS = 3;

export interface NatsServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** JetStream store directory; default: a fresh temp dir, removed when this process exits. */
  storeDir?: string;
  /** Binary name or path; default `$NATS_SERVER_BIN` or `nats-server` from PATH. */
  bin?: string;
  /** Extra nats-server arguments. */
  args?: string[];
}

export interface EmbeddedNats {
  url: string;
  port: number;
  storeDir: string;
  /** Stops the server; the store directory is kept, so restart() brings the same streams back. */
  stop(): Promise<void>;
  /** Stops it if running, then starts it again on the same port with the same store. */
  restart(): Promise<void>;
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<EmbeddedNats> {
  const bin = resolveNatsBinary(opts.bin);
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'sluice-nats-'));
  if (!opts.storeDir) removeOnExit(storeDir);

  let port = opts.port ?? 0;
  let server: ChildServer | undefined;
  for (let attempt = 1; !server; attempt++) {
    const candidate = port === 0 ? await freePort() : port;
    try {
      server = await launch(bin, candidate, storeDir, opts.args ?? []);
      port = candidate;
    } catch (error) {
      // Someone took the free port between our probe and nats-server's bind: pick another.
      const lostRace = opts.port === undefined || opts.port === 0;
      if (!lostRace || attempt >= PORT_ATTEMPTS || !/address already in use/i.test(String(error))) throw error;
    }
  }

  let current: ChildServer | undefined = server;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async stop() {
      await current?.stop();
      current = undefined;
    },
    async restart() {
      await current?.stop();
      current = undefined;
      current = await launch(bin, port, storeDir, opts.args ?? []);
    },
  };
}

async function launch(bin: string, port: number, storeDir: string, extraArgs: string[]): Promise<ChildServer> {
  const args = ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), ...extraArgs];
  let server: ChildServer;
  try {
    server = await spawnChildServer(bin, args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(notFoundMessage(bin));
    throw error;
  }
  await waitUntilReady(server, `nats-server on port ${port}`, () => canConnect(port), READY_TIMEOUT_MS);
  return server;
}

/** The binary to run, or an Error whose one-line message says how to get it. */
export function resolveNatsBinary(explicit?: string): string {
  const fromEnv = process.env.NATS_SERVER_BIN || undefined;
  const requested = explicit ?? fromEnv ?? 'nats-server';
  const source = explicit ? 'the bin option' : fromEnv ? 'NATS_SERVER_BIN' : undefined;
  const found = requested.includes('/') ? (isExecutable(requested) ? requested : undefined) : findOnPath(requested);
  if (!found) throw new Error(notFoundMessage(requested, source));
  return found;
}

function notFoundMessage(bin: string, source?: string): string {
  if (source) return `nats-server binary "${bin}" (from ${source}) not found or not executable (${INSTALL_HINT})`;
  return `${bin} not found on PATH (set NATS_SERVER_BIN or ${INSTALL_HINT})`;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
