// `npm run bench [-- --rows 20000000 --row-group-rows 1000000 --source-codec snappy|zstd|gzip --engines sluice,duckdb --keep]`
// Generates a synthetic fhvhv file (one row group, snappy, zstd or gzip; cached by row count and codec), normalizes it with sluice and
// with DuckDB (threads=1), each in its own child process, one after the other, and prints rows/s, peak RSS,
// output bytes and sluice/DuckDB ratios; then checks both outputs hold the same rows (count and per-column
// aggregates). A child that dies is reported, not fatal. Ratios are printed, never asserted. Last, the hostile-input
// table (bench/hostile.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildResult } from './bench-child';
import { cliOptions } from './cli-options';
import { compareOutputs } from './compare-outputs';
import { runHostileBench } from './hostile';

interface Args {
  rows: number;
  rowGroupRows: number;
  engines: string[];
  sourceCodec: 'snappy' | 'zstd' | 'gzip';
  dir: string;
  keep: boolean;
}

const MONTH = '2024-03';

function parseArgs(argv: string[]): Args {
  const args: Args = { rows: 5_000_000, rowGroupRows: 1_000_000, engines: ['sluice', 'duckdb'], sourceCodec: 'snappy', dir: join(tmpdir(), 'sluice-bench'), keep: false };
  for (const { name, value } of cliOptions(argv)) {
    switch (name) {
      case '--rows': args.rows = Number(value().replace(/_/g, '')); break;
      case '--row-group-rows': args.rowGroupRows = Number(value().replace(/_/g, '')); break;
      case '--engines': args.engines = value().split(','); break;
      case '--source-codec': {
        const codec = value();
        if (codec !== 'snappy' && codec !== 'zstd' && codec !== 'gzip') throw new Error('--source-codec must be snappy, zstd or gzip');
        args.sourceCodec = codec;
        break;
      }
      case '--dir': args.dir = value(); break;
      case '--keep': args.keep = true; break;
      default: throw new Error(`unknown option ${name}`);
    }
  }
  if (!Number.isSafeInteger(args.rows) || args.rows < 1) throw new Error('--rows must be a positive integer');
  return args;
}

type Outcome = { ok: true; result: ChildResult } | { ok: false; reason: string };

function runChild(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, 'bench-child.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) return resolve({ ok: true, result: JSON.parse(last) as ChildResult });
      const lastErr = stderr.trim().split('\n').slice(-6).join(' | ');
      resolve({ ok: false, reason: `${signal ? `killed by ${signal}` : `exit ${code}`}: ${lastErr || '(no stderr)'}` });
    });
  });
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.dir, { recursive: true });
  const codecTag = args.sourceCodec === 'snappy' ? '' : `.${args.sourceCodec}`;
  const source = join(args.dir, `fhvhv_tripdata_${MONTH}.${args.rows}rows${codecTag}.parquet`);
  if (!existsSync(source)) {
    process.stdout.write(`generating ${fmt(args.rows)} rows (one row group, ${args.sourceCodec}) → ${source}\n`);
    const gen = await runChild(['generate', String(args.rows), `${source}.tmp`, MONTH, args.sourceCodec]);
    if (!gen.ok) throw new Error(`generator failed: ${gen.reason}`);
    rmSync(source, { force: true });
    require('node:fs').renameSync(`${source}.tmp`, source);
    process.stdout.write(`generated in ${(gen.result.wallMs / 1000).toFixed(1)} s, ${mib(gen.result.outputBytes)}\n`);
  }

  const outcomes = new Map<string, Outcome>();
  const outputs = new Map<string, string>();
  for (const engine of args.engines) {
    const output = join(args.dir, `out-${engine}-${args.rows}.parquet`);
    rmSync(output, { force: true });
    process.stdout.write(`running ${engine}…\n`);
    const outcome = await runChild([engine, source, output, MONTH, String(args.rowGroupRows)]);
    outcomes.set(engine, outcome);
    if (outcome.ok) outputs.set(engine, output);
    else {
      // an engine that cannot normalize the file is a failed benchmark, not a row to read past
      process.stdout.write(`  ${engine} died: ${outcome.reason}\n`);
      process.exitCode = 1;
    }
  }

  const rowsPerSec = (r: ChildResult) => args.rows / (r.wallMs / 1000);
  const lines = [`| engine | rows | wall | CPU (user + sys) | rows/s | peak RSS | output bytes |`, `|---|---|---|---|---|---|---|`];
  for (const [engine, o] of outcomes) {
    lines.push(
      o.ok
        ? `| ${engine} | ${fmt(args.rows)} | ${(o.result.wallMs / 1000).toFixed(1)} s | ${(o.result.cpuMs / 1000).toFixed(1)} s | ${fmt(rowsPerSec(o.result))} | ${mib(o.result.maxRssBytes)} | ${fmt(o.result.outputBytes)} |`
        : `| ${engine} | ${fmt(args.rows)} | died | — | — | — | ${o.reason.slice(0, 120)} |`,
    );
  }
  const s = outcomes.get('sluice');
  const d = outcomes.get('duckdb');
  if (s?.ok && d?.ok) {
    lines.push(
      `| sluice/DuckDB | | | ${(d.result.cpuMs / s.result.cpuMs).toFixed(2)}× (DuckDB's CPU / ours) | ${(rowsPerSec(s.result) / rowsPerSec(d.result)).toFixed(2)}× | ${(s.result.maxRssBytes / d.result.maxRssBytes).toFixed(2)}× | ${(s.result.outputBytes / d.result.outputBytes).toFixed(2)}× |`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  if (s?.ok) process.stdout.write(`sluice rows in ${fmt(s.result.rowsIn ?? 0)}, out ${fmt(s.result.rowsOut ?? 0)}, dropped ${JSON.stringify(s.result.detail)}\n`);

  const sluiceOut = outputs.get('sluice');
  const duckOut = outputs.get('duckdb');
  if (sluiceOut && duckOut) {
    const differences = await compareOutputs(sluiceOut, duckOut);
    process.stdout.write(
      differences.length === 0
        ? 'outputs agree: same row count and per-column aggregates (count, non-null count, sum / true count / min / max)\n'
        : `outputs DIFFER:\n  ${differences.join('\n  ')}\n`,
    );
    if (differences.length > 0) process.exitCode = 1;
  }
  if (!args.keep) for (const out of outputs.values()) rmSync(out, { force: true });

  // the crafted files of issue 13: each must fail fast (or succeed, if valid) in under 512 MiB
  if (!(await runHostileBench())) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
