// Where each value of a Thrift compact struct sits in its bytes: every integer, list header, binary length and
// field header, with the field-id path that leads to it. The fuzzer rewrites these spans in place (a length set
// to 2^31-1, a list claiming 0 or a billion elements) — edits the decoded tree of thrift-compact.ts cannot
// express, because its lists always hold as many items as they claim.
import { ThriftType } from '../parquet/thrift-compact';

export type SpanKind = 'int' | 'list-header' | 'binary-length' | 'map-size' | 'field-header';

export interface ThriftSpan {
  kind: SpanKind;
  /** [start, end) in the walked bytes. */
  start: number;
  end: number;
  /** Wire type of the value (for a field header: the field's type; for a list header: the element type). */
  wireType: number;
  /** Field ids from the root struct to this value; list elements add no id. */
  path: readonly number[];
  /** The integer, the list's or map's size, or the binary's length. */
  value: bigint;
}

/** Real Parquet metadata nests about 6 deep: the walker is only ever given valid structs. */
const MAX_DEPTH = 32;

/** Walks the struct that starts at `bytes[0]`; returns its spans and its length in bytes. */
export function thriftSpans(bytes: Uint8Array): { spans: ThriftSpan[]; length: number } {
  const walker = new SpanWalker(bytes);
  walker.struct([], 0);
  return { spans: walker.spans, length: walker.pos };
}

class SpanWalker {
  pos = 0;
  readonly spans: ThriftSpan[] = [];
  constructor(private readonly buf: Uint8Array) {}

  struct(path: readonly number[], depth: number): void {
    if (depth > MAX_DEPTH) throw new Error('thrift nesting too deep to walk');
    let lastId = 0;
    for (;;) {
      const start = this.pos;
      const header = this.byte();
      const type = header & 0x0f;
      if (type === ThriftType.STOP) return;
      const delta = header >> 4;
      const id = delta === 0 ? Number(unzigzag(this.varint())) : lastId + delta;
      lastId = id;
      const fieldPath = [...path, id];
      this.spans.push({ kind: 'field-header', start, end: this.pos, wireType: type, path: fieldPath, value: BigInt(id) });
      if (type === ThriftType.BOOL_TRUE || type === ThriftType.BOOL_FALSE) continue;
      this.value(type, fieldPath, depth);
    }
  }

  private value(type: number, path: readonly number[], depth: number): void {
    const start = this.pos;
    switch (type) {
      case ThriftType.BOOL_TRUE:
      case ThriftType.BOOL_FALSE:
      case ThriftType.I8:
        this.byte();
        return;
      case ThriftType.I16:
      case ThriftType.I32:
      case ThriftType.I64: {
        const value = unzigzag(this.varint());
        this.spans.push({ kind: 'int', start, end: this.pos, wireType: type, path, value });
        return;
      }
      case ThriftType.DOUBLE:
        this.pos += 8;
        return;
      case ThriftType.BINARY: {
        const length = this.varint();
        this.spans.push({ kind: 'binary-length', start, end: this.pos, wireType: type, path, value: length });
        this.pos += Number(length);
        return;
      }
      case ThriftType.LIST:
      case ThriftType.SET: {
        const header = this.byte();
        const elemType = header & 0x0f;
        const size = header >> 4 === 15 ? this.varint() : BigInt(header >> 4);
        this.spans.push({ kind: 'list-header', start, end: this.pos, wireType: elemType, path, value: size });
        for (let i = 0n; i < size; i++) this.value(elemType, path, depth + 1);
        return;
      }
      case ThriftType.MAP: {
        const size = this.varint();
        this.spans.push({ kind: 'map-size', start, end: this.pos, wireType: type, path, value: size });
        if (size === 0n) return;
        const types = this.byte();
        for (let i = 0n; i < size; i++) {
          this.value(types >> 4, path, depth + 1);
          this.value(types & 0x0f, path, depth + 1);
        }
        return;
      }
      case ThriftType.STRUCT:
        this.struct(path, depth + 1);
        return;
      default:
        throw new Error(`unknown wire type ${type} at byte ${start}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new Error('thrift struct ends early');
    return this.buf[this.pos++];
  }

  private varint(): bigint {
    let n = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      n |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return n;
    }
    throw new Error('varint too long');
  }
}

function unzigzag(n: bigint): bigint {
  return (n >> 1n) ^ -(n & 1n);
}

/** Unsigned LEB128 varint of `n` (any size: a value too large for its field is one of the mutations). */
export function varintBytes(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(70, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** Zigzag varint of a signed value, as Thrift compact writes i16, i32 and i64 (2^63 wraps to -2^63). */
export function zigzagBytes(n: bigint): number[] {
  const wrapped = BigInt.asIntN(64, n);
  return varintBytes(BigInt.asUintN(64, (wrapped << 1n) ^ (wrapped >> 63n)));
}

/** A list header claiming `size` elements of `elemType`. */
export function listHeaderBytes(size: bigint, elemType: number): number[] {
  return size < 15n ? [(Number(size) << 4) | elemType] : [0xf0 | elemType, ...varintBytes(size)];
}
