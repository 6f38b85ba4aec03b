import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  dictionaryColumn,
  flagColumn,
  float32Column,
  int32Column,
  keptRuns,
  nullColumn,
  ReusedArrays,
  timestampColumn,
} from './canonical-columns';
import { dictionaryCodesOf } from './dictionary-codes';

const keep = Uint8Array.from([1, 0, 1, 1]);
const values = (data: arrow.Data) => arrow.makeVector(data).toArray();
const withNulls = (data: arrow.Data) => [...arrow.makeVector(data)].map((v) => v ?? null);

describe('canonical columns (filter + cast)', () => {
  it('timestamps keep the kept rows, exactly', () => {
    const micros = BigInt64Array.from([1_706_745_599_999_999n, 2n, 3n, 4n]);
    const data = timestampColumn(new arrow.TimestampMicrosecond(), { length: 4, micros, valid: Uint8Array.from([0b1101]) }, keep, 3);
    expect(data.length).toBe(3);
    expect(data.nullCount).toBe(0);
    expect(Array.from(data.values as BigInt64Array)).toEqual([1_706_745_599_999_999n, 3n, 4n]);
  });

  it('int32 narrows, and turns what does not fit into null', () => {
    const source = { length: 4, values: Float64Array.from([265, 9, 2 ** 31, -(2 ** 31)]), valid: null };
    expect(withNulls(int32Column(new arrow.Int32(), source, keep, 3))).toEqual([265, null, -(2 ** 31)]);
  });

  it('float32 rounds to the nearest float32 and keeps nulls', () => {
    const source = { length: 4, values: Float64Array.from([2.75, 0, 0.1, 7]), valid: Uint8Array.from([0b1101]) };
    expect(withNulls(float32Column(new arrow.Float32(), source, keep, 3))).toEqual([2.75, Math.fround(0.1), 7]);
    const withNull = { ...source, valid: Uint8Array.from([0b0111]) };
    expect(withNulls(float32Column(new arrow.Float32(), withNull, keep, 3))).toEqual([2.75, Math.fround(0.1), null]);
  });

  it('dictionary columns only hold the values of kept rows', () => {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const source = { length: 4, codes: Int32Array.from([0, 1, -1, 2]), dictionary: ['HV0003', 'HV0004', 'HV0005'] };
    const data = dictionaryColumn(type, source, keep, 3);
    expect(withNulls(data)).toEqual(['HV0003', null, 'HV0005']);
    expect(data.dictionary!.toArray()).toEqual(['HV0003', 'HV0005']);
  });

  it('flags become booleans with nulls', () => {
    const data = flagColumn(new arrow.Bool(), Int8Array.from([1, 1, -1, 0]), keep, 3);
    expect(withNulls(data)).toEqual([true, null, false]);
  });

  it('null columns of every canonical type', () => {
    for (const type of [new arrow.Float32(), new arrow.Int32(), new arrow.Bool(), new arrow.TimestampMicrosecond(), new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())]) {
      expect(withNulls(nullColumn(type, 2))).toEqual([null, null]);
    }
    expect(values(nullColumn(new arrow.Float32(), 0))).toHaveLength(0);
  });

  it('keptRuns gives the [start, end) runs of kept rows', () => {
    expect([...keptRuns(Uint8Array.from([1, 0, 1, 1]))]).toEqual([0, 1, 2, 4]);
    expect([...keptRuns(Uint8Array.from([0, 0, 1, 1, 1, 0, 1]))]).toEqual([2, 5, 6, 7]);
    expect([...keptRuns(new Uint8Array(5))]).toEqual([]);
    expect([...keptRuns(new Uint8Array(5).fill(1))]).toEqual([0, 5]);
  });

  it('a column without nulls (copied run by run) holds what the per-row path gives with every row valid', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const n of [1, 9, 1000]) {
      const mask = Uint8Array.from({ length: n }, () => (rand() < 0.8 ? 1 : 0));
      const kept = mask.reduce((a, b) => a + b, 0);
      const allValid = new Uint8Array((n + 7) >> 3).fill(0xff);
      const numbers = Float64Array.from({ length: n }, () => Math.round(rand() * 1e6) / 100 - 5000);
      const integers = Float64Array.from({ length: n }, () => Math.floor(rand() * 600) - 100);
      const micros = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rand() * 2 ** 52)));
      const f32 = (valid: Uint8Array | null) => withNulls(float32Column(new arrow.Float32(), { length: n, values: numbers, valid }, mask, kept));
      const i32 = (values: Float64Array, valid: Uint8Array | null) => withNulls(int32Column(new arrow.Int32(), { length: n, values, valid }, mask, kept));
      const ts = (valid: Uint8Array | null) => timestampColumn(new arrow.TimestampMicrosecond(), { length: n, micros, valid }, mask, kept);
      expect(f32(null)).toEqual(f32(allValid));
      expect(i32(integers, null)).toEqual(i32(integers, allValid));
      expect([...(ts(null).values as BigInt64Array)]).toEqual([...(ts(allValid).values as BigInt64Array)]);
      expect(ts(null).nullCount).toBe(0);
      // a value that cannot be narrowed still becomes null when the source has no nulls
      const withFraction = integers.slice();
      withFraction[mask.indexOf(1)] = 0.5;
      expect(i32(withFraction, null)).toEqual(i32(withFraction, allValid));
      expect(i32(withFraction, null)).toContain(null);
    }
  });

  it('builders given reused arrays give the values of fresh ones, in zeroed memory, window after window', () => {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const arrays = { ts: new ReusedArrays(), i32: new ReusedArrays(), f32: new ReusedArrays(), dict: new ReusedArrays() };
    let first: arrow.Data | undefined;
    for (const n of [40, 17, 33]) {
      const mask = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : 1));
      const kept = mask.reduce((a, b) => a + b, 0);
      // nulls at other rows in each window: a slot null now held a value in the window before
      const valid = Uint8Array.from({ length: (n + 7) >> 3 }, (_, k) => ((k + n) % 2 ? 0xff : 0b10110111 >> (n % 3)));
      const micros = BigInt64Array.from({ length: n }, (_, i) => BigInt(n * 1000 + i));
      const numbers = Float64Array.from({ length: n }, (_, i) => n + i / 4);
      const codes = Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -1 : i % 3));
      const build = (into?: typeof arrays) => [
        timestampColumn(new arrow.TimestampMicrosecond(), { length: n, micros, valid }, mask, kept, keptRuns(mask), into?.ts),
        int32Column(new arrow.Int32(), { length: n, values: numbers.map(Math.floor), valid }, mask, kept, keptRuns(mask), into?.i32),
        float32Column(new arrow.Float32(), { length: n, values: numbers, valid }, mask, kept, keptRuns(mask), into?.f32),
        dictionaryColumn(type, { length: n, codes, dictionary: ['a', 'b', 'c'] }, mask, kept, into?.dict),
      ];
      const reused = build(arrays);
      const fresh = build();
      reused.forEach((data, k) => {
        expect(withNulls(data)).toEqual(withNulls(fresh[k]));
        // a null's slot is zero, as in a new array, not the last window's value nor the source's
        expect(Array.from(data.values as ArrayLike<number | bigint>)).toEqual(Array.from(fresh[k].values as ArrayLike<number | bigint>));
        const slots = data.values as ArrayLike<number | bigint>;
        for (let j = 0; j < data.length; j++) if (!data.getValid(j)) expect(Number(slots[j])).toBe(0);
      });
      if (first) expect(first.values.buffer).toBe(reused[0].values.buffer); // the same memory, overwritten
      first = reused[0];
    }
  });
});

