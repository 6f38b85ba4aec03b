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
      while (i + run < stop && bitAt(bits, offset + i + run) === bit) run++;
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
