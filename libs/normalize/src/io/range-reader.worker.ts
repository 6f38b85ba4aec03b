// The worker side of worker-range-input.ts: opens the module's range reader, answers each read, and reads one
// slice ahead of every sequential reader (the decoder reads each column chunk front to back in slices), so that
// the main thread mostly finds its bytes already here.
import { type MessagePort, parentPort } from 'node:worker_threads';
import { PipelineError, TransientError } from '@sluice/contracts';
import type { RangeReader, WireError, WorkerAnswer } from './worker-range-input';

interface Setup {
  port: MessagePort;
  control: Int32Array;
  module: string;
  options: unknown;
}

/** Slices read ahead, at most (each about 1 MiB: one per column being decoded, and some slack). */
const MAX_READ_AHEAD = 48;
/** A read-ahead is as long as the read before it, up to this (a whole column chunk read is not repeated ahead). */
const MAX_READ_AHEAD_BYTES = 2 << 20;

parentPort?.once('message', (setup: Setup) => {
  void serve(setup);
});

async function serve({ port, control, module, options }: Setup): Promise<void> {
  let reader: RangeReader;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openRangeReader } = require(module) as { openRangeReader(options: unknown): Promise<RangeReader> };
    reader = await openRangeReader(options);
  } catch (error) {
    port.postMessage({ error: toWire(error) });
    return;
  }
  port.postMessage({ size: reader.size, etag: reader.etag });
  const ahead = new Map<number, { end: number; bytes: Promise<Uint8Array> }>();

  const readAhead = (start: number, end: number) => {
    if (start >= reader.size || ahead.has(start)) return;
    const bytes = reader.read(start, Math.min(end, reader.size));
    bytes.catch(() => undefined); // a failed read-ahead is read again, for real, when it is asked for
    ahead.set(start, { end: Math.min(end, reader.size), bytes });
    if (ahead.size > MAX_READ_AHEAD) ahead.delete(ahead.keys().next().value as number);
  };

  const read = async (position: number, end: number): Promise<Uint8Array> => {
    const hit = ahead.get(position);
    ahead.delete(position);
    let bytes: Uint8Array | undefined;
    if (hit && hit.end >= end) bytes = await hit.bytes.then((b) => b.subarray(0, end - position), () => undefined);
    bytes ??= await reader.read(position, end);
    if (bytes.length !== end - position) {
      throw new TransientError('short_read', `asked for bytes [${position}, ${end}), got ${bytes.length} bytes`);
    }
    readAhead(end, end + Math.min(end - position, MAX_READ_AHEAD_BYTES));
    return bytes;
  };

  port.on('message', async (request: { position: number; end: number }) => {
    let answer: WorkerAnswer;
    try {
      const bytes = await read(request.position, request.end);
      answer = { bytes: bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice() };
    } catch (error) {
      answer = { error: toWire(error) };
    }
    if ('bytes' in answer) port.postMessage(answer, [answer.bytes.buffer as ArrayBuffer]);
    else port.postMessage(answer);
    Atomics.store(control, 0, 1);
    Atomics.notify(control, 0);
  });
}

function toWire(error: unknown): WireError {
  if (error instanceof PipelineError) return { kind: error.kind, code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}
