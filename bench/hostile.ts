// `npm run bench:hostile [-- --engine <a build's normalize index.js>] [--only case,case] [--timeout-s 120]` (also the last part of
// `npm run bench`): builds each crafted file of issue 13 at its real size (testing/hostile-files.ts), normalizes it
// in a child process, and prints case, outcome (code and reason), wall time and peak RSS. Every case must end as
// expected (a permanent `corrupt` with its reason, or success for the valid file) in under 512 MiB; the exit code
// says whether all did. A child that runs past the timeout is killed and reported.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostileCases } from '../libs/normalize/src/testing/hostile-files';
import type { HostileChildResult } from './hostile-child';

const RSS_LIMIT_BYTES = 512 * 2 ** 20;

type Run = { ok: true; result: HostileChildResult } | { ok: false; reason: string; wallMs: number };

function runChild(file: string, engine: string | undefined, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const args = [join(__dirname, 'hostile-child.js'), file, ...(engine ? [engine] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) return resolve({ ok: true, result: JSON.parse(last) as HostileChildResult });
      const why = timedOut ? `killed after ${(timeoutMs / 1000).toFixed(0)} s` : signal ? `killed by ${signal}` : `exit ${code}`;
      resolve({ ok: false, reason: `${why}: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 200) || '(no stderr)'}`, wallMs });
    });
  });
}

/** The reason tag a corrupt message carries ('…: row_count_mismatch: …'), if any. */
function reasonOf(message: string | undefined): string {
  return /\b([a-z0-9]+(?:_[a-z0-9]+)+): /.exec(message ?? '')?.[1] ?? '—';
}

export async function runHostileBench(argv: string[] = []): Promise<boolean> {
  let engine: string | undefined;
  let timeoutMs = 120_000;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--engine') engine = argv[++i];
    else if (argv[i] === '--only') only = argv[++i].split(',');
    else if (argv[i] === '--timeout-s') timeoutMs = Number(argv[++i]) * 1000;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const dir = join(tmpdir(), 'sluice-hostile');
  mkdirSync(dir, { recursive: true });
  const lines = [
    '| case | file | expected | outcome | wall | peak RSS | |',
    '|---|---|---|---|---|---|---|',
  ];
  let allGood = true;
  for (const hostile of hostileCases().filter((c) => !only || only.includes(c.name))) {
    const file = join(dir, `${hostile.name}.parquet`);
    const bytes = hostile.build();
    writeFileSync(file, bytes);
    process.stdout.write(`${hostile.name}: ${hostile.claim}…\n`);
    const run = await runChild(file, engine, timeoutMs);
    rmSync(file, { force: true });
    const expected = hostile.outcome.ok ? 'ok' : `${hostile.outcome.code} ${hostile.outcome.reason}`;
    const size = bytes.length >= 2 ** 20 ? `${(bytes.length / 2 ** 20).toFixed(1)} MiB` : `${(bytes.length / 1024).toFixed(1)} KB`;
    if (!run.ok) {
      allGood = false;
      lines.push(`| ${hostile.name} | ${size} | ${expected} | died: ${run.reason} | ${(run.wallMs / 1000).toFixed(1)} s | — | FAIL |`);
      continue;
    }
    const r = run.result;
    const outcome = r.ok ? `ok (${r.rowsIn} rows)` : `${r.kind ?? 'no kind'} ${r.code ?? 'no code'} ${reasonOf(r.message)}`;
    const matches = hostile.outcome.ok
      ? r.ok
      : !r.ok && r.kind === 'permanent' && r.code === hostile.outcome.code && reasonOf(r.message) === hostile.outcome.reason;
    const good = matches && r.maxRssBytes < RSS_LIMIT_BYTES;
    allGood &&= good;
    lines.push(
      `| ${hostile.name} | ${size} | ${expected} | ${outcome} | ${(r.wallMs / 1000).toFixed(2)} s | ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MiB | ${good ? 'ok' : 'FAIL'} |`,
    );
  }
  process.stdout.write(`\nhostile inputs${engine ? ` (engine ${engine})` : ''}: every case must end as expected under 512 MiB\n\n${lines.join('\n')}\n\n`);
  return allGood;
}

if (require.main === module) {
  runHostileBench(process.argv.slice(2)).then(
    (ok) => {
      if (!ok) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
