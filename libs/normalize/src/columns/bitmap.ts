// Arrow validity bitmaps (LSB first, bit set = value present), always starting at bit 0 of the first row.

/** null means "no nulls". */
export type Validity = Uint8Array | null;

export function isValid(validity: Validity, i: number): boolean {
  return validity === null || ((validity[i >> 3] >> (i & 7)) & 1) === 1;
}

export function bitmapBytes(length: number): number {
  return (length + 7) >> 3;
}

/** Packs one bit per row; counts the unset ones. */
export class BitmapBuilder {
  readonly bits: Uint8Array;
  unset = 0;
  private length = 0;

  /** `into`: zeroed bytes to build in (at least bitmapBytes(capacity)); a new array when not given. */
  constructor(capacity: number, into?: Uint8Array) {
    this.bits = into ? into.subarray(0, bitmapBytes(capacity)) : new Uint8Array(bitmapBytes(capacity));
  }

  /** The bitmap to hand to Arrow: none when nothing is unset. */
  nullBitmap(): Uint8Array | undefined {
    return this.unset > 0 ? this.bits : undefined;
  }

  /** n equal bits: a run of set bits fills whole bytes at a time. */
  pushRun(set: boolean, n: number): void {
    if (!set) {
      this.unset += n;
      this.length += n;
      return;
    }
    let at = this.length;
    const end = at + n;
    while (at < end && (at & 7) !== 0) {
      this.bits[at >> 3] |= 1 << (at & 7);
      at++;
    }
    const wholeBytes = (end - at) >> 3;
    if (wholeBytes > 0) {
      this.bits.fill(0xff, at >> 3, (at >> 3) + wholeBytes);
      at += wholeBytes * 8;
    }
    while (at < end) {
      this.bits[at >> 3] |= 1 << (at & 7);
      at++;
    }
    this.length = end;
  }

  /** One bit per level: set where levels[i] is 1 (definition levels of a flat column), unset where it is 0. */
  pushLevels(levels: Uint8Array, n: number): void {
    const bits = this.bits;
    let at = this.length;
    let unset = 0;
    for (let i = 0; i < n; i++, at++) {
      if (levels[i] === 1) bits[at >> 3] |= 1 << (at & 7);
      else unset++;
    }
    this.unset += unset;
    this.length = at;
  }

  push(set: boolean): void {
    if (set) this.bits[this.length >> 3] |= 1 << (this.length & 7);
    else this.unset++;
    this.length++;
  }
}
