// Pull buffers over bytes that are never held whole: a region of a file read in slices, and a snappy stream
// decompressed as far as the consumer has asked. A consumer calls ensure(n), then reads buf[pos, pos + n) and
// advances pos itself. Nothing here holds more than a slice (plus snappy's 64 KiB history).
import { Decompress } from 'fzstd';
import type { RandomAccessInput } from '../io/random-access-input';

export class EndOfStreamError extends Error {}

export interface PullBuffer {
  buf: Uint8Array;
  pos: number;
  end: number;
  /** Makes at least n bytes available at pos (throws EndOfStreamError if the stream has fewer). */
  ensure(n: number): void;
}

const FILE_SLICE_BYTES = 1 << 20;

/** Bytes [start, stop) of an input, read synchronously in slices of about 1 MiB. */
export class FileRegion implements PullBuffer {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  private next: number;

  constructor(
    private readonly input: RandomAccessInput,
    start: number,
    private readonly stop: number,
  ) {
    this.next = start;
  }

  get remaining(): number {
    return this.end - this.pos + (this.stop - this.next);
  }

  ensure(n: number): void {
    if (this.end - this.pos >= n) return;
    if (this.remaining < n) throw new EndOfStreamError(`wanted ${n} bytes, ${this.remaining} left`);
    const want = Math.min(this.stop - this.next, Math.max(n - (this.end - this.pos), FILE_SLICE_BYTES));
    const kept = this.end - this.pos;
    moveUnreadToFront(this, want, FILE_SLICE_BYTES);
    while (this.end < kept + want) {
      const read = this.input.readSync(this.buf, this.end, kept + want - this.end, this.next);
      if (read === 0) throw new EndOfStreamError(`the file ended at byte ${this.next}`);
      this.end += read;
      this.next += read;
    }
  }

  /** Absolute file offset of buf[pos]. */
  get position(): number {
    return this.next - (this.end - this.pos);
  }

  /** Moves to an absolute offset at or after the current one, dropping what lies between. */
  seek(offset: number): void {
    const skip = offset - this.position;
    if (skip < 0 || offset > this.stop) throw new EndOfStreamError(`cannot seek to byte ${offset}`);
    if (skip <= this.end - this.pos) {
      this.pos += skip;
    } else {
      this.next = offset;
      this.pos = this.end = 0;
    }
  }
}

/**
 * Moves the unread bytes buf[pos, end) to the front, growing buf (to at least `minSize`) when they and `room`
 * more bytes do not fit.
 */
function moveUnreadToFront(b: PullBuffer, room: number, minSize: number): void {
  const kept = b.end - b.pos;
  if (b.buf.length < kept + room) {
    const grown = new Uint8Array(Math.max(kept + room, minSize));
    grown.set(b.buf.subarray(b.pos, b.end));
    b.buf = grown;
  } else {
    b.buf.copyWithin(0, b.pos, b.end);
  }
  b.pos = 0;
  b.end = kept;
}

/** An unsigned LEB128 varint of at most 5 bytes (snappy's length, RLE run headers); undefined if longer. */
export function readUleb128(input: PullBuffer): number | undefined {
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    input.ensure(1);
    const b = input.buf[input.pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
  }
  return undefined;
}

/** Bytes already in memory. */
export class MemoryBuffer implements PullBuffer {
  pos = 0;
  end: number;
  constructor(public buf: Uint8Array) {
    this.end = buf.length;
  }
  ensure(n: number): void {
    if (this.end - this.pos < n) throw new EndOfStreamError(`wanted ${n} bytes, ${this.end - this.pos} left`);
  }
}

/** Snappy writes back-references within 64 KiB blocks; this much history is kept behind the output. */
const SNAPPY_HISTORY = 1 << 16;
const SNAPPY_OUT_BYTES = 1 << 20;

