import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../byte-streams';
import { RleHybridDecoder } from '../rle';
import { RleHybridEncoder, bitWidthFor } from './rle-hybrid-encoder';

/** A deterministic mix of long runs, short runs and noise below 2^width. */
function sample(width: number, n: number, seed: number): number[] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const max = 2 ** width;
  const out: number[] = [];
  while (out.length < n) {
    const v = Math.floor(rand() * max);
    const len = rand() < 0.3 ? 1 + Math.floor(rand() * 40) : 1;
    for (let k = 0; k < len && out.length < n; k++) out.push(v);
  }
  return out;
}

function decode(bytes: Uint8Array, width: number, n: number): number[] {
  const out = new Int32Array(n);
  new RleHybridDecoder(new MemoryBuffer(bytes), width).read(out, 0, n);
  return [...out].map((v) => v >>> 0);
}

describe('RleHybridEncoder', () => {
  it.each([1, 2, 3, 7, 8, 9, 13, 17, 24, 31, 32])('round-trips through our decoder at bit width %i', (width) => {
    for (const n of [1, 7, 8, 9, 63 * 8 + 5, 5_000]) {
      const values = sample(width, n, width * 1000 + n);
      const enc = new RleHybridEncoder(width);
      for (const v of values) enc.put(v);
      expect(decode(enc.finish(), width, n)).toEqual(values);
    }
  });

  it.each([1, 3, 8, 13, 24, 32])('decodes the same values whatever the sizes of the reads, at bit width %i', (width) => {
    const n = 2_000;
    const values = sample(width, n, width * 77);
    const enc = new RleHybridEncoder(width);
    for (const v of values) enc.put(v);
    const decoder = new RleHybridDecoder(new MemoryBuffer(enc.finish()), width);
    const out = new Int32Array(n);
    const sizes = [1, 5, 8, 13, 16, 3, 64, 7, 200];
    for (let at = 0, k = 0; at < n; k++) {
      const count = Math.min(sizes[k % sizes.length], n - at);
      decoder.read(out, at, count);
      at += count;
    }
    expect([...out].map((v) => v >>> 0)).toEqual(values);
  });

  it.each([1, 2, 5, 8, 17, 32])('putAll writes the bytes of as many put calls, at bit width %i', (width) => {
    for (const n of [0, 3, 8, 16, 63 * 8, 63 * 8 + 9, 3_000]) {
      const values = Int32Array.from(sample(width, n, width * 31 + n));
      const byValue = new RleHybridEncoder(width);
      for (const v of values) byValue.put(v);
      const byAll = new RleHybridEncoder(width);
      // split in two calls: the second starts wherever the first left the encoder
      byAll.putAll(values, 0, n >> 1);
      byAll.putAll(values, n >> 1, n);
      expect([...byAll.finish()]).toEqual([...byValue.finish()]);
    }
  });

  it('reset(bitWidth) reuses an encoder at another width: the bytes of a new one', () => {
    const enc = new RleHybridEncoder(3);
    for (const v of sample(3, 500, 1)) enc.put(v);
    enc.finish();
    for (const width of [9, 1, 24]) {
      enc.reset(width);
      const fresh = new RleHybridEncoder(width);
      for (const v of sample(width, 700, width)) {
        enc.put(v);
        fresh.put(v);
      }
      expect(enc.bitWidth).toBe(width);
      expect([...enc.finish()]).toEqual([...fresh.finish()]);
    }
  });

  it('skipRun consumes values only when they are all in one RLE run of that value', () => {
    const enc = new RleHybridEncoder(1);
    enc.putRun(1, 100);
    for (const v of [0, 1, 0, 0, 1, 1, 0, 1]) enc.put(v);
    enc.putRun(0, 50);
    const decoder = new RleHybridDecoder(new MemoryBuffer(enc.finish()), 1);
    expect(decoder.skipRun(0, 10)).toBe(false); // a run of 1s comes first
    expect(decoder.skipRun(1, 101)).toBe(false); // longer than the run
    expect(decoder.skipRun(1, 60)).toBe(true);
    expect(decoder.skipRun(1, 40)).toBe(true);
    expect(decoder.skipRun(0, 1)).toBe(false); // bit-packed values next: nothing consumed
    const out = new Int32Array(58);
    decoder.read(out, 0, 58);
    expect([...out]).toEqual([0, 1, 0, 0, 1, 1, 0, 1, ...new Array(50).fill(0)]);
  });

  it('putRun writes the bytes of as many put calls', () => {
    const runs: [number, number][] = [[1, 3], [0, 1], [1, 20], [1, 5], [0, 9], [1, 1], [0, 1000], [1, 2], [0, 7]];
    const byRun = new RleHybridEncoder(1);
    const byValue = new RleHybridEncoder(1);
    for (const [v, n] of runs) {
      byRun.putRun(v, n);
      for (let k = 0; k < n; k++) byValue.put(v);
    }
    expect([...byRun.finish()]).toEqual([...byValue.finish()]);
  });

  it('encodes a long run in a few bytes and is reusable after reset', () => {
    const enc = new RleHybridEncoder(1);
    enc.putRun(1, 2 ** 31 + 5);
    expect(enc.finish().length).toBeLessThanOrEqual(6);
    enc.reset();
    enc.putRun(0, 3);
    expect(decode(enc.finish(), 1, 3)).toEqual([0, 0, 0]);
  });

  it('bitWidthFor gives the bits of the largest index, at least 1', () => {
    expect([0, 1, 2, 3, 255, 256, 2 ** 31].map(bitWidthFor)).toEqual([1, 1, 2, 2, 8, 9, 32]);
  });
});
