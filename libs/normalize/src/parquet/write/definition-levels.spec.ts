import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../byte-streams';
import { RleHybridDecoder } from '../rle';
import { DefinitionLevels } from './definition-levels';

/** Float32 data whose validity follows `valid`, sliced from `offset` (Arrow JS keeps the bitmap whole). */
function dataWith(valid: boolean[], offset: number): arrow.Data {
  const vector = arrow.vectorFromArray(
    valid.map((v, i) => (v ? i : null)),
    new arrow.Float32(),
  );
  return vector.data[0].slice(offset, valid.length - offset);
}

describe('DefinitionLevels', () => {
  it('writes 1 for each value and 0 for each null, whatever the runs and the bit offset', () => {
    let s = 3;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const offset of [0, 1, 5, 8, 13]) {
      // long runs of either bit (whole bytes of them) between short noisy stretches
      const valid: boolean[] = [];
      while (valid.length < 5_000) {
        const run = rand() < 0.5 ? 1 + Math.floor(rand() * 5) : 20 + Math.floor(rand() * 300);
        const bit = rand() < 0.6;
        for (let k = 0; k < run; k++) valid.push(bit);
      }
      const data = dataWith(valid, offset);
      const levels = new DefinitionLevels();
      let nulls = 0;
      // appended in uneven slices, as the column writer does
      for (let at = 0, k = 0; at < data.length; k++) {
        const n = Math.min([1, 999, 64, 7][k % 4], data.length - at);
        nulls += levels.append(data, at, n);
        at += n;
      }
      const decoded = new Uint8Array(data.length);
      new RleHybridDecoder(new MemoryBuffer(levels.finish()), 1).read(decoded, 0, data.length);
      const expected = valid.slice(offset, offset + data.length);
      expect([...decoded]).toEqual(expected.map((v) => (v ? 1 : 0)));
      expect(nulls).toBe(expected.filter((v) => !v).length);
    }
  });
});