/** Raw (block-format) snappy, decompressed on demand from a compressed page of `compressedLength` bytes. */
export class SnappyStream implements PullBuffer {
  buf = new Uint8Array(SNAPPY_OUT_BYTES + SNAPPY_HISTORY);
  pos = 0;
  end = 0;
  private produced = 0;
  private readonly total: number;
  private readonly inputEnd: number;

  constructor(
    private readonly input: FileRegion,
    compressedLength: number,
  ) {
    this.inputEnd = input.remaining - compressedLength; // input bytes left when this page is consumed
    const total = readUleb128(input);
    if (total === undefined) throw new SnappyError('bad length varint');
    this.total = total;
  }

  ensure(n: number): void {
    if (this.end - this.pos >= n) return;
    if (this.end - this.pos + (this.total - this.produced) < n) {
      throw new EndOfStreamError(`wanted ${n} bytes, the page has ${this.end - this.pos + this.total - this.produced}`);
    }
    this.makeRoom(n);
    while (this.end - this.pos < n) this.element();
  }

  /** Keeps the unread bytes and the history, and room for n more. */
  private makeRoom(n: number): void {
    const keepFrom = Math.max(0, Math.min(this.pos, this.end - SNAPPY_HISTORY));
    const needed = this.end - keepFrom + n + SNAPPY_HISTORY;
    if (keepFrom > 0 && this.buf.length - this.end < n + SNAPPY_HISTORY) {
      this.buf.copyWithin(0, keepFrom, this.end);
      this.pos -= keepFrom;
      this.end -= keepFrom;
    }
    if (this.buf.length < needed) {
      const grown = new Uint8Array(needed * 2);
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
    if (offset === 0 || offset > this.end) throw new SnappyError(`back-reference of ${offset} bytes beyond the kept history`);
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
    if (this.produced > this.total) throw new SnappyError('more data than the declared length');
  }

  private room(length: number): void {
    if (this.buf.length - this.end < length) this.makeRoom(length);
  }

  /** True when every compressed byte of the page has been consumed. */
  get inputDone(): boolean {
    return this.input.remaining === this.inputEnd;
  }
}

export class SnappyError extends Error {}

/** Compressed bytes handed to the zstd decoder at a time. */
const ZSTD_INPUT_SLICE = 1 << 16;

/**
 * A zstd-compressed page, decompressed on demand with fzstd's streaming decoder: memory is the unread output,
 * one input slice, and zstd's window (at most the frame's window size: ≤ 8 MiB at the levels Parquet writers
 * use, and never more than the page for a page small enough to be one segment).
 */
export class ZstdStream implements PullBuffer {
  buf = new Uint8Array(1 << 18);
  pos = 0;
  end = 0;
  private consumed = 0;
  private finished = false;
  private readonly decoder: Decompress;

  constructor(
    private readonly input: FileRegion,
    private readonly compressedLength: number,
  ) {
    this.decoder = new Decompress((chunk, final) => {
      this.append(chunk);
      if (final) this.finished = true;
    });
  }

  ensure(n: number): void {
    while (this.end - this.pos < n) {
      if (this.consumed >= this.compressedLength) {
        throw new EndOfStreamError(`wanted ${n} bytes, the page has ${this.end - this.pos}`);
      }
      const take = Math.min(this.compressedLength - this.consumed, ZSTD_INPUT_SLICE);
      this.input.ensure(take);
      // a copy: the decoder may keep part of it for the next push, and the region reuses its buffer
      const slice = this.input.buf.slice(this.input.pos, this.input.pos + take);
      this.input.pos += take;
      this.consumed += take;
      try {
        this.decoder.push(slice, this.consumed === this.compressedLength);
      } catch (error) {
        throw new ZstdError(`zstd: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** True once the frame's last block has been decoded. */
  get done(): boolean {
    return this.finished;
  }

  private append(chunk: Uint8Array): void {
    if (this.buf.length - this.end < chunk.length) moveUnreadToFront(this, chunk.length, this.buf.length * 2);
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}

export class ZstdError extends Error {}
