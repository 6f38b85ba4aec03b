// A generic Thrift compact-protocol codec: enough to read a Parquet footer, edit a few fields and write it
// back unchanged otherwise. Values keep their wire type, so decode → encode is byte-for-byte faithful for
// everything we do not touch (unknown future fields included).

import { CompactOutput } from './thrift-compact-output';

export const ThriftType = {
  STOP: 0,
  BOOL_TRUE: 1,
  BOOL_FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftStruct | ThriftList | ThriftMap;

export interface ThriftField {
  id: number;
  /** Wire type; for booleans BOOL_TRUE (the value says which). */
  type: number;
  value: ThriftValue;
}

export interface ThriftStruct {
  kind: 'struct';
  fields: ThriftField[];
}

export interface ThriftList {
  kind: 'list';
  /** LIST or SET on the wire. */
  wireType: number;
  elemType: number;
  items: ThriftValue[];
}

export interface ThriftMap {
  kind: 'map';
  keyType: number;
  valueType: number;
  entries: [ThriftValue, ThriftValue][];
}

/** Why bytes are not a thrift struct: cut short, over a limit, or not thrift at all. */
export type ThriftFailure = 'truncated' | 'too_deep' | 'too_large' | 'invalid';

export class ThriftDecodeError extends Error {
  constructor(
    message: string,
    readonly failure: ThriftFailure = 'invalid',
  ) {
    super(message);
  }
}

/** What a decode may build: a footer is untrusted bytes, and every value decoded is an object on the heap. */
export interface ThriftDecodeLimits {
  /** Structs, lists and maps nested inside each other; real Parquet metadata nests about 8 deep. */
  maxDepth: number;
  /** Values decoded in all (fields, list items, map entries): a 64 MB run of empty structs is 64M objects. */
  maxObjects: number;
}

export const DEFAULT_THRIFT_LIMITS: ThriftDecodeLimits = { maxDepth: 64, maxObjects: 2_000_000 };

export function decodeStruct(
  bytes: Uint8Array,
  limits: ThriftDecodeLimits = DEFAULT_THRIFT_LIMITS,
): { struct: ThriftStruct; bytesRead: number } {
  const reader = new CompactReader(bytes, limits);
  const struct = reader.readStruct(1);
  return { struct, bytesRead: reader.pos };
}

export function encodeStruct(struct: ThriftStruct): Uint8Array {
  const writer = new CompactWriter();
  writer.writeStruct(struct);
  return writer.finish();
}

/**
 * Recursive descent, with the depth checked on entering every struct, list and map (so recursion can never reach
 * the stack's limit) and every value counted against an object budget before it is built.
 */
class CompactReader {
  pos = 0;
  private objects = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly limits: ThriftDecodeLimits,
  ) {}

  private enter(depth: number): void {
    if (depth > this.limits.maxDepth) {
      throw new ThriftDecodeError(`structs, lists and maps nested deeper than ${this.limits.maxDepth} at byte ${this.pos}`, 'too_deep');
    }
  }

  /** Counts `n` more values; throws before they are built when the budget is spent. */
  private count(n: number): void {
    this.objects += n;
    if (this.objects > this.limits.maxObjects) {
      throw new ThriftDecodeError(`more than ${this.limits.maxObjects} values (at byte ${this.pos} of ${this.buf.length})`, 'too_large');
    }
  }

  readStruct(depth: number): ThriftStruct {
    this.enter(depth);
    const fields: ThriftField[] = [];
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === ThriftType.STOP) return { kind: 'struct', fields };
      this.count(1);
      const delta = header >> 4;
      const id = delta === 0 ? this.zigzag32() : lastId + delta;
      lastId = id;
      if (type === ThriftType.BOOL_TRUE || type === ThriftType.BOOL_FALSE) {
        fields.push({ id, type: ThriftType.BOOL_TRUE, value: type === ThriftType.BOOL_TRUE });
      } else {
        fields.push({ id, type, value: this.readValue(type, depth) });
      }
    }
  }

  private readValue(type: number, depth: number): ThriftValue {
    switch (type) {
      case ThriftType.BOOL_TRUE:
      case ThriftType.BOOL_FALSE:
        // only reached for collection elements, which carry the boolean as a byte
        return this.byte() === ThriftType.BOOL_TRUE;
      case ThriftType.I8: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case ThriftType.I16:
      case ThriftType.I32:
        return this.zigzag32();
      case ThriftType.I64:
        return this.zigzag64();
      case ThriftType.DOUBLE: {
        this.need(8);
        const value = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return value;
      }
      case ThriftType.BINARY: {
        const length = this.varint32();
        this.need(length);
        const value = this.buf.subarray(this.pos, this.pos + length);
        this.pos += length;
        return value;
      }
      case ThriftType.LIST:
      case ThriftType.SET:
        return this.readList(type, depth + 1);
      case ThriftType.MAP:
        return this.readMap(depth + 1);
      case ThriftType.STRUCT:
        return this.readStruct(depth + 1);
      default:
        throw new ThriftDecodeError(`unknown wire type ${type} at byte ${this.pos}`);
    }
  }

  private readList(wireType: number, depth: number): ThriftList {
    this.enter(depth);
    const header = this.byte();
    const elemType = header & 0x0f;
    const size = header >> 4 === 15 ? this.varint32() : header >> 4;
    // every element takes at least one byte: a larger size is garbage, not a reason to allocate
    if (size > this.buf.length - this.pos) throw new ThriftDecodeError(`list of ${size} elements overruns the bytes`, 'truncated');
    this.count(size);
    const items: ThriftValue[] = [];
    for (let i = 0; i < size; i++) items.push(this.readValue(elemType, depth));
    return { kind: 'list', wireType, elemType, items };
  }

  private readMap(depth: number): ThriftMap {
    this.enter(depth);
    const size = this.varint32();
    if (size === 0) return { kind: 'map', keyType: 0, valueType: 0, entries: [] };
    // every entry takes at least two bytes (a key and a value)
    if (size * 2 > this.buf.length - this.pos) throw new ThriftDecodeError(`map of ${size} entries overruns the bytes`, 'truncated');
    this.count(size * 2);
    const types = this.byte();
    const keyType = types >> 4;
    const valueType = types & 0x0f;
    const entries: [ThriftValue, ThriftValue][] = [];
    for (let i = 0; i < size; i++) entries.push([this.readValue(keyType, depth), this.readValue(valueType, depth)]);
    return { kind: 'map', keyType, valueType, entries };
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new ThriftDecodeError('unexpected end of footer', 'truncated');
    return this.buf[this.pos++];
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ThriftDecodeError('unexpected end of footer', 'truncated');
  }

  /** Unsigned varint of at most 32 bits, as a non-negative number. */
  private varint32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new ThriftDecodeError('varint exceeds 32 bits');
        return result;
      }
    }
    throw new ThriftDecodeError('varint exceeds 32 bits');
  }

  private zigzag32(): number {
    const n = this.varint32();
    return (n >>> 1) ^ -(n & 1);
  }

  private zigzag64(): bigint {
    let n = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      n |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (n >> 1n) ^ -(n & 1n);
    }
    throw new ThriftDecodeError('varint exceeds 64 bits');
  }
}

