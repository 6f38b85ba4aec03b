import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isValid } from './bitmap';
import { withDictionaryCodes } from './dictionary-codes';
import { codedStrings, flagsOf, floorDiv, numbersOf, timestampsAsMicros, validityOf } from './source-columns';

function timestamps(type: arrow.Timestamp, values: (bigint | null)[]): arrow.Data {
  const vector = arrow.makeVector(
    arrow.makeData({
      type,
      length: values.length,
      data: BigInt64Array.from(values, (v) => v ?? 0n),
      nullBitmap: bitmap(values),
      nullCount: values.filter((v) => v === null).length,
    }),
  );
  return vector.data[0];
}

function bitmap(values: unknown[]): Uint8Array {
  const bits = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null) bits[i >> 3] |= 1 << (i & 7);
  });
  return bits;
}

const read = (column: { micros: BigInt64Array; valid: Uint8Array | null }) =>
  Array.from(column.micros, (v, i) => (isValid(column.valid, i) ? v : null));

describe('timestampsAsMicros', () => {
  // 2024-01-31T23:59:59.999999 — more than 2^53 µs, where a float would lose the last digit
  const lastMicro = 1_706_745_599_999_999n;

  it('passes µs through exactly', () => {
    const data = timestamps(new arrow.TimestampMicrosecond(), [lastMicro, null, -1n]);
    expect(read(timestampsAsMicros(data, 'x'))).toEqual([lastMicro, null, -1n]);
  });

  it('floors ns to µs, also before 1970', () => {
    const data = timestamps(new arrow.TimestampNanosecond(), [lastMicro * 1000n + 999n, -1n, -1000n, null]);
    expect(read(timestampsAsMicros(data, 'x'))).toEqual([lastMicro, -1n, -1n, null]);
    expect(floorDiv(-1001n, 1000n)).toBe(-2n);
  });

  it('scales ms and s exactly; a value beyond int64 µs becomes null', () => {
    const ms = timestamps(new arrow.TimestampMillisecond(), [1_706_745_599_999n, null, 2n ** 62n]);
    expect(read(timestampsAsMicros(ms, 'x'))).toEqual([1_706_745_599_999_000n, null, null]);
    const s = timestamps(new arrow.TimestampSecond(), [1_706_745_599n]);
    expect(read(timestampsAsMicros(s, 'x'))).toEqual([1_706_745_599_000_000n]);
  });

  it('reads a null-typed column as all null', () => {
    const data = arrow.makeData({ type: new arrow.Null(), length: 3 });
    expect(read(timestampsAsMicros(data, 'x'))).toEqual([null, null, null]);
  });
});

describe('numbersOf', () => {
  it('reads int64 exactly below 2^53, signed and unsigned, with nulls', () => {
    const data = arrow.vectorFromArray([265n, -1n, null, 2n ** 52n + 1n], new arrow.Int64()).data[0];
    const column = numbersOf(data, 'x');
    expect(Array.from(column.values, (v, i) => (isValid(column.valid, i) ? v : null))).toEqual([
      265,
      -1,
      null,
      2 ** 52 + 1,
    ]);
    const unsigned = arrow.vectorFromArray([2n ** 32n + 5n], new arrow.Uint64()).data[0];
    expect(numbersOf(unsigned, 'x').values[0]).toBe(2 ** 32 + 5);
  });

  it('reads floats and narrow ints', () => {
    expect(Array.from(numbersOf(arrow.vectorFromArray([2.75, -0.5]).data[0], 'x').values)).toEqual([2.75, -0.5]);
    const int16 = arrow.vectorFromArray([7, -7], new arrow.Int16()).data[0];
    expect(Array.from(numbersOf(int16, 'x').values)).toEqual([7, -7]);
  });

  it('honours slice offsets', () => {
    const data = arrow.vectorFromArray([1n, 2n, null, 4n], new arrow.Int64()).slice(1).data[0];
    const column = numbersOf(data, 'x');
    expect(Array.from(column.values, (v, i) => (isValid(column.valid, i) ? v : null))).toEqual([2, null, 4]);
    const floats = numbersOf(arrow.vectorFromArray([1.5, null, 3.5], new arrow.Float64()).slice(1).data[0], 'x');
    expect(Array.from(floats.values, (v, i) => (isValid(floats.valid, i) ? v : null))).toEqual([null, 3.5]);
  });

  it('refuses a string column', () => {
    expect(() => numbersOf(arrow.vectorFromArray(['1'], new arrow.Utf8()).data[0], 'trip_miles')).toThrow(/'trip_miles' decoded as Utf8/);
  });
});

