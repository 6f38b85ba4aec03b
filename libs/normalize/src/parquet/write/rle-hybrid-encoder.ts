// Parquet's RLE / bit-packed hybrid encoding (definition levels, dictionary indices), written value by value or
// run by run. It follows arrow-rs's RleEncoder: 8 or more equal values become an RLE run, anything else is
// bit-packed in groups of 8 (at most 63 groups per run, so the run header is always one byte, patched in place).
import { ByteBuffer } from './byte-buffer';

const MAX_GROUPS_PER_BIT_PACKED_RUN = 63;

export class RleHybridEncoder {
  readonly out = new ByteBuffer(4096);
  private readonly buffered = new Int32Array(8);
  private numBuffered = 0;
  private currentValue = -1;
  private repeatCount = 0;
  /** Values in the open bit-packed run (a multiple of 8). */
  private bitPackedCount = 0;
  /** Where the open bit-packed run's header byte goes, or -1. */
  private indicatorPos = -1;
  private valueBytes = 0;
  private width = 0;

  constructor(bitWidth: number) {
    this.setWidth(bitWidth);
  }

  get bitWidth(): number {
    return this.width;
  }

  /** values[from, to): the same bytes as a put() per value, a group of 8 at a time where no run is in play. */
  putAll(values: Int32Array, from: number, to: number): void {
    let i = from;
    while (i < to) {
      // At a group boundary with no run under way (repeatCount is then 0), 8 values whose last two differ hold no
      // run of 8: put() would buffer them all and bit-pack them, ending with repeatCount 1 at values[i + 7].
      if (this.numBuffered === 0 && this.repeatCount === 0 && to - i >= 8 && values[i + 6] !== values[i + 7]) {
        // what flushBuffered does with such a group, packed straight from `values`
        if (this.indicatorPos < 0) {
          this.indicatorPos = this.out.length;
          this.out.byte(0);
        }
        this.pack(values, i);
        this.currentValue = values[i + 7];
        this.bitPackedCount += 8;
        if (this.bitPackedCount / 8 >= MAX_GROUPS_PER_BIT_PACKED_RUN) this.flushBitPackedRun(true);
        i += 8;
      } else {
        this.put(values[i++]);
      }
    }
  }

  put(value: number): void {
    if (value === this.currentValue) {
      this.repeatCount++;
      // an RLE run in progress: nothing to buffer
      if (this.repeatCount > 8) return;
    } else {
      if (this.repeatCount >= 8) this.flushRleRun();
      this.repeatCount = 1;
      this.currentValue = value;
    }
    this.buffered[this.numBuffered++] = value;
    if (this.numBuffered === 8) this.flushBuffered();
  }

  /** `count` copies of `value`: the same bytes as `count` put() calls, in O(8) once a run is under way. */
  putRun(value: number, count: number): void {
    while (count > 0 && !(value === this.currentValue && this.repeatCount >= 8)) {
      this.put(value);
      count--;
    }
    this.repeatCount += count;
  }

  /** Ends the encoding (pads the last bit-packed group with zeros) and returns the bytes; then reset() to reuse. */
  finish(): Uint8Array {
    if (this.bitPackedCount > 0 || this.repeatCount > 0 || this.numBuffered > 0) {
      const allRepeat = this.bitPackedCount === 0 && (this.repeatCount === this.numBuffered || this.numBuffered === 0);
      if (this.repeatCount > 0 && allRepeat) {
        this.flushRleRun();
      } else {
        if (this.numBuffered > 0) while (this.numBuffered < 8) this.buffered[this.numBuffered++] = 0;
        this.bitPackedCount += this.numBuffered;
        this.flushBitPackedRun(true);
        this.repeatCount = 0;
      }
    }
    return this.out.view();
  }

  /** Empties the encoder for reuse, at `bitWidth` (default: the same). */
  reset(bitWidth = this.width): void {
    this.setWidth(bitWidth);
    this.out.reset();
    this.numBuffered = 0;
    this.currentValue = -1;
    this.repeatCount = 0;
    this.bitPackedCount = 0;
    this.indicatorPos = -1;
  }

  private setWidth(bitWidth: number): void {
    if (!Number.isInteger(bitWidth) || bitWidth < 0 || bitWidth > 32) throw new RangeError(`bit width ${bitWidth}`);
    this.width = bitWidth;
    this.valueBytes = (bitWidth + 7) >> 3;
  }

  private flushBuffered(): void {
    if (this.repeatCount >= 8) {
      // these 8 start an RLE run: close the bit-packed run before them, if any
      this.numBuffered = 0;
      if (this.bitPackedCount > 0) this.flushBitPackedRun(true);
      return;
    }
    this.bitPackedCount += this.numBuffered;
    this.flushBitPackedRun(this.bitPackedCount / 8 >= MAX_GROUPS_PER_BIT_PACKED_RUN);
    this.repeatCount = 0;
  }

  private flushRleRun(): void {
    this.out.uleb128(this.repeatCount * 2);
    let v = this.currentValue;
    for (let b = 0; b < this.valueBytes; b++) {
      this.out.byte(v & 0xff);
      v >>>= 8;
    }
    this.numBuffered = 0;
    this.repeatCount = 0;
  }

  private flushBitPackedRun(closeRun: boolean): void {
    if (this.indicatorPos < 0) {
      this.indicatorPos = this.out.length;
      this.out.byte(0);
    }
    if (this.numBuffered > 0) this.packGroup();
    this.numBuffered = 0;
    if (closeRun) {
      this.out.bytes[this.indicatorPos] = ((this.bitPackedCount / 8) << 1) | 1;
      this.indicatorPos = -1;
      this.bitPackedCount = 0;
    }
  }

  /** The 8 buffered values, LSB first, in exactly bitWidth bytes. */
  private packGroup(): void {
    this.pack(this.buffered, 0);
  }

  /** values[from, from + 8), LSB first, in exactly bitWidth bytes. */
  private pack(source: Int32Array, from: number): void {
    const width = this.width;
    this.out.reserve(width);
    const bytes = this.out.bytes;
    let at = this.out.length;
    let acc = 0;
    let bits = 0;
    if (width <= 24) {
      // fewer than 8 bits are pending before each value, so value << bits stays within 31 bits
      for (let k = 0; k < 8; k++) {
        acc |= source[from + k] << bits;
        bits += width;
        while (bits >= 8) {
          bytes[at++] = acc & 0xff;
          acc >>>= 8;
          bits -= 8;
        }
      }
    } else {
      for (let k = 0; k < 8; k++) {
        let value = source[from + k] >>> 0;
        for (let rest = width; rest > 0; ) {
          const take = Math.min(rest, 8 - bits);
          acc |= (value & ((1 << take) - 1)) << bits;
          bits += take;
          rest -= take;
          value >>>= take;
          if (bits === 8) {
            bytes[at++] = acc;
            acc = 0;
            bits = 0;
          }
        }
      }
    }
    this.out.length = at;
  }
}

/** Bits needed for values 0..maxValue (at least 1: some readers mishandle a width of 0). */
export function bitWidthFor(maxValue: number): number {
  let width = 1;
  while (width < 32 && maxValue >= 2 ** width) width++;
  return width;
}
