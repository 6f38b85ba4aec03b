// A page decompressed on demand by node:zlib's native decoders (zstd, gzip/zlib, brotli), synchronously: the
// column cursor pulls its bytes a window at a time, and each call into the decoder writes straight into this
// buffer, never more than the room left in it and never more than the page declares (plus one byte, to notice a
// page that holds more). Memory: the unread output, the compressed slice the region has read, and the decoder's
// own state (deflate's 32 KiB window; brotli's window, at most 16 MiB; zstd's window, bounded below).
//
// node:zlib's public streams are asynchronous, and its *Sync functions take the whole input and return the whole
// output. Both are built on one synchronous native call, `handle.writeSync(flush, in, inOff, inLen, out, outOff,
// outLen)`, which reports the input and output left over in the stream's `_writeState` and errors through
// `handle.onerror`; Node's own `zlibBufferSync` drives it in a loop exactly as this class does. That handle is not
// a documented API: every NativeStream checks its shape when it opens its decoder (a clear error if it changed),
// and a spec pins it through `nativeDecoderSurface()` against the Node this project runs on (package.json's `node`
// devDependency, the Dockerfile's image).
import * as zlib from 'node:zlib';
import { EndOfStreamError, type FileRegion, moveUnreadToFront } from '../byte-streams';
import { CodecError, type PageBytes, checkPadding } from './page-bytes';

