// A streaming Thrift compact-protocol encoder for the structures the Parquet writer emits (page headers, the
// footer): fields are written as they are produced, with no intermediate tree. thrift-compact.ts reads them.
import { ThriftType } from './thrift-compact';
import { CompactOutput } from './thrift-compact-output';

export class ThriftCompactWriter extends CompactOutput {
  /** The last field id of each open struct (field headers store the delta from it). */
  private readonly lastIds: number[] = [];
  private lastId = 0;

  constructor(initialBytes = 256) {
    super(initialBytes);
  }

  /** The bytes written; the writer must have no open struct. */
  finish(): Uint8Array {
    if (this.lastIds.length > 0) throw new Error('thrift writer finished inside a struct');
    return this.bytesWritten();
  }

  /** Opens a struct at the top level or as a list element. */
  structBegin(): void {
    this.lastIds.push(this.lastId);
    this.lastId = 0;
  }

  structEnd(): void {
    this.byte(ThriftType.STOP);
    const outer = this.lastIds.pop();
    if (outer === undefined) throw new Error('thrift struct end without a begin');
    this.lastId = outer;
  }

  i32(id: number, value: number): void {
    this.fieldHeader(id, ThriftType.I32);
    this.zigzag32(value);
  }

  i16(id: number, value: number): void {
    this.fieldHeader(id, ThriftType.I16);
    this.zigzag32(value);
  }

  i8(id: number, value: number): void {
    this.fieldHeader(id, ThriftType.I8);
    this.byte(value & 0xff);
  }

  /** An i64 field; a number must be a safe integer. */
  i64(id: number, value: number | bigint): void {
    this.fieldHeader(id, ThriftType.I64);
    this.zigzag64(typeof value === 'bigint' ? value : BigInt(value));
  }

  bool(id: number, value: boolean): void {
    this.fieldHeader(id, value ? ThriftType.BOOL_TRUE : ThriftType.BOOL_FALSE);
  }

  binary(id: number, bytes: Uint8Array): void {
    this.fieldHeader(id, ThriftType.BINARY);
    this.binaryValue(bytes);
  }

  string(id: number, value: string): void {
    this.binary(id, Buffer.from(value, 'utf8'));
  }

  /** Opens a struct-typed field: write its fields, then structEnd(). */
  structField(id: number): void {
    this.fieldHeader(id, ThriftType.STRUCT);
    this.structBegin();
  }

  /** An empty struct field (a union member with no data, e.g. LogicalType.STRING). */
  emptyStruct(id: number): void {
    this.structField(id);
    this.structEnd();
  }

  /** Starts a list field of `size` elements of `elemType`: then write each element (i32Item, stringItem, structBegin…). */
  listField(id: number, elemType: number, size: number): void {
    this.fieldHeader(id, ThriftType.LIST);
    if (size < 15) {
      this.byte((size << 4) | elemType);
    } else {
      this.byte(0xf0 | elemType);
      this.varint(size);
    }
  }

  i32Item(value: number): void {
    this.zigzag32(value);
  }

  stringItem(value: string): void {
    this.binaryValue(Buffer.from(value, 'utf8'));
  }

  binaryItem(bytes: Uint8Array): void {
    this.binaryValue(bytes);
  }

  i64Item(value: number | bigint): void {
    this.zigzag64(typeof value === 'bigint' ? value : BigInt(value));
  }

  /** A list element of type BOOL: one byte, 1 for true and 2 for false (as the Java, C++ and Rust Thrift libraries write it). */
  boolItem(value: boolean): void {
    this.byte(value ? ThriftType.BOOL_TRUE : ThriftType.BOOL_FALSE);
  }

  private fieldHeader(id: number, type: number): void {
    const delta = id - this.lastId;
    if (delta > 0 && delta <= 15) {
      this.byte((delta << 4) | type);
    } else {
      this.byte(type);
      this.zigzag32(id);
    }
    this.lastId = id;
  }

  private binaryValue(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.raw(bytes);
  }

  /** An i32 out of range would be wrapped silently by the encoding: the writer refuses it. */
  protected override zigzag32(n: number): void {
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new RangeError(`${n} is not an i32`);
    super.zigzag32(n);
  }
}
