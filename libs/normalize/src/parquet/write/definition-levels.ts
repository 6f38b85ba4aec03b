// Definition levels of a flat optional column: 1 for a value, 0 for a null, RLE/bit-packed with bit width 1
// (v1 data pages), written as runs straight from the Arrow validity bitmap.
import type * as arrow from 'apache-arrow';
import { bitAt, validityOf } from './arrow-data';
import { RleHybridEncoder } from './rle-hybrid-encoder';

export class DefinitionLevels {
  private readonly encoder = new RleHybridEncoder(1);

  /** Levels of rows [start, start + count) of `data`; returns how many of them are null. */
  append(data: arrow.Data, start: number, count: number): number {
    const validity = validityOf(data);
    if (!validity) {
      this.encoder.putRun(1, count);
      return 0;
    }
    const { bits, offset } = validity;
    let nulls = 0;
    let i = start;
    const stop = start + count;
    while (i < stop) {
      const bit = bitAt(bits, offset + i);
      let run = 1;
      const whole = bit === 1 ? 0xff : 0;
      while (i + run < stop) {
        const b = offset + i + run;
        // a whole byte of the same bit: 8 at a time
        if ((b & 7) === 0 && i + run + 8 <= stop && bits[b >> 3] === whole) {
          run += 8;
          continue;
        }
        if (bitAt(bits, b) !== bit) break;
        run++;
      }
      this.encoder.putRun(bit, run);
      if (bit === 0) nulls += run;
      i += run;
    }
    return nulls;
  }

  /** The page's levels (a view: copy before the next reset). */
  finish(): Uint8Array {
    return this.encoder.finish();
  }

  reset(): void {
    this.encoder.reset();
  }
}
