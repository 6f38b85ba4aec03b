// Starts a built sluice service (`dist/apps/<app>/src/main.js`) as a child process: the demo and the
// integration tests run the very entry points an image runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
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
      log?.end();
      resolve({ code, signal });
    });
  });
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.once('exit', () => kill('SIGKILL'));
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
