// Where `sluice normalize` reads and writes: a local path, or a URL. s3://bucket/key and https://…/file.parquet
// inputs are read by ranged GETs as the engine decodes (nothing is downloaded first); s3://bucket/key outputs are
// streamed as a multipart upload, visible only when complete. A failure of an output names that output.
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv, normalizeCliEnvSchema, s3OptionsOf, sourceHttpOptionsOf } from '@sluice/config';
import { PipelineError } from '@sluice/contracts';
import { type OutputSink, type RandomAccessInput, localFileSink, openLocalInput, openRemoteInput } from '@sluice/normalize';
import { SOURCE_RANGE_READER_MODULE, rangeReaderOptionsOf } from '@sluice/sources';
import { openObjectStore } from '@sluice/storage';

const S3_URL = /^s3:\/\/([^/]+)\/(.+)$/;
const HTTP_URL = /^https?:\/\//;

/** The file name part of a location (what the dataset and month are read from). */
export function fileNameOf(location: string): string {
  const path = location.replace(/[?#].*$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

export async function openInput(location: string, env: NodeJS.ProcessEnv): Promise<RandomAccessInput> {
  const s3 = S3_URL.exec(location);
  if (s3 || HTTP_URL.test(location)) {
    const config = loadEnv(normalizeCliEnvSchema, env);
    const cut = s3 ? `s3://${s3[1]}/`.length : location.lastIndexOf('/') + 1;
    const sourceUrl = location.slice(0, cut);
    const key = s3 ? s3[2] : fileNameOf(location);
    return openRemoteInput({
      module: SOURCE_RANGE_READER_MODULE,
      options: rangeReaderOptionsOf({ url: sourceUrl, http: sourceHttpOptionsOf(config) }, s3OptionsOf(config), key),
      name: location,
    });
  }
  return openLocalInput(localPath(location));
}

/** An output (or quarantine) location could not be opened or written: says which, and why. */
export class OutputWriteError extends Error {
  /** `enoent`, `eacces`, a PipelineError code (`access_denied`, …), or `write_failed`. */
  readonly code: string;

  constructor(
    readonly location: string,
    cause: unknown,
  ) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`cannot write ${location} (${message})`, { cause });
    this.code = cause instanceof PipelineError ? cause.code : ((cause as NodeJS.ErrnoException).code?.toLowerCase() ?? 'write_failed');
  }
}

/** An output of `sluice normalize`: its failures name `location`, and it knows whether it was committed. */
export interface CliOutputSink extends OutputSink {
  readonly location: string;
  readonly committed: boolean;
}

export function openOutput(location: string, env: NodeJS.ProcessEnv): CliOutputSink {
  let sink: OutputSink;
  try {
    sink = openSink(location, env);
  } catch (error) {
    throw new OutputWriteError(location, error);
  }
  // The engine reports a sink's failure as it is: tag it here with the location the user gave.
  const named = (error: unknown) => (error instanceof OutputWriteError ? error : new OutputWriteError(location, error));
  let committed = false;
  return {
    name: sink.name,
    location,
    get committed() {
      return committed;
    },
    write: (chunk) => sink.write(chunk).catch((error: unknown) => Promise.reject(named(error))),
    commit: async () => {
      try {
        const result = await sink.commit();
        committed = true;
        return result;
      } catch (error) {
        throw named(error);
      }
    },
    abort: () => sink.abort(),
  };
}

function openSink(location: string, env: NodeJS.ProcessEnv): OutputSink {
  const s3 = S3_URL.exec(location);
  if (s3) {
    const store = openObjectStore(`s3://${s3[1]}/`, s3OptionsOf(loadEnv(normalizeCliEnvSchema, env)));
    return store.openWriter(s3[2], { contentType: 'application/vnd.apache.parquet' });
  }
  if (HTTP_URL.test(location)) throw new Error(`cannot write to ${location}: give a local path or s3://bucket/key`);
  const path = localPath(location);
  mkdirSync(dirname(path), { recursive: true });
  return localFileSink(path);
}

/**
 * Why these locations would destroy the input (or each other), or undefined when they are distinct. Local paths
 * are compared as the files they are (real paths: `./x` and `x`, symlinks, hard links), including the
 * `<path>.partial` a local output is written through; s3:// locations by bucket and key. Call it before
 * anything is opened for writing.
 */
export function overlappingLocations(input: string, output: string, quarantine?: string): string | undefined {
  const written = (location: string) => (S3_URL.test(location) ? [location] : [location, `${location}.partial`]);
  // an input that is not there cannot be destroyed: reading it fails first, with its own message
  const inputId = S3_URL.test(input) || HTTP_URL.test(input) || existsSync(localPath(input)) ? identityOf(input) : undefined;
  for (const [role, location] of [['output', output], ['quarantine', quarantine]] as const) {
    if (!location) continue;
    if (inputId && written(location).some((w) => identityOf(w) === inputId)) {
      return `the ${role} ${location} is the input file ${input}: writing it would destroy the source; give another ${role} path`;
    }
  }
  if (quarantine) {
    const outputIds = new Set(written(output).map(identityOf));
    if (written(quarantine).some((w) => outputIds.has(identityOf(w)))) {
      return `the quarantine ${quarantine} is the output file ${output}: give them different paths`;
    }
  }
  return undefined;
}

/** What a location names: `s3://bucket/key`, or a local file as its device and inode (or its real path, if absent). */
function identityOf(location: string): string {
  const s3 = S3_URL.exec(location);
  if (s3) return `s3://${s3[1]}/${s3[2]}`;
  if (HTTP_URL.test(location)) return location;
  const path = resolve(localPath(location));
  if (existsSync(path)) {
    const { dev, ino } = statSync(path);
    return `inode:${dev}:${ino}`;
  }
  // not there yet: its real parent (the nearest that exists), then the rest of the path
  let parent = dirname(path);
  const rest = [basename(path)];
  while (!existsSync(parent) && dirname(parent) !== parent) {
    rest.unshift(basename(parent));
    parent = dirname(parent);
  }
  return `path:${join(realpathSync(parent), ...rest)}`;
}

function localPath(location: string): string {
  return location.startsWith('file://') ? fileURLToPath(location) : location;
}
