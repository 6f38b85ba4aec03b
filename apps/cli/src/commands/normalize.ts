// `sluice normalize <in> <out>`: normalize one TLC Parquet file with the pipeline's engine, no NATS needed, and
// print its quality report. In and out are local paths, or URLs (see normalize-locations.ts). A bad file exits 1
// with its error code and message, and leaves no output behind.
import { Presets, SingleBar } from 'cli-progress';
import { type DatasetName, PipelineError } from '@sluice/contracts';
import { type OutputSink, type QualityReport, type RandomAccessInput, normalize, parseSourceKey } from '@sluice/normalize';
import { createSecretScrubber, secretValuesOf } from '@sluice/observability';
import { fileNameOf, openInput, openOutput } from './normalize-locations';

export interface NormalizeCommandOptions {
  dataset?: DatasetName;
  month?: string;
  rowGroupRows?: number;
  /** Where the dropped rows go (a local path or s3://bucket/key). */
  quarantine?: string;
}

export async function normalizeCommand(
  input: string,
  output: string,
  opts: NormalizeCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const name = fileNameOf(input);
  const fromName = parseSourceKey(name);
  const dataset = opts.dataset ?? fromName?.dataset;
  const month = opts.month ?? fromName?.month;
  if (!dataset || !month) {
    const missing = [!dataset && '--dataset', !month && '--month'].filter(Boolean).join(' and ');
    throw new Error(`'${name}' is not a TLC file name (<dataset>_tripdata_YYYY-MM.parquet): give ${missing}`);
  }
  const progress = createProgress(process.stdout);
  const started = performance.now();
  let report: QualityReport;
  let source: RandomAccessInput | undefined;
  let sink: OutputSink | undefined;
  let quarantine: OutputSink | undefined;
  try {
    source = await openInput(input, env);
    sink = openOutput(output, env);
    quarantine = opts.quarantine ? openOutput(opts.quarantine, env) : undefined;
    report = await normalize(source, sink, {
      dataset,
      month,
      rowGroupRows: opts.rowGroupRows,
      onProgress: progress.update,
      quarantine,
    });
  } catch (error) {
    progress.stop();
    await sink?.abort();
    await quarantine?.abort();
    const described = describeFailure(error, input);
    if (!described) throw error;
    // The input may be a URL with user-info, and the reason a library's text: neither may print a credential.
    process.stderr.write(`${createSecretScrubber(secretValuesOf(env))(`sluice normalize: ${input}: ${described}`)}\n`);
    return 1;
  } finally {
    await source?.close();
  }
  progress.stop();
  console.log(formatReport(input, output, report, (performance.now() - started) / 1000).join('\n'));
  return 0;
}

/** `<code>: <message>` for a bad file or an unreadable path; undefined for anything else (a bug: let it throw). */
function describeFailure(error: unknown, input: string): string | undefined {
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
