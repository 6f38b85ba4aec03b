// The byte level of Thrift's compact protocol, shared by both encoders: the tree encoder in thrift-compact.ts
// (rewriting decoded footers) and the streaming one in thrift-compact-writer.ts (the Parquet writer).
export abstract class CompactOutput {
  protected buf: Uint8Array;
  protected pos = 0;

  constructor(initialBytes: number) {
    this.buf = new Uint8Array(initialBytes);
  }

  protected bytesWritten(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  protected reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  protected byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  protected raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  protected varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.byte(n);
  }

  protected zigzag32(n: number): void {
    this.varint(((n << 1) ^ (n >> 31)) >>> 0);
  }

  protected zigzag64(n: bigint): void {
    let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
    while (z >= 0x80n) {
      this.byte(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    this.byte(Number(z));
  }
}