describe('source dictionary codes through the keep filter', () => {
  const dictionary = Float64Array.from([0.5, 7, -2, 1e12, 3]);
  const codes = Int32Array.from([1, 0, 4, 2, 1, 3, 0, 2]);
  const source = { length: 8, values: Float64Array.from(codes, (c) => dictionary[c]), valid: Uint8Array.from([0b11011111]), codes: { codes, dictionary } };
  const keeping = Uint8Array.from([1, 0, 1, 1, 0, 1, 1, 1]);

  it('move with their rows into kept arrays (float32 and int32, narrowed or not)', () => {
    for (const build of [
      () => float32Column(new arrow.Float32(), source, keeping, 6, keptRuns(keeping), new ReusedArrays()),
      () => int32Column(new arrow.Int32(), { ...source, values: Float64Array.from(codes, (c) => [5, 7, -2, 9, 3][c]), valid: null }, keeping, 6, keptRuns(keeping), new ReusedArrays()),
      // 1e12 does not narrow: the row becomes null, the others keep their codes
      () => int32Column(new arrow.Int32(), source, keeping, 6, keptRuns(keeping), new ReusedArrays()),
    ]) {
      const data = build();
      const coded = dictionaryCodesOf(data);
      expect(coded?.dictionary).toBe(dictionary);
      expect(Array.from(coded?.codes ?? [])).toEqual([1, 4, 2, 3, 0, 2]);
    }
  });

  it('are not carried into arrays of their own (quarantined rows)', () => {
    expect(dictionaryCodesOf(float32Column(new arrow.Float32(), source, keeping, 6))).toBeUndefined();
  });
});