describe('conversions into a caller\'s scratch', () => {
  it('numbersOf and flagsOf write into `into` when it is long enough, and give the same values as without it', () => {
    const ints = arrow.vectorFromArray([3n, null, -7n, 2n ** 40n], new arrow.Int64()).data[0];
    const floats = arrow.vectorFromArray([1.5, null, -0.25], new arrow.Float32()).data[0];
    const flags = arrow.vectorFromArray(['Y', 'N', null, 'x'], new arrow.Utf8()).data[0];
    const scratch = new Float64Array(8).fill(99);
    for (const data of [ints, floats]) {
      const reused = numbersOf(data, 'x', scratch);
      expect(reused.values.buffer).toBe(scratch.buffer);
      expect(Array.from(reused.values)).toEqual(Array.from(numbersOf(data, 'x').values));
    }
    const short = new Float64Array(1);
    expect(numbersOf(ints, 'x', short).values.buffer).not.toBe(short.buffer);
    const flagScratch = new Int8Array(8).fill(5);
    const reusedFlags = flagsOf(flags, 'x', flagScratch);
    expect(reusedFlags.buffer).toBe(flagScratch.buffer);
    expect(Array.from(reusedFlags)).toEqual([1, 0, -1, -1]);
  });
});

describe('numbersOf and source dictionary codes', () => {
  it('keeps the codes of every number type it converts a value at a time', () => {
    const codes = { codes: Int32Array.from([2, 0, 1]), dictionary: { length: 3 } };
    for (const make of [
      () => arrow.makeData({ type: new arrow.Float64(), length: 3, data: Float64Array.from([3, 1, 2]) }),
      () => arrow.makeData({ type: new arrow.Float32(), length: 3, data: Float32Array.from([3, 1, 2]) }),
      () => arrow.makeData({ type: new arrow.Int32(), length: 3, data: Int32Array.from([3, 1, 2]) }),
      () => arrow.makeData({ type: new arrow.Int64(), length: 3, data: BigInt64Array.from([3n, 1n, 2n]) }),
    ]) {
      expect(numbersOf(withDictionaryCodes(make(), codes), 'x').codes).toBe(codes);
      expect(numbersOf(make(), 'x').codes).toBeUndefined();
    }
  });
});

