import { describe, expect, it } from 'vitest';
import { ThriftType, decodeStruct, fieldValue } from './thrift-compact';
import { ThriftCompactWriter } from './thrift-compact-writer';

describe('ThriftCompactWriter', () => {
  it('writes what the compact decoder reads back, field for field', () => {
    const w = new ThriftCompactWriter(4); // tiny start: growth is exercised
    w.structBegin();
    w.i32(1, -7);
    w.bool(2, true);
    w.bool(3, false);
    w.i64(4, -(2n ** 62n));
    w.i64(5, 2 ** 40 + 3);
    w.string(6, 'pickup_datetime');
    w.i8(7, -3);
    w.i16(40, 300); // a jump of more than 15: absolute field id
    w.listField(41, ThriftType.I32, 20); // more than 14 items: long list header
    for (let i = 0; i < 20; i++) w.i32Item(-i * 1000 || 0);
    w.listField(42, ThriftType.STRUCT, 2);
    for (const name of ['a', 'ü']) {
      w.structBegin();
      w.string(4, name);
      w.structEnd();
    }
    w.structField(43);
    w.emptyStruct(8);
    w.structEnd();
    w.listField(44, ThriftType.BINARY, 1);
    w.stringItem('x');
    w.binary(45, new Uint8Array([0, 255]));
    w.i32(46, 2 ** 31 - 1);
    w.listField(47, ThriftType.BOOL_TRUE, 3);
    for (const b of [true, false, true]) w.boolItem(b);
    w.listField(48, ThriftType.I64, 2);
    w.i64Item(-5);
    w.i64Item(2n ** 50n);
    w.listField(49, ThriftType.BINARY, 2);
    w.binaryItem(new Uint8Array([]));
    w.binaryItem(new Uint8Array([7]));
    w.structEnd();
    const bytes = w.finish();

    const { struct, bytesRead } = decodeStruct(bytes);
    expect(bytesRead).toBe(bytes.length);
    expect(struct.fields.map((f) => f.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    expect(fieldValue(struct, 1)).toBe(-7);
    expect(fieldValue(struct, 2)).toBe(true);
    expect(fieldValue(struct, 3)).toBe(false);
    expect(fieldValue(struct, 4)).toBe(-(2n ** 62n));
    expect(fieldValue(struct, 5)).toBe(2n ** 40n + 3n);
    expect(Buffer.from(fieldValue(struct, 6) as Uint8Array).toString()).toBe('pickup_datetime');
    expect(fieldValue(struct, 7)).toBe(-3);
    expect(fieldValue(struct, 40)).toBe(300);
    expect(fieldValue(struct, 41)).toMatchObject({ elemType: ThriftType.I32, items: Array.from({ length: 20 }, (_, i) => -i * 1000 || 0) });
    const names = (fieldValue(struct, 42) as { items: { fields: { value: Uint8Array }[] }[] }).items.map((s) =>
      Buffer.from(s.fields[0].value).toString(),
    );
    expect(names).toEqual(['a', 'ü']);
    expect(fieldValue(struct, 43)).toEqual({ kind: 'struct', fields: [{ id: 8, type: ThriftType.STRUCT, value: { kind: 'struct', fields: [] } }] });
    expect(Buffer.from((fieldValue(struct, 44) as { items: Uint8Array[] }).items[0]).toString()).toBe('x');
    expect([...(fieldValue(struct, 45) as Uint8Array)]).toEqual([0, 255]);
    expect(fieldValue(struct, 46)).toBe(2 ** 31 - 1);
    expect(fieldValue(struct, 47)).toMatchObject({ items: [true, false, true] });
    expect(fieldValue(struct, 48)).toMatchObject({ items: [-5n, 2n ** 50n] });
    expect((fieldValue(struct, 49) as { items: Uint8Array[] }).items.map((b) => [...b])).toEqual([[], [7]]);
  });

  it('refuses an unbalanced struct and an i32 out of range', () => {
    const open = new ThriftCompactWriter();
    open.structBegin();
    expect(() => open.finish()).toThrow('inside a struct');
    const w = new ThriftCompactWriter();
    w.structBegin();
    expect(() => w.i32(1, 2 ** 31)).toThrow(RangeError);
  });
});
