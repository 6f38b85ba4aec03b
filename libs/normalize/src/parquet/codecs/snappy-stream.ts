// Raw (block-format) snappy decoded in JavaScript as far as the consumer has asked: for pages too big to
// decompress whole (snappy's native library has no streaming API for the raw format). Memory: the unread
// output plus snappy's 64 KiB of history, whatever the page's size.
import { EndOfStreamError, type FileRegion, KeptView, readUleb128 } from '../byte-streams';
import { CodecError, type PageBytes } from './page-bytes';

/** Snappy writes back-references within 64 KiB blocks; this much history is kept behind the output. */
const SNAPPY_HISTORY = 1 << 16;
const SNAPPY_OUT_BYTES = 1 << 20;

/** A page's raw snappy bytes (`input` holds exactly them), decompressed on demand to `declared` bytes. */
export class SnappyStream implements PageBytes {
  buf: Uint8Array;
  pos = 0;
  end = 0;
  private produced = 0;
  private readonly total: number;

  constructor(
    private readonly input: FileRegion,
    declared: number,
  ) {
    const total = readUleb128(input);
    if (total === undefined) throw new CodecError('snappy: bad length varint');
    if (total !== declared) {
      throw new CodecError(`snappy: the page decompresses to ${total} bytes, its uncompressed_page_size is ${declared}`, total > declared ? 'page_too_large' : 'page_invalid');
    }
    this.total = total;
    // never more than the page can fill: a small page streamed (the fuzzer streams every page) stays small
    this.buf = new Uint8Array(Math.min(SNAPPY_OUT_BYTES + SNAPPY_HISTORY, total));
  }

  finish(): void {
    while (this.produced < this.total) {
      this.pos = this.end;
      this.ensure(Math.min(SNAPPY_OUT_BYTES, this.total - this.produced));
    }
    if (this.input.remaining !== 0) throw new CodecError(`snappy: ${this.input.remaining} bytes after the page's data`);
  }

  ensure(n: number): void {
    if (this.end - this.pos >= n) return;
    if (this.end - this.pos + (this.total - this.produced) < n) {
      throw new EndOfStreamError(`wanted ${n} bytes, the page has ${this.end - this.pos + this.total - this.produced}`);
    }
    this.makeRoom(n);
    while (this.end - this.pos < n) {
      this.fastElements(this.pos + n);
      if (this.end - this.pos < n) this.element();
    }
  }

  /**
   * Decodes elements until buf holds bytes up to `target`, as long as each one is whole in the input buffer, fits
   * the room left and is well formed; anything else (a long literal, the input's edge, an error) is left to
   * element(). The same output as element() by element(), without a call and its checks per element.
   */
  private fastElements(target: number): void {
    const input = this.input;
    const src = input.buf;
    const inEnd = input.end;
    const out = this.buf;
    const room = out.length;
    const total = this.total;
    // short literals and copies move 4 bytes at a time as DataView words, which may run up to 3 bytes past their
    // end: into output room not yet written (the next element overwrites it), from input that is there
    const srcView = this.inputView.of(src);
    const outView = this.outputView.of(out);
    let ip = input.pos;
    let op = this.end;
    let produced = this.produced;
    while (op < target && ip + 5 <= inEnd) {
      const tag = src[ip];
      const kind = tag & 3;
      let length: number;
      if (kind === 0) {
        length = (tag >>> 2) + 1;
        if (length > 60 || ip + 1 + length > inEnd || op + length > room || produced + length > total) break;
        ip++;
        if (length <= 16 && ip + length + 3 <= inEnd && op + length + 3 <= room) {
          for (let k = 0; k < length; k += 4) outView.setUint32(op + k, srcView.getUint32(ip + k, true), true);
        } else if (length <= 16) {
          for (let k = 0; k < length; k++) out[op + k] = src[ip + k];
        } else {
          out.set(src.subarray(ip, ip + length), op);
        }
        ip += length;
        op += length;
        produced += length;
        continue;
      }
      let offset: number;
      let next: number;
      if (kind === 1) {
        length = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[ip + 1];
        next = ip + 2;
      } else if (kind === 2) {
        length = (tag >>> 2) + 1;
        offset = src[ip + 1] | (src[ip + 2] << 8);
        next = ip + 3;
      } else {
        length = (tag >>> 2) + 1;
        offset = (src[ip + 1] | (src[ip + 2] << 8) | (src[ip + 3] << 16) | (src[ip + 4] << 24)) >>> 0;
        next = ip + 5;
      }
      if (offset === 0 || offset > op || op + length > room || produced + length > total) break;
      ip = next;
      let from = op - offset;
      if (offset >= length && length > 16) {
        out.copyWithin(op, from, from + length);
        op += length;
      } else if (offset >= 4 && op + length + 3 <= room) {
        // each word reads only bytes already written (they lie at least 4 back)
        for (let k = 0; k < length; k += 4) outView.setUint32(op + k, outView.getUint32(from + k, true), true);
        op += length;
      } else {
        for (let k = 0; k < length; k++) out[op++] = out[from++];
      }
      produced += length;
    }
    input.pos = ip;
    this.end = op;
    this.produced = produced;
  }