describe('codedStrings', () => {
  it('dictionary-codes utf8 values by their bytes, nulls as -1', () => {
    const data = arrow.vectorFromArray(['B03404', null, 'B02510', 'B03404', 'é', ''], new arrow.Utf8()).data[0];
    const { codes, dictionary } = codedStrings(data, 'x');
    expect(dictionary).toEqual(['B03404', 'B02510', 'é', '']);
    expect(Array.from(codes)).toEqual([0, -1, 1, 0, 2, 3]);
  });

  it('honours slice offsets', () => {
    const data = arrow.vectorFromArray(['a', null, 'b', 'a'], new arrow.Utf8()).slice(1).data[0];
    const { codes, dictionary } = codedStrings(data, 'x');
    expect(Array.from(codes, (c) => (c < 0 ? null : dictionary[c]))).toEqual([null, 'b', 'a']);
    const ts = timestamps(new arrow.TimestampMicrosecond(), [1n, null, 3n]).slice(1, 2);
    expect(read(timestampsAsMicros(ts, 'x'))).toEqual([null, 3n]);
  });

  it('reads a dictionary-encoded source', () => {
    const data = arrow.vectorFromArray(['HV0003', 'HV0005', null, 'HV0003'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())).data[0];
    const { codes, dictionary } = codedStrings(data, 'x');
    expect(Array.from(codes, (c) => (c < 0 ? null : dictionary[c]))).toEqual(['HV0003', 'HV0005', null, 'HV0003']);
  });

  it('takes int32 codes without nulls as they are, and a code naming no entry as null', () => {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const entries = arrow.vectorFromArray(['Y', 'N'], new arrow.Utf8());
    const coded = (codes: number[]) =>
      codedStrings(arrow.makeData({ type, length: codes.length, nullCount: 0, data: Int32Array.from(codes), dictionary: entries }), 'x');
    const ok = coded([1, 0, 0, 1]);
    expect(Array.from(ok.codes, (c) => ok.dictionary[c])).toEqual(['N', 'Y', 'Y', 'N']);
    for (const bad of [[0, 2, 1], [1, -3, 0]]) {
      const got = coded(bad);
      expect(Array.from(got.codes, (c) => (c < 0 ? null : got.dictionary[c]))).toEqual(bad.map((c) => (c === 0 ? 'Y' : c === 1 ? 'N' : null)));
    }
  });
});

describe('flagsOf', () => {
  it("maps exactly 'Y' → 1 and 'N' → 0, anything else → -1 (null)", () => {
    const data = arrow.vectorFromArray(['Y', 'N', null, ' ', '', 'y', 'Yes', 'N '], new arrow.Utf8()).data[0];
    expect(Array.from(flagsOf(data, 'x'))).toEqual([1, 0, -1, -1, -1, -1, -1, -1]);
  });

  it('maps numbers (FHV SR_Flag): 1 → 1, 0 → 0, anything else or null → -1', () => {
    const ints = arrow.vectorFromArray([1, null, 0, 2, -1], new arrow.Int32()).data[0];
    expect(Array.from(flagsOf(ints, 'x'))).toEqual([1, -1, 0, -1, -1]);
    const floats = arrow.vectorFromArray([1, null, 0.5, NaN, 0], new arrow.Float64()).slice(1).data[0];
    expect(Array.from(flagsOf(floats, 'x'))).toEqual([-1, -1, -1, 0]);
  });

  it('maps dictionary-encoded strings the same, from the indices (null rows, odd entries, an index past the dictionary)', () => {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const encoded = arrow.vectorFromArray(['Y', 'N', null, 'y', 'Y', ' '], type).data[0];
    expect(Array.from(flagsOf(encoded, 'x'))).toEqual([1, 0, -1, -1, 1, -1]);
    const entries = arrow.vectorFromArray(['N', 'Y'], new arrow.Utf8());
    const nullBitmap = Uint8Array.from([0b1011]);
    const raw = arrow.makeData({ type, length: 4, nullCount: 1, nullBitmap, data: Int32Array.from([1, 7, 0, -2]), dictionary: entries });
    expect(Array.from(flagsOf(raw, 'x'))).toEqual([1, -1, -1, -1]);
  });

  it('keeps booleans as they are', () => {
    const data = arrow.vectorFromArray([true, false, null], new arrow.Bool()).data[0];
    expect(Array.from(flagsOf(data, 'x'))).toEqual([1, 0, -1]);
    const sliced = arrow.vectorFromArray([true, true, false, null, true], new arrow.Bool()).slice(2).data[0];
    expect(Array.from(flagsOf(sliced, 'x'))).toEqual([0, -1, 1]);
  });
});

describe('validityOf', () => {
  it('re-bases a sliced bitmap to bit 0', () => {
    const data = arrow.vectorFromArray([1, null, 3, null, 5, 6, 7, 8, null, 10]).slice(3).data[0];
    const valid = validityOf(data);
    expect(Array.from({ length: data.length }, (_, i) => isValid(valid, i))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
      true,
    ]);
  });
});
