#!/usr/bin/env node
// `sluice`: start runs and follow them, observe JetStream state, cancel, and run the local demo.
import '@sluice/lifecycle/compile-cache';
import 'reflect-metadata';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_MAX_DROP_FRACTION, exitOnUnsupportedRuntime } from '@sluice/config';
import { DATASET_NAMES, INTENTS } from '@sluice/contracts';
import { createSecretScrubber, secretValuesOf } from '@sluice/observability';
import { parseMonths } from './months';

// Each command's module is loaded when that command runs: `sluice status` does not load the Parquet engine, the AWS
// SDK or the demo's servers (its start-up CPU halves; a local worker or a script calls the CLI often).
const commands = {
  busAuth: () => import('./commands/bus-auth.js'),
  cancel: () => import('./commands/cancel.js'),
  demo: () => import('./commands/demo.js'),
  dlq: () => import('./commands/dlq.js'),
  normalize: () => import('./commands/normalize.js'),
  run: () => import('./commands/run.js'),
  status: () => import('./commands/status.js'),
};

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

/** A fraction from 0 to 1, e.g. 0.25. */
const fraction = (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a fraction from 0 to 1, e.g. 0.25');
  return n;
};

exitOnUnsupportedRuntime('cli');

const program = new Command()
  .name('sluice')
  .description('Keeps a clean, analysis-ready copy of the NYC TLC trip records. Connects with NATS_URL (and NATS_* credentials).')
  .showHelpAfterError();

program
  .command('run')
  .description('request a pipeline run')
  .addOption(new Option('--intent <intent>', 'what to process').choices(INTENTS).default('incremental'))
  .addOption(new Option('--dataset <name...>', 'only these datasets').choices(DATASET_NAMES))
  .option('--months <spec>', 'only these months: 2024-01,2024-03 or 2024-01..2024-06', parseMonths)
  .option('--limit <n>', 'at most n files', positiveInt)
  .option(
    '--max-drop-fraction <f>',
    "for this run: fail a file only when its quality rules drop more than this fraction of its rows (default: the transformers' MAX_DROP_FRACTION; 1 keeps every file)",
    fraction,
  )
  .option('--run-id <id>', 'choose the run id (default: generated)')
  .option('--wait', 'follow the run with a progress bar; exit 1 unless every file succeeded')
  .option('--dry-run', 'print the plan (files and reasons, orphans to remove) without running anything')
  .option('--timeout <seconds>', 'with --wait or --dry-run, give up after this long', positiveInt)
  .option('--json', 'machine-readable output')
  .action(async (o) => exit(await (await commands.run()).runCommand(o)));

program
  .command('status [runId]')
  .description('streams, consumers, workers, and the active (or given) run')
  .option('--json', 'machine-readable output')
  .action(async (runId, o) => exit(await (await commands.status()).statusCommand(runId, o)));

program
  .command('cancel <runId>')
  .description('cancel a run: queued files are dropped, files in progress finish')
  .option('--reason <text>', 'why, for the run report')
  .action(async (runId, o) => exit(await (await commands.cancel()).cancelCommand(runId, o)));

const dlq = program.command('dlq').description('dead letters: messages no handler could settle, with their reasons');
dlq
  .command('list')
  .description('every dead letter: id, time, original subject, deliveries, run, file, reason')
  .option('--json', 'machine-readable output')
  .option('--limit <n>', 'at most n letters', positiveInt)
  .action(async (o) => exit(await (await commands.dlq()).dlqListCommand(o)));
dlq
  .command('replay [ids...]')
  .description('publish dead-lettered run and cancel requests again (and remove them from the DLQ); any other letter is refused and stays')
  .option('--all', 'every dead letter')
  .action(async (ids: string[], o) => exit(await (await commands.dlq()).dlqReplayCommand(ids, o)));
dlq
  .command('purge')
  .description('remove every dead letter')
  .action(async () => exit(await (await commands.dlq()).dlqPurgeCommand()));

const busAuth = program.command('bus-auth').description('nkeys for an authenticated bus: one NATS user per role, with its permissions');
busAuth
  .command('init')
  .description(
    'generate the missing role seeds under --dir (existing ones are kept) and write the nats-server authorization for them; prints the public keys and how to use them',
  )
  .requiredOption('--dir <path>', 'where the seeds (<dir>/<role>/<role>.nk) and nats.conf go')
  .option('--owner <uid:gid>', 'give each role directory and seed to this user (an init container running as root)')
  .option('--secret-prefix <prefix>', 'name prefix of the Secrets Manager secrets in the printed commands', 'sluice/nats/')
  .option('--json', 'machine-readable output (paths and public keys)')
  .action(async (o) => exit((await commands.busAuth()).busAuthInitCommand(o)));

program
  .command('demo')
  .description('run the whole pipeline locally: nats-server, an S3-compatible server, generated files, the services')
  .option('--dir <path>', 'where logs and the exported outputs go', '.sluice-demo')
  .option('--files <n>', 'source files (months) to generate', positiveInt, 6)
  .option('--rows <n>', 'rows per source file', positiveInt, 200_000)
  .option('--workers <n>', 'maximum transformer workers', positiveInt, 2)
  .option('--idle-timeout <seconds>', 'idle seconds before workers stop', positiveInt, 3)
  .option('--keep', 'keep the servers and services running after the summary, until Ctrl-C')
  .action(async (o) => exit(await (await commands.demo()).demoCommand(o)));

program
  .command('normalize <in> <out>')
  .description(
    'normalize one TLC Parquet file and print its quality report; exit 1 on a bad file, 2 when <out> or the quarantine is <in>. <in>: a path, s3://bucket/key or https://… (read by ranges, not downloaded); <out>: a path or s3://bucket/key',
  )
  .addOption(new Option('--dataset <name>', 'default: from the file name').choices(DATASET_NAMES))
  .option('--month <YYYY-MM>', 'the month its pickups belong to (default: from the file name)')
  .option('--row-group-rows <n>', 'rows per output row group (default 1,000,000)', positiveInt)
  .option('--quarantine <path>', 'also write the dropped rows, with the rule each broke (a path or s3://bucket/key)')
  .option(
    '--max-drop-fraction <f>',
    `fail (exit 1, nothing written) when the quality rules drop more than this fraction of the rows (default ${DEFAULT_MAX_DROP_FRACTION})`,
    fraction,
  )
  .action(async (input, output, o) => exit(await (await commands.normalize()).normalizeCommand(input, output, o)));

function exit(code: number): void {
  process.exitCode = code;
}

program.parseAsync(process.argv).catch((error: unknown) => {
  // Errors come from libraries too (a connection, an SDK): mask anything of the credentials this shell gave us.
  const scrub = createSecretScrubber(secretValuesOf(process.env));
  process.stderr.write(`sluice: ${scrub(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
});
