// Pull buffers over bytes that are never held whole: a region of a file read in slices, and bytes in memory.
// A consumer calls ensure(n), then reads buf[pos, pos + n) and advances pos itself. The decompressing pull
// buffers (one per codec) are in codecs/.
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
    // a buffer no larger than what is left of the region (a small page's own region stays small)
    moveUnreadToFront(this, want, Math.min(FILE_SLICE_BYTES, kept + this.stop - this.next));
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

  /**
   * The next `length` bytes, moving past them: a view of the buffer when they are already read (valid until
   * this region reads again), else read straight into a new array of their size (the buffer does not grow).
   */
  take(length: number): Uint8Array {
    if (this.remaining < length) throw new EndOfStreamError(`wanted ${length} bytes, ${this.remaining} left`);
    const have = this.end - this.pos;
    if (have >= length) {
      this.pos += length;
      return this.buf.subarray(this.pos - length, this.pos);
    }
    const out = new Uint8Array(length);
    out.set(this.buf.subarray(this.pos, this.end));
    for (let at = have; at < length; ) {
      const read = this.input.readSync(out, at, length - at, this.next);
      if (read === 0) throw new EndOfStreamError(`the file ended at byte ${this.next}`);
      at += read;
      this.next += read;
    }
    this.pos = this.end = 0;
    return out;
  }

  /**
   * The next `length` bytes as a region of their own, which a page's decoder cannot read past; this region
   * moves past them. When they are all read already the new region is a view of them, and this region reads on from
   * its buffer (the view must be done with before this region reads again: a page is read before the next header);
   * else the new region takes over the bytes already read, so that one buffer serves the column.
   */
  split(length: number): FileRegion {
    if (this.remaining < length) throw new EndOfStreamError(`wanted ${length} bytes, ${this.remaining} left`);
    const from = this.position;
    const child = new FileRegion(this.input, from, from + length);
    if (this.end - this.pos >= length) {
      child.buf = this.buf.subarray(this.pos, this.pos + length);
      child.end = length;
      child.next = from + length;
      this.pos += length;
      return child;
    }
    const buffered = Math.min(this.end - this.pos, length);
    child.buf = this.buf;
    child.pos = this.pos;
    child.end = this.pos + buffered;
    child.next = from + buffered;
    this.buf = new Uint8Array(0);
    this.pos = this.end = 0;
    this.next = from + length;
    return child;
  }
}

/**
 * Moves the unread bytes buf[pos, end) to the front, growing buf (to at least `minSize`) when they and `room`
 * more bytes do not fit.
 */
export function moveUnreadToFront(b: PullBuffer, room: number, minSize: number): void {
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

/**
 * A DataView of the bytes it was last given, made again only when it is given other bytes (a pull buffer's `buf`
 * is replaced when it grows): for the decoders' 4-byte word reads and writes.
 */
export class KeptView {
  private view: DataView | undefined;

  of(bytes: Uint8Array): DataView {
    const kept = this.view;
    if (kept && kept.buffer === bytes.buffer && kept.byteOffset === bytes.byteOffset && kept.byteLength === bytes.byteLength) return kept;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.view;
  }
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
