// `sluice normalize <in> <out>`: normalize one TLC Parquet file with the pipeline's engine, no NATS needed, and
// print its quality report. In and out are local paths, or URLs (see normalize-locations.ts). A bad file, or one
// whose rules drop more than --max-drop-fraction of its rows, exits 1 with its error code and message, and leaves
// no output behind; an output that is the input exits 2 before anything is opened; Ctrl-C or SIGTERM removes what
// was being written and exits 130 or 143.
import { constants } from 'node:os';
import { Presets, SingleBar } from 'cli-progress';
import { DEFAULT_MAX_DROP_FRACTION } from '@sluice/config';
import { type DatasetName, PipelineError, parseTlcFileName } from '@sluice/contracts';
import { type QualityReport, type RandomAccessInput, normalize } from '@sluice/normalize';
import { createSecretScrubber, secretValuesOf } from '@sluice/observability';
import { OutputCommitUnit } from './normalize-commit';
import { type CliOutputSink, OutputWriteError, fileNameOf, openInput, openOutput, overlappingLocations } from './normalize-locations';

export interface NormalizeCommandOptions {
  dataset?: DatasetName;
  month?: string;
  rowGroupRows?: number;
  /** Where the dropped rows go (a local path or s3://bucket/key). */
  quarantine?: string;
  /** Fail the file when its rules drop more than this fraction of its rows (default DEFAULT_MAX_DROP_FRACTION). */
  maxDropFraction?: number;
}

/** Exit code of a command line that would destroy its own input. */
export const EXIT_USAGE = 2;

export async function normalizeCommand(
  input: string,
  output: string,
  opts: NormalizeCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const name = fileNameOf(input);
  const fromName = parseTlcFileName(name);
  const dataset = opts.dataset ?? fromName?.dataset;
  const month = opts.month ?? fromName?.month;
  if (!dataset || !month) {
    const missing = [!dataset && '--dataset', !month && '--month'].filter(Boolean).join(' and ');
    throw new Error(`'${name}' is not a TLC file name (<dataset>_tripdata_YYYY-MM.parquet): give ${missing}`);
  }
  // Locations may be URLs with user-info, and reasons a library's text: nothing printed may show a credential.
  const scrub = createSecretScrubber(secretValuesOf(env));
  const overlap = overlappingLocations(input, output, opts.quarantine);
  if (overlap) {
    process.stderr.write(`${scrub(`sluice normalize: refusing to run: ${overlap}`)}\n`);
    return EXIT_USAGE;
  }
  const progress = createProgress(process.stdout);
  const started = performance.now();
  let report: QualityReport;
  let source: RandomAccessInput | undefined;
  let sink: CliOutputSink | undefined;
  let quarantine: CliOutputSink | undefined;
  // output and quarantine commit as one unit with respect to a signal (see normalize-commit.ts)
  const outputs = new OutputCommitUnit();
  const interrupt = abortOnSignal(scrub, () => {
    progress.stop();
    return outputs.interrupt();
  });
  try {
    source = await openInput(input, env);
    sink = outputs.add(openOutput(output, env));
    quarantine = opts.quarantine ? outputs.add(openOutput(opts.quarantine, env)) : undefined;
    report = await outputs.track(
      normalize(source, sink, {
        dataset,
        month,
        rowGroupRows: opts.rowGroupRows,
        onProgress: progress.update,
        quarantine,
        maxDropFraction: opts.maxDropFraction ?? DEFAULT_MAX_DROP_FRACTION,
      }),
    );
  } catch (error) {
    // the signal handler aborted the outputs under normalize, and exits: its message, not this error, is the story
    if (interrupt.interrupted) return interrupt.exiting;
    progress.stop();
    await sink?.abort();
    await quarantine?.abort();
    const described = describeFailure(error, input);
    if (!described) throw error;
    // an output's failure names the output itself (in its message); anything else is about the input
    const subject = error instanceof OutputWriteError ? '' : `${input}: `;
    process.stderr.write(`${scrub(`sluice normalize: ${subject}${described}`)}\n`);
    return 1;
  } finally {
    if (!interrupt.interrupted) interrupt.dispose();
    await source?.close();
  }
  if (interrupt.interrupted) return interrupt.exiting;
  progress.stop();
  console.log(formatReport(input, output, report, (performance.now() - started) / 1000).join('\n'));
  return 0;
}

/**
 * On the first SIGINT or SIGTERM: run `abort` (stop the progress bar, abort the outputs: their `.partial` files or
 * multipart uploads go; or, once their commit has started, wait for it to end), print what it says, and exit
 * 128 + the signal's number, as a shell does. A second signal exits at once. `dispose` removes the handlers.
 */
function abortOnSignal(scrub: (text: string) => string, abort: () => Promise<string>) {
  const state = {
    interrupted: false,
    /** Never settles: the handler ends the process. */
    exiting: new Promise<number>(() => undefined),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
  function handler(signal: NodeJS.Signals) {
    const code = 128 + constants.signals[signal];
    if (state.interrupted) process.exit(code);
    state.interrupted = true;
    abort()
      .catch((error: unknown) => `cleaning up failed: ${(error as Error).message}`)
      .then((outcome) => {
        process.stderr.write(`${scrub(`sluice normalize: interrupted (${signal}): ${outcome}`)}\n`);
        process.exit(code);
      });
  }
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return state;
}

/** `<code>: <message>` for a bad file or an unreadable path; undefined for anything else (a bug: let it throw). */
function describeFailure(error: unknown, input: string): string | undefined {
  // before PipelineError: an S3 output's own error (access_denied, …) is about the output, not the input
  if (error instanceof OutputWriteError) return `${error.code}: ${error.message}`;
  if (error instanceof PipelineError) return `${error.code}: ${error.message}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    return `${code.toLowerCase()}: cannot read ${input} (${(error as Error).message})`;
  }
  return undefined;
}

/** A progress bar on a TTY, fed by normalizeFile's onProgress; nothing otherwise (logs and pipes stay clean). */
function createProgress(out: NodeJS.WriteStream) {
  if (!out.isTTY) return { update: undefined, stop: () => undefined };
  const bar = new SingleBar(
    { format: '  rows {bar} {percentage}% | {value}/{total}', hideCursor: true, stream: out, clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done: number, total: number) => {
      if (!started) bar.start(total, done);
      else bar.update(done);
      started = true;
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

export function formatReport(input: string, output: string, r: QualityReport, seconds: number): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const totalDropped = Object.values(r.dropped).reduce((a, b) => a + b, 0);
  const width = Math.max(...Object.keys(r.dropped).map((k) => k.length));
  return [
    `normalized ${input} → ${output} (${r.schemaVersion}, month ${r.month}) in ${seconds.toFixed(1)}s`,
    `  rows in          ${n(r.rowsIn)}`,
    `  rows out         ${n(r.rowsOut)}`,
    `  rows dropped     ${n(totalDropped)}`,
    ...Object.entries(r.dropped).map(([rule, count]) => `    ${rule.padEnd(width)}  ${n(count)}`),
    `  dropped columns  ${r.droppedColumns.length > 0 ? r.droppedColumns.join(', ') : 'none'}`,
    `  row groups       ${n(r.rowGroups)}`,
    `  output bytes     ${n(r.outputBytes)}`,
    ...(r.quarantine ? [`  quarantined      ${n(r.quarantine.rows)} rows, ${n(r.quarantine.bytes)} bytes`] : []),
  ];
}
