// How long one transformer task (1 vCPU, the CDK default) takes for one file, in real seconds: the engine's CPU time,
// fitted to `npm run bench`, plus moving the bytes. The simulated tasks wait this long (scaled) instead of normalizing.
import type { HistoryFile } from './tlc-history';

/**
 * The engine, from `npm run bench` (issue 13; libs/normalize/README.md, "With our own Parquet writer and native
 * codecs"): 5M rows, one snappy row group, 12.9 s CPU (median of five runs on a quiet machine); 20M rows 43.2 s CPU.
 * CPU, not wall, because a 1-vCPU task has one core for the engine and its GC and JIT threads alike. The line through
 * both: 2.02 s per million rows plus 2.8 s per file (module loading, JIT, GC threads: the README's "about 2 s of CPU a
 * file"). zstd and gzip sources cost 5–30 % more; taken as snappy.
 */
export const ENGINE_SECONDS_PER_MILLION_ROWS = 2.02;
export const ENGINE_SECONDS_PER_FILE = 2.8;

/** Output bytes per source byte: DuckDB's 46 MB from 118 MB (../shared/PERF.md), and sluice's output is 0.99× DuckDB's. */
export const OUTPUT_BYTES_PER_SOURCE_BYTE = 0.39;

/**
 * An assumption, not a measurement (this machine has no internet): a task downloads the source from CloudFront and
 * uploads the output to S3 at 50 MB/s (400 Mbit/s). Fargate does not publish per-task bandwidth.
 */
export const NETWORK_BYTES_PER_SECOND = 50e6;

export interface FileWork {
  seconds: number;
  outputBytes: number;
}

export function fileWork(file: Pick<HistoryFile, 'rows' | 'bytes'>): FileWork {
  const outputBytes = Math.round(file.bytes * OUTPUT_BYTES_PER_SOURCE_BYTE);
  const engine = ENGINE_SECONDS_PER_FILE + (ENGINE_SECONDS_PER_MILLION_ROWS * file.rows) / 1e6;
  const transfer = (file.bytes + outputBytes) / NETWORK_BYTES_PER_SECOND;
  return { seconds: engine + transfer, outputBytes };
}

/** Real seconds ↔ the wall-clock milliseconds here: the simulation runs 1 real second in `msPerSecond` ms. */
export class TimeScale {
  constructor(readonly msPerSecond: number) {}
  /** Real (simulated) seconds → milliseconds here. */
  ms(seconds: number): number {
    return seconds * this.msPerSecond;
  }
  /** Milliseconds here → real (simulated) seconds. */
  seconds(ms: number): number {
    return ms / this.msPerSecond;
  }
}
