// A RandomAccessInput over a remote object (S3, HTTPS) read by ranges. The page decoder reads synchronously
// from inside its loops, and Node cannot block on a network read: so the reads run in a worker thread (async
// ranged GETs, with a read-ahead of one slice per region), and this side waits for each answer with
// Atomics.wait. The worker loads `module` (an absolute path to a JavaScript module exporting
// `openRangeReader(options)`, see range-reader.worker.ts) so that this library knows nothing of S3 or HTTP.
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { PipelineError, TransientError } from '@sluice/contracts';
import type { RandomAccessInput } from './random-access-input';

export interface RemoteInputSpec {
  /** Absolute path of a JavaScript module that exports `openRangeReader(options): Promise<RangeReader>`. */
  module: string;
  /** Structured-cloneable options for openRangeReader (may hold credentials: they stay in this process). */
  options: unknown;
  /** For messages: the object's URL, without credentials. */
  name: string;
  /** Longest wait for one read before it fails as transient (default 10 minutes; readers time out sooner). */
  readTimeoutMs?: number;
}

/** What the module's openRangeReader returns (in the worker). */
export interface RangeReader {
  size: number;
  /** The version being read: every range is pinned to it. */
  etag: string;
  /** Bytes [start, endExclusive). */
  read(start: number, endExclusive: number): Promise<Uint8Array>;
}

export interface RemoteInput extends RandomAccessInput {
  readonly etag: string;
}

/** Errors cross the thread as plain data: a PipelineError keeps its kind and code. */
export interface WireError {
  kind?: 'transient' | 'permanent';
  code?: string;
  message: string;
}

export type WorkerAnswer = { bytes: Uint8Array } | { error: WireError };

const DEFAULT_READ_TIMEOUT_MS = 10 * 60_000;
const WORKER_FILE = join(__dirname, 'range-reader.worker.js');

export async function openRemoteInput(spec: RemoteInputSpec): Promise<RemoteInput> {
  // --no-warnings: the reader's libraries (the AWS SDK's Node-version notice) would print their warnings a second
  // time, once per thread; reading errors come back as answers, not as warnings.
  const worker = new Worker(WORKER_FILE, { execArgv: [...process.execArgv, '--no-warnings'] });
  const { port1: port, port2: workerPort } = new MessageChannel();
  const control = new Int32Array(new SharedArrayBuffer(4));
  let opened: { size: number; etag: string };
  try {
    opened = await new Promise<{ size: number; etag: string }>((resolve, reject) => {
      const settle = (answer: { size: number; etag: string } | { error: WireError }) => {
        if ('error' in answer) reject(fromWire(answer.error));
        else resolve(answer);
      };
      worker.once('error', reject);
      // A worker that fails to open posts its error and ends: its 'exit' can arrive before the port's 'message'
      // event, though the answer is already queued on the port. Take it from there before calling it a crash.
      worker.once('exit', (code) => {
        const queued = receiveMessageOnPort(port);
        if (queued) settle(queued.message as { size: number; etag: string } | { error: WireError });
        else reject(new Error(`the range reader worker exited (code ${code}) before opening ${spec.name}`));
      });
      port.once('message', settle);
      worker.postMessage({ port: workerPort, control, module: spec.module, options: spec.options }, [workerPort]);
    });
  } catch (error) {
    await worker.terminate();
    port.close();
    throw error;
  }
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', () => undefined); // a crash shows up as a read that times out or finds no answer
  worker.unref();
  port.unref();
  const timeout = spec.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  let closed = false;

  return {
    size: opened.size,
    etag: opened.etag,
    name: spec.name,
    readSync(into, offset, length, position) {
      if (closed) throw new Error(`${spec.name}: read after close`);
      const end = Math.min(position + length, opened.size);
      if (end <= position) return 0;
      const answer = call(port, control, { position, end }, timeout, spec.name);
      if ('error' in answer) throw fromWire(answer.error);
      into.set(answer.bytes, offset);
      return answer.bytes.length;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Nothing the worker holds needs a clean goodbye: its read-aheads are only dropped.
      await worker.terminate();
      port.close();
    },
  };
}

function call(port: MessagePort, control: Int32Array, request: { position: number; end: number }, timeoutMs: number, name: string): WorkerAnswer {
  Atomics.store(control, 0, 0);
  port.postMessage(request);
  if (Atomics.wait(control, 0, 0, timeoutMs) === 'timed-out') {
    throw new TransientError('source_timeout', `reading bytes [${request.position}, ${request.end}) of ${name} took more than ${timeoutMs} ms`);
  }
  const received = receiveMessageOnPort(port);
  if (!received) throw new TransientError('source_unavailable', `the range reader of ${name} stopped answering`);
  return received.message as WorkerAnswer;
}

function fromWire(error: WireError): Error {
  if (error.kind && error.code) return new PipelineError(error.kind, error.code, error.message);
  return new Error(error.message);
}
