// What the embedded servers share: a free port, a child process whose output tail explains a failed start,
// and cleanup when the parent exits (children are signalled, temp dirs we created are removed).
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

const OUTPUT_TAIL_CHARS = 4000;
const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => cleanUp('SIGTERM'));
  // 'exit' does not fire when a signal ends the process (vitest stops its workers with SIGTERM, a terminal
  // sends SIGINT). If nobody else handles the signal, clean up and die of it as if we had not listened;
  // if the application handles it, its shutdown path owns stop() and we stay out of the way.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listeners(signal).length > 1) return;
      cleanUp('SIGKILL');
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function cleanUp(childSignal: NodeJS.Signals): void {
  for (const child of liveChildren) child.kill(childSignal);
  liveChildren.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Removed when this process exits (not on stop(): a stopped server can be started again on the same data). */
export function removeOnExit(dir: string): void {
  installExitHook();
  tempDirs.add(dir);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not pick a free TCP port');
  return address.port;
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface ChildServer {
  readonly process: ChildProcess;
  /** The last few KB of stdout and stderr, for error messages. */
  outputTail(): string;
  /** Resolves when the process has exited, with a description such as `exit code 1` or `signal SIGKILL`. */
  readonly exited: Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns a server process, tracks it for cleanup at parent exit. Rejects if it cannot be spawned at all. */
export async function spawnChildServer(command: string, args: string[], options: SpawnOptions = {}): Promise<ChildServer> {
  installExitHook();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let tail = '';
  const remember = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  liveChildren.add(child);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve(signal ? `signal ${signal}` : `exit code ${code}`);
    });
  });

  return {
    process: child,
    outputTail: () => tail.trim(),
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `ready` until it says yes; fails early if the process exits, or at the deadline, with its output. */
export async function waitUntilReady(
  server: ChildServer,
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void server.exited.then((how) => (exitedWith = how));
  for (;;) {
    if (exitedWith) throw new Error(`${what} exited (${exitedWith}) before it was ready; its output:\n${server.outputTail()}`);
    if (await ready()) return;
    if (Date.now() > deadline) {
      await server.stop(1000);
      throw new Error(`${what} was not ready within ${timeoutMs} ms; its output:\n${server.outputTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
