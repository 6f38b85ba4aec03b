// Parquet's RLE / bit-packed hybrid encoding (definition levels, dictionary indices), decoded incrementally
// from a pull buffer: any number of values at a time, resuming where the last call stopped.
import { KeptView, type PullBuffer, readUleb128 } from './byte-streams';
import { CorruptParquetError } from './limits';

export class RleDecodeError extends Error {}

export class RleHybridDecoder {
  private rleLeft = 0;
  private rleValue = 0;
  /** Values left in the current bit-packed run, and the run's decoded group of 8. */
  private packedLeft = 0;
  private readonly group = new Int32Array(8);
  private groupPos = 8;

  /** The input's buffer, for word reads. */
  private readonly view = new KeptView();

  /** Values the runs read so far have claimed: never more than `maxValues` (bit-packed runs round up to 8). */
  private claimed = 0;

  constructor(
    private readonly input: PullBuffer,
    private readonly bitWidth: number,
    private readonly maxValues = Number.POSITIVE_INFINITY,
    private readonly what = 'RLE data',
  ) {
    if (bitWidth < 0 || bitWidth > 32) throw new RleDecodeError(`bit width ${bitWidth}`);
  }

  /**
   * Consumes the next `count` values if they are all `value` within the current RLE run (or the run that starts
   * next) and returns true; otherwise consumes nothing and returns false. Lets a reader skip a page's definition
   * levels when a column has no nulls there.
   */
  skipRun(value: number, count: number): boolean {
    if (this.rleLeft === 0 && this.packedLeft === 0) this.nextRun();
    if (this.rleLeft < count || this.rleValue !== value) return false;
    this.rleLeft -= count;
    return true;
  }

  /** Decodes `count` values into out[at, at + count). */
  read(out: Int32Array | Uint8Array, at: number, count: number): void {
    let i = at;
    const stop = at + count;
    while (i < stop) {
      if (this.rleLeft > 0) {
        const n = Math.min(this.rleLeft, stop - i);
        out.fill(this.rleValue, i, i + n);
        i += n;
        this.rleLeft -= n;
      } else if (this.packedLeft > 0) {
        if (this.groupPos === 8 && this.bitWidth <= 24 && this.packedLeft >= 8 && stop - i >= 8) {
          // whole groups straight into the output: no copy through the group buffer
          const groups = Math.min(this.packedLeft, stop - i) >> 3;
          this.unpackGroupsInto(out, i, groups);
          i += groups * 8;
          this.packedLeft -= groups * 8;
          continue;
        }
        if (this.groupPos === 8) this.unpackGroup();
        const n = Math.min(this.packedLeft, 8 - this.groupPos, stop - i);
        for (let k = 0; k < n; k++) out[i++] = this.group[this.groupPos++];
        this.packedLeft -= n;
      } else {
        this.nextRun();
      }
    }
  }

  private nextRun(): void {
    const header = readUleb128(this.input);
    if (header === undefined) throw new RleDecodeError('bad run header');
    const count = header % 2 === 1 ? Math.floor(header / 2) * 8 : Math.floor(header / 2);
    // An RLE run may not claim more values than the page holds: it can claim billions in five bytes. A bit-packed
    // run is different: its values are its own bytes, read a group of 8 at a time as they are asked for, so a long
    // claim costs nothing until its bytes are there; and writers pad the last one past the page's values (DuckDB
    // packs in blocks: "a run of 256 values" for the last 195 of a page; arrow-rs reads them). It may only not
    // start once the page's values are all claimed.
    const left = this.maxValues - this.claimed;
    if (header % 2 === 1 ? left <= 0 : count > left) {
      throw new CorruptParquetError('values_exceed_page', `${this.what}: a run of ${count} values, the page holds ${Math.max(0, left)} more`);
    }
    this.claimed += count;
    if (header % 2 === 1) {
      this.packedLeft = count;
      this.groupPos = 8;
      if (this.packedLeft === 0) throw new RleDecodeError('empty bit-packed run');
    } else {
      this.rleLeft = count;
      const bytes = (this.bitWidth + 7) >> 3;
      this.input.ensure(bytes);
      let v = 0;
      for (let b = 0; b < bytes; b++) v |= this.input.buf[this.input.pos++] << (8 * b);
      this.rleValue = v;
    }
  }

  /** `groups` groups of 8 values of a width up to 24 bits, decoded into out[at, at + 8 × groups). */
  private unpackGroupsInto(out: Int32Array | Uint8Array, at: number, groups: number): void {
    const width = this.bitWidth;
    const input = this.input;
    const bytes = groups * width;
    input.ensure(bytes);
    const buf = input.buf;
    const p = input.pos;
    const end = at + groups * 8;
    if (width === 0) {
      out.fill(0, at, end);
      return;
    }
    const mask = (1 << width) - 1;
    if (input.end - p >= bytes + 3) {
      // each value from the 4 bytes that hold it, read as one little-endian word (a width up to 24 plus a shift up
      // to 7 fits 31 bits): reads up to 3 bytes past the groups, which are there. A DataView read is about twice as
      // fast as assembling the word from 4 bytes.
      const view = this.view.of(buf);
      for (let o = at, bit = 0; o < end; o++, bit += width) {
        out[o] = (view.getUint32(p + (bit >>> 3), true) >>> (bit & 7)) & mask;
      }
      input.pos += bytes;
      return;
    }
    // at the end of the buffer, where a word would read past it: a group at a time, as read() does
    for (let o = at; o < end; o += 8) {
      this.unpackGroup();
      out.set(this.group, o);
    }
    this.groupPos = 8;
  }

  private unpackGroup(): void {
    const width = this.bitWidth;
    const input = this.input;
    input.ensure(width);
    const buf = input.buf;
    let p = input.pos;
    let acc = 0;
    let bits = 0;
    const mask = width === 32 ? -1 : (1 << width) - 1;
    if (width <= 24) {
      for (let k = 0; k < 8; k++) {
        while (bits < width) {
          acc = (acc | (buf[p++] << bits)) >>> 0;
          bits += 8;
        }
        this.group[k] = acc & mask;
        acc >>>= width;
        bits -= width;
      }
      input.pos += width;
      this.groupPos = 0;
      return;
    }
    for (let k = 0; k < 8; k++) {
      while (bits < width) {
        acc += buf[p++] * 2 ** bits;
        bits += 8;
      }
      this.group[k] = acc % 2 ** width & mask;
      acc = Math.floor(acc / 2 ** width);
      bits -= width;
    }
    input.pos += width;
    this.groupPos = 0;
  }
}