/** The synchronous side of a node:zlib stream's native handle. */
interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  close(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

interface NativeDecoder {
  handle: NativeHandle;
  /** [output bytes left unwritten, input bytes left unread] after each writeSync. */
  state: Uint32Array;
}

export type NativeCodec = 'zstd' | 'gzip' | 'zlib' | 'brotli';

/** Smallest output buffer; the cursor's windows grow it to what they ask for. */
const MIN_BUFFER_BYTES = 1 << 18;
/** Output written per native call at most: bounds a burst (deflate inflates ~1,000-fold) to this. */
const MAX_CALL_OUTPUT_BYTES = 1 << 20;
/** zstd's smallest and largest window exponents (RFC 8878: 10; Node's default windowLogMax: 27). */
const ZSTD_MIN_WINDOW_LOG = 10;
const ZSTD_MAX_WINDOW_LOG = 27;

const FINISH: Record<NativeCodec, number> = {
  zstd: zlib.constants.ZSTD_e_end,
  gzip: zlib.constants.Z_FINISH,
  zlib: zlib.constants.Z_FINISH,
  brotli: zlib.constants.BROTLI_OPERATION_FINISH,
};
const CONTINUE: Record<NativeCodec, number> = {
  zstd: zlib.constants.ZSTD_e_continue,
  gzip: zlib.constants.Z_NO_FLUSH,
  zlib: zlib.constants.Z_NO_FLUSH,
  brotli: zlib.constants.BROTLI_OPERATION_PROCESS,
};

/** A node:zlib decoder's native handle, or undefined when this Node's zlib does not have the expected shape. */
function openDecoder(codec: NativeCodec, maxWindowBytes: number): NativeDecoder | undefined {
  let stream: zlib.ZstdDecompress | zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
  switch (codec) {
    case 'zstd': {
      // every frame of the page, not only the first, may ask for at most this window (Node refuses larger ones)
      const log = Math.min(ZSTD_MAX_WINDOW_LOG, Math.max(ZSTD_MIN_WINDOW_LOG, Math.ceil(Math.log2(maxWindowBytes))));
      stream = zlib.createZstdDecompress({ params: { [zlib.constants.ZSTD_d_windowLogMax]: log } });
      break;
    }
    case 'gzip':
      stream = zlib.createGunzip();
      break;
    case 'zlib':
      stream = zlib.createInflate();
      break;
    case 'brotli':
      stream = zlib.createBrotliDecompress();
      break;
  }
  const internals = stream as unknown as { _handle?: Partial<NativeHandle>; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || typeof handle.close !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
    return undefined;
  }
  return { handle: handle as NativeHandle, state };
}

/** Whether this Node's zlib can be driven synchronously as NativeStream does (the spec's check of the surface). */
export function nativeDecoderSurface(codec: NativeCodec): boolean {
  const decoder = openDecoder(codec, 1 << 20);
  decoder?.handle.close();
  return decoder !== undefined;
}

export class NativeStream implements PageBytes {
  buf: Uint8Array;
  pos = 0;
  end = 0;
  private produced = 0;
  /** The decoder took no more input and gave no more output: its stream is over (or cut short). */
  private stalled = false;
  private closed = false;
  private error: string | undefined;
  private readonly decoder: NativeDecoder;

  /**
   * `input` holds exactly the page's compressed bytes, which decompress to `declared` bytes; `maxWindowBytes`
   * bounds the window every zstd frame of the page may ask for (rounded up to a power of two).
   */
  constructor(
    private readonly name: NativeCodec,
    private readonly input: FileRegion,
    private readonly declared: number,
    maxWindowBytes = declared,
  ) {
    const decoder = openDecoder(name, maxWindowBytes);
    if (!decoder) {
      throw new Error(`node:zlib ${process.version} has no synchronous ${name} decoder handle: sluice needs the Node.js version in package.json`);
    }
    decoder.handle.onerror = (message, _errno, code) => {
      this.error = code ? `${message} (${code})` : message;
    };
    this.decoder = decoder;
    // one byte more than the page, to notice a page that holds more; a small page streamed stays small
    this.buf = new Uint8Array(Math.min(MIN_BUFFER_BYTES, declared + 1));
  }

  ensure(n: number): void {
    while (this.end - this.pos < n) {
      if (this.stalled) {
        if (this.produced < this.declared) throw this.sizeError();
        throw new EndOfStreamError(`wanted ${n} bytes, the page has ${this.end - this.pos}`);
      }
      const unread = this.end - this.pos;
      // room for what is asked, or a good slice of it, never more than the page can still give (+1)
      const room = Math.min(Math.max(n - unread, MIN_BUFFER_BYTES / 4), this.declared - this.produced + 1);
      if (this.buf.length - this.end < room) moveUnreadToFront(this, room, Math.min(this.buf.length * 2, unread + this.declared - this.produced + 1));
      this.step();
    }
  }

  finish(): void {
    try {
      while (!this.stalled) {
        this.pos = this.end = 0; // what the values did not read is not kept
        this.step();
      }
      // refuses a stream cut short (given no room, zlib would not say: a gzip member without its trailer would pass)
      this.pos = this.end = 0;
      this.call(FINISH[this.name], 0, 1);
      while (this.input.remaining > 0) {
        this.input.ensure(Math.min(this.input.remaining, 1 << 16));
        checkPadding(this.name, this.input.buf.subarray(this.input.pos, this.input.end), this.input.remaining);
        this.input.pos = this.input.end;
      }
      if (this.produced !== this.declared) throw this.sizeError();
    } finally {
      this.close();
    }
  }

  /** One native call: as much input as the region holds, as much output as fits (and the page may still hold). */
  private step(): void {
    if (this.input.end === this.input.pos && this.input.remaining > 0) this.input.ensure(1);
    const room = Math.min(this.buf.length - this.end, this.declared - this.produced + 1, MAX_CALL_OUTPUT_BYTES);
    const inLen = this.input.end - this.input.pos;
    const { read, written } = this.call(CONTINUE[this.name], inLen, room);
    if (read === 0 && written === 0) this.stalled = true;
  }

  private call(flush: number, inLen: number, outLen: number): { read: number; written: number } {
    if (this.closed) throw new CodecError(`${this.name}: the page's decoder is closed`);
    const { handle, state } = this.decoder;
    handle.writeSync(flush, this.input.buf, this.input.pos, inLen, this.buf, this.end, outLen);
    if (this.error !== undefined) {
      const message = this.error;
      this.close();
      throw new CodecError(`${this.name}: ${message}`);
    }
    const read = inLen - state[1];
    const written = outLen - state[0];
    this.input.pos += read;
    this.end += written;
    this.produced += written;
    if (this.produced > this.declared) {
      this.close();
      throw new CodecError(`${this.name}: the page decompresses to more than its uncompressed_page_size of ${this.declared} bytes`, 'page_too_large');
    }
    return { read, written };
  }

  private sizeError(): CodecError {
    return new CodecError(`${this.name}: the page decompresses to ${this.produced} bytes, its uncompressed_page_size is ${this.declared}`);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder.handle.close();
  }
}
