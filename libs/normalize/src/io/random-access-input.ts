// What the engine reads: bytes at any offset of one Parquet file, read synchronously, because the page decoder
// pulls bytes from inside its inner loops (see byte-streams.ts). A local file reads with readSync; a remote
// object (S3, HTTPS) reads through a worker thread that does the async ranged GETs (worker-range-input.ts).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface RandomAccessInput {
  /** Bytes in the file. */
  readonly size: number;
  /** Where the bytes come from, for error messages: a path or a URL, never a credential. */
  readonly name: string;
  /** Reads up to `length` bytes at `position` into `into[offset…]`; returns how many (0 only past the end). */
  readSync(into: Uint8Array, offset: number, length: number, position: number): number;
  close(): Promise<void>;
}

/** A local file. */
export function openLocalInput(path: string): RandomAccessInput {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let closed = false;
  return {
    size,
    name: path,
    readSync: (into, offset, length, position) => readSync(fd, into, offset, length, position),
    close: async () => {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

/** Bytes already in memory (fixtures, small files). */
export function memoryInput(bytes: Uint8Array, name = 'memory'): RandomAccessInput {
  return {
    size: bytes.length,
    name,
    readSync(into, offset, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      into.set(bytes.subarray(position, position + n), offset);
      return n;
    },
    close: async () => undefined,
  };
}
