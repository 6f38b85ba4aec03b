// Where the engine writes: a stream of bytes that becomes visible only on commit. A local file is written to
// `<path>.partial` and renamed; an object store sink (S3 multipart, see @sluice/storage) completes its upload.
// abort() removes whatever was written; no partial output is ever visible.
import { closeSync, openSync, writeSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

export interface OutputSink {
  /** Where the output goes, for messages: a path or a URL, never a credential. */
  readonly name: string;
  /** Resolves when the sink can take more (backpressure); rejects when the sink has failed. */
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the output visible; returns its size. */
  commit(): Promise<{ bytes: number }>;
  /** Discards the output; safe to call after a failed write or commit, and more than once. */
  abort(): Promise<void>;
}

/** A local file, written through `<path>.partial` with synchronous writes and renamed on commit. */
export function localFileSink(path: string): OutputSink {
  const partial = `${path}.partial`;
  let fd: number | undefined = openSync(partial, 'w');
  let bytes = 0;
  // An abort (a failure, or Ctrl-C in the CLI) may land while the writer is still finishing: a commit after it
  // must not rename whatever is left into place.
  let aborted = false;
  const closeFd = () => {
    if (fd === undefined) return;
    const open = fd;
    fd = undefined;
    closeSync(open);
  };
  return {
    name: path,
    async write(chunk) {
      if (fd === undefined) throw new Error(`${path}: write after commit or abort`);
      for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at, chunk.length - at);
      bytes += chunk.length;
    },
    async commit() {
      if (aborted) throw new Error(`${path}: commit after abort`);
      closeFd();
      await rename(partial, path);
      return { bytes };
    },
    async abort() {
      aborted = true;
      closeFd();
      await rm(partial, { force: true });
    },
  };
}
