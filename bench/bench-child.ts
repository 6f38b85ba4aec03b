// One engine run in its own process: `node bench-child.js <sluice|duckdb|generate> …`. The last line on stdout
// is a JSON result with this process's peak RSS (getrusage ru_maxrss: the whole process, wasm and native
// memory included), so the parent measures each engine alone.
// Each engine's library is loaded only in its own run: DuckDB's native library took ~0.1 s of CPU to load in the
// sluice child, and the engine's modules ~0.16 s in DuckDB's.
import { statSync } from 'node:fs';
import type * as DuckDB from '@duckdb/node-api';
import type * as Normalize from '@sluice/normalize';
import { duckdbNormalizeSql } from './duckdb-normalize.sql';
import { fhvhvSourceSql } from './fhvhv-source.sql';

export interface ChildResult {
  wallMs: number;
  /** user + system CPU time of this process (all its threads). */
  cpuMs: number;
  maxRssBytes: number;
  outputBytes: number;
  rowsIn?: number;
  rowsOut?: number;
  detail?: unknown;
}

async function duckdb(sql: string, threads: number): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DuckDBInstance } = require('@duckdb/node-api') as typeof DuckDB;
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const [engine, input, output, month, rowGroupRowsArg] = process.argv.slice(2);
  const rowGroupRows = Number(rowGroupRowsArg);
  const started = performance.now();
  let result: Partial<ChildResult> = {};
  if (engine === 'generate') {
    const codec = rowGroupRowsArg === 'zstd' || rowGroupRowsArg === 'gzip' ? rowGroupRowsArg : 'snappy';
    await duckdb(fhvhvSourceSql(Number(input), month, output, codec), 1);
  } else if (engine === 'duckdb') {
    await duckdb(duckdbNormalizeSql(input, output, month, rowGroupRows), 1);
  } else if (engine === 'sluice') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { normalizeFile } = require('@sluice/normalize') as typeof Normalize;
    const report = await normalizeFile({ inputPath: input, outputPath: output, dataset: 'fhvhv', month, rowGroupRows });
    result = { rowsIn: report.rowsIn, rowsOut: report.rowsOut, detail: report.dropped };
  } else {
    throw new Error(`unknown engine '${engine}'`);
  }
  const wallMs = performance.now() - started;
  const usage = process.resourceUsage();
  const out: ChildResult = {
    ...result,
    wallMs,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssBytes: usage.maxRSS * 1024,
    outputBytes: statSync(engine === 'generate' ? output : output).size,
  };
  process.stdout.write(`\n${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
