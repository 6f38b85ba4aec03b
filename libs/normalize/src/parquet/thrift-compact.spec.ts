import { describe, expect, it } from 'vitest';
import { generateFhvhvParquet } from '../synthetic/fhvhv.generator';
import {
  type ThriftStruct,
  ThriftDecodeError,
  ThriftType,
  decodeStruct,
  encodeStruct,
  fieldValue,
  withField,
  withoutFields,
} from './thrift-compact';

const sample: ThriftStruct = {
  kind: 'struct',
  fields: [
    { id: 1, type: ThriftType.I32, value: -7 },
    { id: 2, type: ThriftType.BOOL_TRUE, value: true },
    { id: 3, type: ThriftType.BOOL_TRUE, value: false },
    { id: 4, type: ThriftType.I64, value: -(2n ** 62n) },
    { id: 5, type: ThriftType.BINARY, value: new Uint8Array(Buffer.from('pickup_datetime')) },
    { id: 6, type: ThriftType.DOUBLE, value: 2.75 },
    { id: 7, type: ThriftType.I8, value: -3 },
    { id: 40, type: ThriftType.I16, value: 300 }, // long field-id jump: absolute id encoding
    {
      id: 41,
      type: ThriftType.LIST,
      value: {
        kind: 'list',
        wireType: ThriftType.LIST,
        elemType: ThriftType.I32,
        items: Array.from({ length: 20 }, (_, i) => i * 1000), // > 14 items: long list header
      },
    },
    {
      id: 42,
      type: ThriftType.LIST,
      value: { kind: 'list', wireType: ThriftType.LIST, elemType: ThriftType.BOOL_TRUE, items: [true, false] },
    },
    {
      id: 43,
      type: ThriftType.MAP,
      value: { kind: 'map', keyType: ThriftType.I32, valueType: ThriftType.I64, entries: [[1, 2n]] },
    },
    {
      id: 44,
      type: ThriftType.STRUCT,
      value: { kind: 'struct', fields: [{ id: 1, type: ThriftType.I64, value: 123456789012345n }] },
    },
  ],
};

describe('thrift compact codec', () => {
  it('round-trips every wire type', () => {
    const encoded = encodeStruct(sample);
    const { struct, bytesRead } = decodeStruct(encoded);
    expect(bytesRead).toBe(encoded.length);
    expect(struct).toEqual(sample);
    expect(encodeStruct(struct)).toEqual(encoded);
  });

  it('re-encodes a real Parquet footer byte for byte', () => {
    const file = generateFhvhvParquet({ month: '2024-01', rows: 100 });
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const length = view.getUint32(file.length - 8, true);
    const footer = file.subarray(file.length - 8 - length, file.length - 8);
    expect(Buffer.from(encodeStruct(decodeStruct(footer).struct)).equals(Buffer.from(footer))).toBe(true);
  });

  it('edits fields without disturbing others', () => {
    const edited = withoutFields(withField(sample, 4, ThriftType.I64, 5n), [5, 6]);
    const decoded = decodeStruct(encodeStruct(edited)).struct;
    expect(fieldValue(decoded, 4)).toBe(5n);
    expect(fieldValue(decoded, 5)).toBeUndefined();
    expect(fieldValue(decoded, 44)).toEqual(fieldValue(sample, 44));
  });

  it.each([
    ['a cut footer', encodeStruct(sample).subarray(0, 20)],
    ['a list longer than the bytes left', new Uint8Array([0x19, 0xf5, 0xff, 0xff, 0xff, 0x0f])],
    ['an unknown wire type', new Uint8Array([0x1d])],
    ['absurd nesting', new Uint8Array(200).fill(0x1c)],
  ])('rejects %s with ThriftDecodeError', (_, bytes) => {
    expect(() => decodeStruct(bytes)).toThrow(ThriftDecodeError);
  });
});
