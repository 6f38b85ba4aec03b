// One hostile file normalized in its own process: `node hostile-child.js <file> [engine module]`. The last line on
// stdout is JSON: the outcome (ok, or the error's kind, code and message), wall time and this process's peak RSS.
// The engine module defaults to this build's @sluice/normalize; another build's index (e.g. main's) can be given
// to measure what it did with the same files.
import { rmSync } from 'node:fs';
import * as normalize from '@sluice/normalize';

export interface HostileChildResult {
  ok: boolean;
  kind?: string;
  code?: string;
  message?: string;
  rowsIn?: number;
  wallMs: number;
  maxRssBytes: number;
}

async function main(): Promise<void> {
  const [file, engine] = process.argv.slice(2);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { normalizeFile } = (engine ? require(engine) : normalize) as typeof normalize;
  const output = `${file}.out.parquet`;
  const started = performance.now();
  let result: Omit<HostileChildResult, 'wallMs' | 'maxRssBytes'>;
  try {
    const report = await normalizeFile({ inputPath: file, outputPath: output, dataset: 'fhvhv', month: '2024-01' });
    result = { ok: true, rowsIn: report.rowsIn };
  } catch (error) {
    const e = error as { kind?: string; code?: string; message?: string };
    result = { ok: false, kind: e.kind, code: e.code, message: String(e.message ?? error) };
  }
  rmSync(output, { force: true });
  const out: HostileChildResult = { ...result, wallMs: performance.now() - started, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`\n${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
