// Transformer workers as child processes of the capacity manager. Stopping one sends SIGTERM: the worker stops
// pulling, finishes or naks the file in hand, then exits. Only a worker that outlives `killAfterMs` is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '@sluice/observability';
import type { CapacityBackend, ScaleResult, WorkerCounts } from './backend';

export interface LocalBackendOptions {
  /** argv of one worker, e.g. [process.execPath, 'dist/apps/transformer/src/main.js']. */
  command: string[];
  env?: NodeJS.ProcessEnv;
  /** The nkey seed file workers connect with (the transformer's): the manager's own NATS identity is not passed on. */
  workerNatsSeedFile?: string;
  logger: Logger;
  /** After SIGTERM, how long a worker may drain before SIGKILL. */
  killAfterMs: number;
  /** Told when a worker exits, expected or not (the manager then re-checks the backlog). */
  onExit?: (pid: number, code: number | null, signal: NodeJS.Signals | null, expected: boolean) => void;
}

interface Worker {
  child: ChildProcess;
  stopping: boolean;
  exited: Promise<void>;
}

/**
 * NATS credentials a worker must not inherit from the manager once it has its own: it connects as a transformer, not
 * as the manager, whatever kind of credentials the manager uses.
 */
const MANAGER_NATS_IDENTITY = [
  'NATS_NKEY_SEED',
  'NATS_NKEY_SEED_FILE',
  'WORKER_NATS_NKEY_SEED_FILE',
  'NATS_CREDS_FILE',
  'NATS_USER',
  'NATS_PASSWORD',
  'NATS_TOKEN',
] as const;

/** A worker's environment: the manager's (the pipeline settings are theirs), with the workers' own nkey seed file. */
export function workerEnvironment(parent: NodeJS.ProcessEnv, workerNatsSeedFile: string | undefined): NodeJS.ProcessEnv {
  const env = { ...parent };
  if (workerNatsSeedFile === undefined) return env;
  for (const key of MANAGER_NATS_IDENTITY) delete env[key];
  env.NATS_NKEY_SEED_FILE = workerNatsSeedFile;
  return env;
}

export class LocalBackend implements CapacityBackend {
  readonly name = 'local';
  private readonly workers = new Map<number, Worker>();
  private target = 0;
  private sequence = 0;

  constructor(private readonly options: LocalBackendOptions) {
    if (options.command.length === 0) throw new Error('local capacity backend: empty worker command');
  }

  async observe(): Promise<WorkerCounts> {
    // A child process counts as running from its spawn: it starts pulling within a second.
    return { desired: this.target, running: this.active().length, pending: 0 };
  }

  /** Also replaces workers that exited: `count` workers are alive afterwards. */
  async scaleTo(count: number): Promise<ScaleResult> {
    const before = this.target;
    this.target = count;
    const active = this.active();
    if (active.length === count && before === count) return 'unchanged';
    for (let i = active.length; i < count; i += 1) this.start();
    // Newest first: the oldest workers are the most likely to be mid-file with progress to lose.
    for (const worker of active.slice(count).reverse()) this.stop(worker);
    return 'changed';
  }

  async shutdown(): Promise<void> {
    this.target = 0;
    const all = [...this.workers.values()];
    for (const worker of all) this.stop(worker);
    await Promise.all(all.map((w) => w.exited));
  }

  private active(): Worker[] {
    return [...this.workers.values()].filter((w) => !w.stopping);
  }

  private start(): void {
    const [cmd, ...args] = this.options.command;
    this.sequence += 1;
    const child = spawn(cmd, args, {
      // Local workers share the machine: no /health endpoint each (they would fight over one port).
      env: {
        ...workerEnvironment(this.options.env ?? process.env, this.options.workerNatsSeedFile),
        WORKER_ID: `local-${process.pid}-${this.sequence}`,
        HTTP_PORT: '0',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const pid = child.pid;
    if (pid === undefined) {
      this.options.logger.error({ cmd }, 'could not start a worker');
      return;
    }
    const worker: Worker = {
      child,
      stopping: false,
      exited: new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          this.workers.delete(pid);
          const expected = worker.stopping;
          const log = this.options.logger;
          if (expected) log.info({ pid, code, signal }, 'worker stopped');
          else log.warn({ pid, code, signal }, 'worker exited unexpectedly');
          this.options.onExit?.(pid, code, signal, expected);
          resolve();
        });
      }),
    };
    child.once('error', (error) => this.options.logger.error({ pid, err: error.message }, 'worker process error'));
    this.workers.set(pid, worker);
    this.options.logger.info({ pid }, 'worker started');
  }

  private stop(worker: Worker): void {
    if (worker.stopping) return;
    worker.stopping = true;
    worker.child.kill('SIGTERM');
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), this.options.killAfterMs);
    timer.unref();
    void worker.exited.then(() => clearTimeout(timer));
  }
}