class CompactWriter extends CompactOutput {
  constructor() {
    super(1024);
  }

  finish(): Uint8Array {
    return this.bytesWritten();
  }

  writeStruct(struct: ThriftStruct): void {
    let lastId = 0;
    for (const field of struct.fields) {
      const type =
        field.type === ThriftType.BOOL_TRUE || field.type === ThriftType.BOOL_FALSE
          ? field.value
            ? ThriftType.BOOL_TRUE
            : ThriftType.BOOL_FALSE
          : field.type;
      const delta = field.id - lastId;
      if (delta > 0 && delta <= 15) {
        this.byte((delta << 4) | type);
      } else {
        this.byte(type);
        this.zigzag32(field.id);
      }
      lastId = field.id;
      if (type !== ThriftType.BOOL_TRUE && type !== ThriftType.BOOL_FALSE) this.writeValue(type, field.value);
    }
    this.byte(ThriftType.STOP);
  }

  private writeValue(type: number, value: ThriftValue): void {
    switch (type) {
      case ThriftType.BOOL_TRUE:
      case ThriftType.BOOL_FALSE:
        this.byte(value ? ThriftType.BOOL_TRUE : ThriftType.BOOL_FALSE);
        return;
      case ThriftType.I8:
        this.byte((value as number) & 0xff);
        return;
      case ThriftType.I16:
      case ThriftType.I32:
        this.zigzag32(value as number);
        return;
      case ThriftType.I64:
        this.zigzag64(value as bigint);
        return;
      case ThriftType.DOUBLE: {
        this.reserve(8);
        new DataView(this.buf.buffer).setFloat64(this.pos, value as number, true);
        this.pos += 8;
        return;
      }
      case ThriftType.BINARY: {
        const bytes = value as Uint8Array;
        this.varint(bytes.length);
        this.raw(bytes);
        return;
      }
      case ThriftType.LIST:
      case ThriftType.SET: {
        const list = value as ThriftList;
        if (list.items.length < 15) {
          this.byte((list.items.length << 4) | list.elemType);
        } else {
          this.byte(0xf0 | list.elemType);
          this.varint(list.items.length);
        }
        for (const item of list.items) this.writeValue(list.elemType, item);
        return;
      }
      case ThriftType.MAP: {
        const map = value as ThriftMap;
        this.varint(map.entries.length);
        if (map.entries.length === 0) return;
        this.byte((map.keyType << 4) | map.valueType);
        for (const [k, v] of map.entries) {
          this.writeValue(map.keyType, k);
          this.writeValue(map.valueType, v);
        }
        return;
      }
      case ThriftType.STRUCT:
        this.writeStruct(value as ThriftStruct);
        return;
      default:
        throw new Error(`cannot encode wire type ${type}`);
    }
  }
}

/** The value of field `id`, or undefined. */
export function fieldValue(struct: ThriftStruct, id: number): ThriftValue | undefined {
  return struct.fields.find((f) => f.id === id)?.value;
}

/** A copy of `struct` with field `id` set (added in id order if absent). */
export function withField(struct: ThriftStruct, id: number, type: number, value: ThriftValue): ThriftStruct {
  const fields = struct.fields.filter((f) => f.id !== id);
  fields.push({ id, type, value });
  fields.sort((a, b) => a.id - b.id);
  return { kind: 'struct', fields };
}

export function withoutFields(struct: ThriftStruct, ids: readonly number[]): ThriftStruct {
  return { kind: 'struct', fields: struct.fields.filter((f) => !ids.includes(f.id)) };
}
