// Runs fuzz cases one at a time in a child process with a heap cap and a per-case timeout, and says for each how
// it ended: the child's answer, or 'crash' (the child died: heap exhausted, abort, signal) or 'hang' (killed at
// the timeout). The child is reused while its peak RSS stays low, and replaced after a crash, a hang or growth,
// so that each case starts in a small process and its peak RSS is its own.
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Dataset } from '../datasets';
import type { DecodeLimits } from '../parquet/limits';
import type { CaseReply, CaseRequest, ChildOutcome } from './case-runner.child';

export interface CaseBounds {
  /** A case still running after this is killed and counted as a hang. */
  timeoutMs: number;
  /** A case whose process peaked above this failed its memory bound. */
  maxRssMiB: number;
  /** --max-old-space-size of the child. */
  heapMiB: number;
}

export const DEFAULT_BOUNDS: CaseBounds = { timeoutMs: 10_000, maxRssMiB: 512, heapMiB: 256 };

export type Outcome = ChildOutcome | 'crash' | 'hang';

export interface CaseResult {
  outcome: Outcome;
  code?: string;
  message?: string;
  ms: number;
  /** Undefined when the child died before answering. */
  maxRssMiB?: number;
}

/**
 * Every case must end with a valid output or a permanent error, within its time and memory bounds; a file that
 * cannot be read correctly (`mustFail` says why) only with a permanent error.
 */
export function verdict(result: CaseResult, bounds: CaseBounds, mustFail?: string): string | undefined {
  if (result.outcome === 'ok' && mustFail) return `accepted a file with ${mustFail} (${result.message ?? ''})`;
  if (result.outcome !== 'ok' && result.outcome !== 'permanent') {
    return `${result.outcome}${result.code ? ` (${result.code})` : ''}: ${result.message ?? ''}`;
  }
  if (result.ms > bounds.timeoutMs) return `took ${result.ms} ms (bound ${bounds.timeoutMs} ms)`;
  if ((result.maxRssMiB ?? 0) > bounds.maxRssMiB) return `peak RSS ${result.maxRssMiB} MiB (bound ${bounds.maxRssMiB} MiB)`;
  return undefined;
}

/** The label outcomes are counted under: `ok`, `permanent:corrupt`, `crash`, … */
export function outcomeLabel(result: CaseResult): string {
  return result.outcome === 'permanent' || result.outcome === 'transient' || result.outcome === 'uncaught'
    ? `${result.outcome}:${result.code ?? '?'}`
    : result.outcome;
}

// from the sources (tests, npm run fuzz) the child is TypeScript run by tsx; from dist/, plain JavaScript
const FROM_SOURCES = __filename.endsWith('.ts');
const CHILD_FILE = path.join(__dirname, FROM_SOURCES ? 'case-runner.child.ts' : 'case-runner.child.js');
const REPO_ROOT = path.resolve(__dirname, '../../../..');
const STARTUP_TIMEOUT_MS = 120_000;
/** Above this the child is replaced before the next case, so that one case's memory is not charged to the next. */
const RECYCLE_RSS_MIB = 320;
const STDERR_TAIL = 2_000;

export class CaseRunner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private stderr = '';
  private nextId = 1;
  private readonly dir: string;

  constructor(private readonly bounds: CaseBounds = DEFAULT_BOUNDS, workDir?: string) {
    this.dir = workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-fuzz-'));
  }

  async run(bytes: Uint8Array, dataset: Dataset, month: string, limits?: Partial<DecodeLimits>): Promise<CaseResult> {
    const child = await this.started();
    const id = this.nextId++;
    const input = path.join(this.dir, `${dataset}_tripdata_${month}.parquet`);
    fs.writeFileSync(input, bytes);
    // a fresh output name per case: nothing a killed child left behind can be taken for this case's output
    const request: CaseRequest = { id, input, output: path.join(this.dir, `out-${id}.parquet`), dataset, month, limits };
    const sent = performance.now();
    const result = await new Promise<CaseResult>((resolve) => {
      const done = (r: CaseResult) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(r);
      };
      const onMessage = (reply: CaseReply) => {
        if (reply.id === id) done({ outcome: reply.outcome, code: reply.code, message: reply.message, ms: reply.ms, maxRssMiB: reply.maxRssMiB });
      };
      const onExit = (code: number | null, signal: string | null) =>
        done({ outcome: 'crash', code: signal ?? `exit ${code}`, message: this.stderr.slice(-STDERR_TAIL), ms: Math.round(performance.now() - sent) });
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        done({ outcome: 'hang', message: `still running after ${this.bounds.timeoutMs} ms`, ms: Math.round(performance.now() - sent) });
      }, this.bounds.timeoutMs);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send(request);
    });
    // after a crash, a hang or an escaped error the child is gone or not to be trusted
    const replace = result.outcome === 'crash' || result.outcome === 'hang' || result.outcome === 'uncaught';
    if (replace || (result.maxRssMiB ?? 0) > RECYCLE_RSS_MIB) this.stop();
    return result;
  }

  async close(): Promise<void> {
    this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private stop(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
    this.ready = undefined;
  }

  private started(): Promise<ChildProcess> {
    if (!this.ready) {
      this.stderr = '';
      // tsx runs the TypeScript sources (with the tsconfig path aliases) as the tests do: nothing to build first
      const child = fork(CHILD_FILE, [], {
        cwd: REPO_ROOT,
        execArgv: [...(FROM_SOURCES ? ['--import', 'tsx'] : []), `--max-old-space-size=${this.bounds.heapMiB}`, '--no-warnings'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      // a child that dies between cases (or after an escaped error) is replaced by the next case
      child.on('exit', () => {
        if (this.child === child) this.stop();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_TAIL);
      });
      this.child = child;
      this.ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('fuzz child did not start')), STARTUP_TIMEOUT_MS);
        child.once('message', () => {
          clearTimeout(timer);
          resolve();
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`fuzz child exited (${code}) before it was ready: ${this.stderr}`));
        });
      });
    }
    const child = this.child!;
    return this.ready.then(() => child);
  }
}
