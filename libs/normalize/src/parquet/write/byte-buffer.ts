// A growable byte buffer the page encoders append to; reused page after page (reset keeps the memory).

export class ByteBuffer {
  bytes: Uint8Array;
  length = 0;

  constructor(initialBytes = 1024) {
    this.bytes = new Uint8Array(initialBytes);
  }

  /** Makes room for n more bytes (the array may be replaced: read `bytes` after calling this). */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(b: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = b;
  }

  append(chunk: Uint8Array): void {
    this.reserve(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** Unsigned LEB128 (Parquet's RLE run headers), for any safe integer. */
  uleb128(n: number): void {
    while (n >= 0x80) {
      this.byte((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.byte(n);
  }

  uint32le(n: number): void {
    this.reserve(4);
    const b = this.bytes;
    const at = this.length;
    b[at] = n & 0xff;
    b[at + 1] = (n >>> 8) & 0xff;
    b[at + 2] = (n >>> 16) & 0xff;
    b[at + 3] = (n >>> 24) & 0xff;
    this.length += 4;
  }

  /** A view of what was written (valid until the next write or reset). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}