  private readonly inputView = new KeptView();
  private readonly outputView = new KeptView();

  /** Keeps the unread bytes and the history, and room for n more. */
  private makeRoom(n: number): void {
    const keepFrom = Math.max(0, Math.min(this.pos, this.end - SNAPPY_HISTORY));
    const needed = this.end - keepFrom + n + SNAPPY_HISTORY;
    if (keepFrom > 0 && this.buf.length - this.end < n + SNAPPY_HISTORY) {
      this.buf.copyWithin(0, keepFrom, this.end);
      this.pos -= keepFrom;
      this.end -= keepFrom;
    }
    if (this.buf.length < needed && this.buf.length < this.total) {
      // the output never passes the page's size: a buffer of that size holds all of it
      const grown = new Uint8Array(Math.min(needed * 2, this.total));
      grown.set(this.buf.subarray(0, this.end));
      this.buf = grown;
    }
  }

  private element(): void {
    const input = this.input;
    input.ensure(1);
    const tag = input.buf[input.pos++];
    let length: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        length = tag >>> 2;
        if (length >= 60) {
          const bytes = length - 59;
          input.ensure(bytes);
          length = 0;
          for (let i = 0; i < bytes; i++) length |= input.buf[input.pos++] << (8 * i);
          length >>>= 0;
        }
        length += 1;
        // checked before making room: a literal's length field can claim 4 GiB
        if (this.produced + length > this.total) throw new CodecError('snappy: more data than the declared length', 'page_too_large');
        this.room(length);
        input.ensure(length);
        this.buf.set(input.buf.subarray(input.pos, input.pos + length), this.end);
        input.pos += length;
        this.end += length;
        this.produced += length;
        return;
      }
      case 1:
        input.ensure(1);
        length = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | input.buf[input.pos++];
        break;
      case 2:
        input.ensure(2);
        length = (tag >>> 2) + 1;
        offset = input.buf[input.pos] | (input.buf[input.pos + 1] << 8);
        input.pos += 2;
        break;
      default:
        input.ensure(4);
        length = (tag >>> 2) + 1;
        offset = (input.buf[input.pos] | (input.buf[input.pos + 1] << 8) | (input.buf[input.pos + 2] << 16) | (input.buf[input.pos + 3] << 24)) >>> 0;
        input.pos += 4;
    }
    if (offset === 0 || offset > this.end) throw new CodecError(`snappy: back-reference of ${offset} bytes beyond the kept history`);
    this.room(length);
    const out = this.buf;
    let from = this.end - offset;
    if (offset >= length) {
      out.copyWithin(this.end, from, from + length);
      this.end += length;
    } else {
      for (let i = 0; i < length; i++) out[this.end++] = out[from++];
    }
    this.produced += length;
    if (this.produced > this.total) throw new CodecError('snappy: more data than the declared length', 'page_too_large');
  }

  private room(length: number): void {
    if (this.buf.length - this.end < length) this.makeRoom(length);
  }
}
