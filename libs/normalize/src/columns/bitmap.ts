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

  constructor(capacity: number) {
    this.bits = new Uint8Array(bitmapBytes(capacity));
  }

  /** The bitmap to hand to Arrow: none when nothing is unset. */
  nullBitmap(): Uint8Array | undefined {
    return this.unset > 0 ? this.bits : undefined;
  }

  push(set: boolean): void {
    if (set) this.bits[this.length >> 3] |= 1 << (this.length & 7);
    else this.unset++;
    this.length++;
  }
}
