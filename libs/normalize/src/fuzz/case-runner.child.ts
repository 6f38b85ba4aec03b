// The child process a fuzz case runs in (started by case-runner.ts with a heap cap): normalizes each file it is
// sent and answers with the outcome, the time it took and the process's peak RSS so far. A crash, a hang or an
// exhausted heap takes only this process down; the parent sees it and starts another.
import * as fs from 'node:fs';
import { PipelineError } from '@sluice/contracts';
import type { Dataset } from '../datasets';
import { normalizeFile } from '../normalize';
import type { DecodeLimits } from '../parquet/limits';
import { readParquetTable } from '../testing/parquet-readback';

export interface CaseRequest {
  id: number;
  input: string;
  output: string;
  dataset: Dataset;
  month: string;
  limits?: Partial<DecodeLimits>;
}

/**
 * - `ok`: a valid output (parquet-wasm reads it back with the rows the report counts);
 * - `permanent` / `transient`: normalize failed with a PipelineError of that kind;
 * - `uncaught`: it failed with another error, or one escaped (the pipeline would retry it as transient);
 * - `invalid-output`: it succeeded but its output cannot be read back, or has other rows than reported;
 * - `leftover`: it failed and left its output or `.partial` behind.
 */
export type ChildOutcome = 'ok' | 'permanent' | 'transient' | 'uncaught' | 'invalid-output' | 'leftover';

export interface CaseReply {
  id: number;
  outcome: ChildOutcome;
  code?: string;
  message?: string;
  ms: number;
  /** Peak RSS of this process since it started (MiB): an upper bound of the case's own peak. */
  maxRssMiB: number;
}

const MESSAGE_CHARS = 400;
let current: CaseRequest | undefined;
let started = 0;

function send(reply: Omit<CaseReply, 'ms' | 'maxRssMiB'>): void {
  const ms = Math.round(performance.now() - started);
  const maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.send?.({ ...reply, message: reply.message?.slice(0, MESSAGE_CHARS), ms, maxRssMiB });
}

async function run(request: CaseRequest): Promise<void> {
  current = request;
  started = performance.now();
  const reply = await outcomeOf(request);
  // cleaned up before answering: the parent may kill this process as soon as it has the answer
  fs.rmSync(request.output, { force: true });
  fs.rmSync(`${request.output}.partial`, { force: true });
  current = undefined;
  send(reply);
}

async function outcomeOf(request: CaseRequest): Promise<Omit<CaseReply, 'ms' | 'maxRssMiB'>> {
  const { id, input, output, dataset, month, limits } = request;
  try {
    const report = await normalizeFile({ inputPath: input, outputPath: output, dataset, month, limits });
    let rows: number;
    try {
      rows = readParquetTable(output).numRows;
    } catch (error) {
      return { id, outcome: 'invalid-output', message: `output unreadable: ${String(error)}` };
    }
    if (rows !== report.rowsOut) return { id, outcome: 'invalid-output', message: `output has ${rows} rows, the report says ${report.rowsOut}` };
    return { id, outcome: 'ok', message: `${report.rowsIn} rows in, ${report.rowsOut} out` };
  } catch (error) {
    const left = [output, `${output}.partial`].filter((f) => fs.existsSync(f));
    if (left.length > 0) return { id, outcome: 'leftover', message: `left ${left.join(', ')} after ${String(error)}` };
    if (error instanceof PipelineError) return { id, outcome: error.kind, code: error.code, message: error.message };
    return { id, outcome: 'uncaught', code: error instanceof Error ? error.name : typeof error, message: String(error) };
  }
}

function escaped(error: unknown): void {
  const message = `escaped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  if (current) send({ id: current.id, outcome: 'uncaught', code: error instanceof Error ? error.name : 'unknown', message });
  process.exit(70);
}

process.on('uncaughtException', escaped);
process.on('unhandledRejection', escaped);
process.on('message', (request: CaseRequest) => void run(request));
process.send?.({ ready: true });
