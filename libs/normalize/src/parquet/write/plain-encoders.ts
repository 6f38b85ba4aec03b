// PLAIN encoders of the fixed-width columns: int32, float32 and int64 (timestamps) values copied little-endian,
// booleans bit-packed LSB first. Nulls take no space (the definition levels say where they are). Each keeps
// the min/max of its open page and of its column chunk (see statistics.ts).
import type * as arrow from 'apache-arrow';
import { Encoding } from '../format';
import { int32Words } from '../../columns/int32-words';
import { bitAt, validityOf } from './arrow-data';
import { ByteBuffer } from './byte-buffer';
import { BooleanRange, Int64Range, NumberRange, type ValueRange } from './statistics';
import type { MinMax, ValueEncoder } from './value-encoder';

abstract class PlainEncoder<R extends ValueRange> implements ValueEncoder {
  readonly encoding = Encoding.PLAIN;
  protected readonly out: ByteBuffer;

  constructor(
    protected readonly page: R,
    private readonly chunk: R,
    pageCapacityBytes: number,
  ) {
    this.out = new ByteBuffer(Math.ceil(pageCapacityBytes));
  }

  abstract append(data: arrow.Data, start: number, count: number): void;

  pageBytes(): number {
    return this.out.length;
  }

  takePage(): { values: Uint8Array; range: MinMax } {
    const values = this.out.view();
    const range = this.page.bytes();
    this.page.mergeInto(this.chunk);
    this.page.reset();
    this.out.reset();
    return { values, range };
  }

  takeChunk(): { range: MinMax } {
    const range = this.chunk.bytes();
    this.chunk.reset();
    return { range };
  }
}

/** int32 and float32: 4 bytes a value. */
abstract class FourByteEncoder extends PlainEncoder<NumberRange> {
  append(data: arrow.Data, start: number, count: number): void {
    const source = data.values as Int32Array | Float32Array;
    this.out.reserve(count * 4);
    // the page buffer holds only 4-byte values from offset 0: its length stays a multiple of 4
    const at = this.out.length >> 2;
    const target = this.view(this.out.bytes);
    const validity = validityOf(data);
    let n = 0;
    if (!validity) {
      target.set(source.subarray(start, start + count), at);
      n = count;
    } else {
      for (let i = start; i < start + count; i++) {
        if (bitAt(validity.bits, validity.offset + i)) target[at + n++] = source[i];
      }
    }
    this.fold(target, at, at + n);
    this.out.length += n * 4;
  }

  protected abstract view(bytes: Uint8Array): Int32Array | Float32Array;
  protected abstract fold(values: Int32Array | Float32Array, from: number, to: number): void;
}

export class Int32PlainEncoder extends FourByteEncoder {
  constructor(pageCapacityBytes = 1 << 16) {
    super(new NumberRange('int32'), new NumberRange('int32'), pageCapacityBytes);
  }

  protected view(bytes: Uint8Array): Int32Array {
    return int32Words(bytes);
  }

  protected fold(values: Int32Array, from: number, to: number): void {
    let { min, max } = this.page;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.page.min = min;
    this.page.max = max;
  }
}

export class Float32PlainEncoder extends FourByteEncoder {
  constructor(pageCapacityBytes = 1 << 16) {
    super(new NumberRange('float32'), new NumberRange('float32'), pageCapacityBytes);
  }

  protected view(bytes: Uint8Array): Float32Array {
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  }

  protected fold(values: Float32Array, from: number, to: number): void {
    let { min, max } = this.page;
    // NaN fails both comparisons: it never becomes a bound
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.page.min = min;
    this.page.max = max;
  }
}

/** int64 (timestamps): 8 bytes a value, compared as signed high word then unsigned low word. */
export class Int64PlainEncoder extends PlainEncoder<Int64Range> {
  constructor(pageCapacityBytes = 1 << 16) {
    super(new Int64Range(), new Int64Range(), pageCapacityBytes);
  }

  append(data: arrow.Data, start: number, count: number): void {
    // Arrow JS holds int64 as BigInt64Array (older versions: pairs of int32); both are read as 32-bit words
    const source = data.values as BigInt64Array | Int32Array;
    const words = int32Words(source);
    this.out.reserve(count * 8);
    const bytes = this.out.bytes;
    const target = int32Words(bytes);
    let at = this.out.length >> 2;
    const first = at;
    const validity = validityOf(data);
    if (!validity) {
      target.set(words.subarray(start * 2, (start + count) * 2), at);
      at += count * 2;
    } else {
      for (let i = start; i < start + count; i++) {
        if (!bitAt(validity.bits, validity.offset + i)) continue;
        target[at++] = words[2 * i];
        target[at++] = words[2 * i + 1];
      }
    }
    const r = this.page;
    let { minHi, minLo, maxHi, maxLo } = r;
    for (let k = first; k < at; k += 2) {
      const lo = target[k] >>> 0;
      const hi = target[k + 1];
      if (hi < minHi || (hi === minHi && lo < minLo)) {
        minHi = hi;
        minLo = lo;
      }
      if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
        maxHi = hi;
        maxLo = lo;
      }
    }
    if (at > first) Object.assign(r, { minHi, minLo, maxHi, maxLo, any: true });
    this.out.length = at * 4;
  }
}

/** Booleans: one bit a value, LSB first; the last byte of a page is padded with zeros. */
export class BooleanPlainEncoder extends PlainEncoder<BooleanRange> {
  private bits = 0;
  private pending = 0;

  constructor(pageCapacityBytes = 1 << 16) {
    super(new BooleanRange(), new BooleanRange(), pageCapacityBytes);
  }

  append(data: arrow.Data, start: number, count: number): void {
    const values = data.values as Uint8Array;
    const validity = validityOf(data);
    let { bits, pending } = this;
    let trues = 0;
    let seen = 0;
    for (let i = start; i < start + count; i++) {
      if (validity && !bitAt(validity.bits, validity.offset + i)) continue;
      const v = bitAt(values, data.offset + i);
      pending |= v << bits;
      trues += v;
      seen++;
      if (++bits === 8) {
        this.out.byte(pending);
        pending = 0;
        bits = 0;
      }
    }
    this.bits = bits;
    this.pending = pending;
    if (trues > 0) this.page.sawTrue = true;
    if (seen > trues) this.page.sawFalse = true;
  }

  override pageBytes(): number {
    return this.out.length + (this.bits > 0 ? 1 : 0);
  }

  override takePage(): { values: Uint8Array; range: MinMax } {
    if (this.bits > 0) this.out.byte(this.pending);
    this.bits = 0;
    this.pending = 0;
    return super.takePage();
  }
}
