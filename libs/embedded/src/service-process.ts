// Starts a built sluice service (`dist/apps/<app>/src/main.js`) as a child process: the demo and the
// integration tests run the very entry points an image runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { dirname, join } from 'node:path';

export type SluiceApp = 'scanner' | 'capacity-manager' | 'transformer' | 'cli';

export interface ServiceProcess {
  readonly app: SluiceApp;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after timeoutMs; resolves when the process is gone. */
  stop(timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

/** The checkout's root: the nearest directory up from here whose package.json is sluice's. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sluice') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the sluice checkout above ${from}`);
  }
}

export function appEntry(app: SluiceApp): string {
  const entry = join(projectRoot(), 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return entry;
}

export function startServiceProcess(app: SluiceApp, opts: { env: NodeJS.ProcessEnv; logFile?: string; args?: string[] }): ServiceProcess {
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const child = spawn(process.execPath, [appEntry(app), ...(opts.args ?? [])], {
    env: opts.env,
    stdio: ['ignore', log ? 'pipe' : 'inherit', log ? 'pipe' : 'inherit'],
  });
  if (log) {
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      // 'exit' can come before the last output is read from the pipes (a service's one-line start-up error was lost
      // that way): let them drain, then close the log, so whoever reads the file next sees every line. A worker that
      // inherited the pipes may hold them open: wait for that a little only.
      void drained([child.stdout, child.stderr], PIPE_DRAIN_MS)
        .then(() => (log ? new Promise<void>((done) => log.end(done)) : undefined))
        .then(() => resolve({ code, signal }));
    });
  });
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  // A child still running when this process exits goes with it; the hook goes with the child (a demo or a test file
  // starts many services: one listener each would pile up on `process`).
  const killOnParentExit = () => kill('SIGKILL');
  process.once('exit', killOnParentExit);
  child.once('exit', () => process.off('exit', killOnParentExit));
  return {
    app,
    child,
    exited,
    kill,
    async stop(timeoutMs = 30_000) {
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

const PIPE_DRAIN_MS = 2_000;

function drained(streams: Array<Readable | null>, timeoutMs: number): Promise<void> {
  const ends = streams.filter((s): s is Readable => s !== null && !s.readableEnded).map((s) => once(s, 'end').then(() => undefined, () => undefined));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  return Promise.race([Promise.all(ends).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
