// A page decompressed on demand by a push decoder (fzstd's zstd Decompress, fflate's Gunzip or Unzlib): the
// compressed bytes are pushed a slice at a time, as far as the consumer has asked. Memory: the unread output,
// one input slice, and the decoder's window (for zstd the frame's window, checked below; for deflate 32 KiB).
import { EndOfStreamError, type FileRegion, moveUnreadToFront } from '../byte-streams';
import { CodecError, type PageBytes } from './page-bytes';

/** Where the compressed stream may be cut: the length of the next unit, given a peek at the bytes ahead. */
export interface Slicer {
  next(peek: (n: number) => Uint8Array): number;
}

/** What fzstd's and fflate's streaming decoders have in common. */
export interface PushDecoder {
  push(chunk: Uint8Array, final?: boolean): void;
}

export class PushStream implements PageBytes {
  buf = new Uint8Array(1 << 18);
  pos = 0;
  end = 0;
  private produced = 0;
  private finished = false;
  private readonly decoder: PushDecoder;

  /**
   * `input` holds exactly the page's compressed bytes; `sliceBytes` of them are pushed at a time (a slice of
   * deflate can inflate 1,000-fold in one push, so a smaller slice bounds that burst).
   */
  constructor(
    private readonly name: string,
    private readonly input: FileRegion,
    private readonly declared: number,
    makeDecoder: (ondata: (chunk: Uint8Array, final?: boolean) => void) => PushDecoder,
    private readonly sliceBytes: number,
    /** Cuts the input at unit boundaries (zstd blocks) instead of every `sliceBytes`. */
    private readonly slicer?: Slicer,
  ) {
    this.decoder = makeDecoder((chunk, final = false) => {
      this.append(chunk);
      if (final) this.finished = true;
    });
  }

  ensure(n: number): void {
    while (this.end - this.pos < n) {
      if (this.input.remaining === 0) {
        if (this.produced < this.declared) throw this.sizeError();
        throw new EndOfStreamError(`wanted ${n} bytes, the page has ${this.end - this.pos}`);
      }
      this.pushSlice();
    }
  }

  finish(): void {
    while (this.input.remaining > 0) {
      this.pos = this.end; // what the values did not read is not kept
      this.pushSlice();
    }
    if (!this.finished) throw new CodecError(`${this.name}: the page's compressed data ends early`);
    if (this.produced !== this.declared) throw this.sizeError();
  }

  private sizeError(): CodecError {
    return new CodecError(`${this.name}: the page decompresses to ${this.produced} bytes, its uncompressed_page_size is ${this.declared}`);
  }

  private pushSlice(): void {
    const left = this.input.remaining;
    const take = this.slicer ? Math.max(1, Math.min(left, this.slicer.next((k) => this.peek(Math.min(k, left))))) : Math.min(left, this.sliceBytes);
    this.input.ensure(take);
    // a copy: the decoder may keep part of it for the next push, and the region reuses its buffer
    const slice = this.input.buf.slice(this.input.pos, this.input.pos + take);
    this.input.pos += take;
    try {
      this.decoder.push(slice, this.input.remaining === 0);
    } catch (error) {
      if (error instanceof CodecError) throw error;
      throw new CodecError(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private peek(n: number): Uint8Array {
    this.input.ensure(n);
    return this.input.buf.subarray(this.input.pos, this.input.pos + n);
  }

  private append(chunk: Uint8Array): void {
    this.produced += chunk.length;
    if (this.produced > this.declared) {
      throw new CodecError(`${this.name}: the page decompresses to more than its uncompressed_page_size of ${this.declared} bytes`, 'page_too_large');
    }
    if (this.buf.length - this.end < chunk.length) moveUnreadToFront(this, chunk.length, this.buf.length * 2);
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}
