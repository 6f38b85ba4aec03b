// Min/max/null-count statistics of a page or a column chunk, in Parquet's `min_value`/`max_value` form: the
// value's PLAIN bytes, ordered by the column's type (signed for ints and timestamps, IEEE for floats with NaN
// left out, unsigned byte-wise for strings). The encoders update the ranges inline in their loops; these
// classes hold them, merge a page's into its chunk's, and turn them into bytes.
import { StatisticsField as S } from '../format';
import type { ThriftCompactWriter } from '../thrift-compact-writer';

export interface ColumnStatistics {
  nullCount: number;
  /** PLAIN bytes of the smallest and largest non-null value; absent when there is none (all null, all NaN). */
  min?: Uint8Array;
  max?: Uint8Array;
}

/** Keeps min and max of what the encoders fold into it; `bytes()` gives the statistics' byte form. */
export interface ValueRange {
  mergeInto(chunk: this): void;
  reset(): void;
  bytes(): { min: Uint8Array; max: Uint8Array } | undefined;
}

/** int32 and float32 values, as JS numbers (NaN is never folded in: it has no place in the order). */
export class NumberRange implements ValueRange {
  min = Infinity;
  max = -Infinity;
  constructor(private readonly type: 'int32' | 'float32') {}

  mergeInto(chunk: NumberRange): void {
    if (this.min < chunk.min) chunk.min = this.min;
    if (this.max > chunk.max) chunk.max = this.max;
  }

  reset(): void {
    this.min = Infinity;
    this.max = -Infinity;
  }

  bytes(): { min: Uint8Array; max: Uint8Array } | undefined {
    if (this.min > this.max) return undefined;
    if (this.type === 'int32') return { min: int32Bytes(this.min), max: int32Bytes(this.max) };
    // Parquet's rule for a float range touching zero: min is written as -0 and max as +0, so that a reader
    // comparing either zero against the range keeps the page
    return { min: float32Bytes(this.min === 0 ? -0 : this.min), max: float32Bytes(this.max === 0 ? 0 : this.max) };
  }
}

/** int64 values (timestamps) as two int32 halves: signed high word, then unsigned low word. */
export class Int64Range implements ValueRange {
  minHi = 0x7fffffff;
  minLo = 0xffffffff;
  maxHi = -0x80000000;
  maxLo = 0;
  any = false;

  mergeInto(chunk: Int64Range): void {
    if (!this.any) return;
    if (!chunk.any || this.minHi < chunk.minHi || (this.minHi === chunk.minHi && this.minLo < chunk.minLo)) {
      chunk.minHi = this.minHi;
      chunk.minLo = this.minLo;
    }
    if (!chunk.any || this.maxHi > chunk.maxHi || (this.maxHi === chunk.maxHi && this.maxLo > chunk.maxLo)) {
      chunk.maxHi = this.maxHi;
      chunk.maxLo = this.maxLo;
    }
    chunk.any = true;
  }

  reset(): void {
    this.minHi = 0x7fffffff;
    this.minLo = 0xffffffff;
    this.maxHi = -0x80000000;
    this.maxLo = 0;
    this.any = false;
  }

  bytes(): { min: Uint8Array; max: Uint8Array } | undefined {
    if (!this.any) return undefined;
    return { min: int64Bytes(this.minHi, this.minLo), max: int64Bytes(this.maxHi, this.maxLo) };
  }
}

export class BooleanRange implements ValueRange {
  sawFalse = false;
  sawTrue = false;

  mergeInto(chunk: BooleanRange): void {
    chunk.sawFalse ||= this.sawFalse;
    chunk.sawTrue ||= this.sawTrue;
  }

  reset(): void {
    this.sawFalse = false;
    this.sawTrue = false;
  }

  bytes(): { min: Uint8Array; max: Uint8Array } | undefined {
    if (!this.sawFalse && !this.sawTrue) return undefined;
    return { min: Uint8Array.of(this.sawFalse ? 0 : 1), max: Uint8Array.of(this.sawTrue ? 1 : 0) };
  }
}

/** Strings, compared as unsigned bytes (what Parquet's UTF8 order is). */
export class BytesRange implements ValueRange {
  min: Uint8Array | undefined;
  max: Uint8Array | undefined;

  include(value: Uint8Array): void {
    if (this.min === undefined || compareBytes(value, this.min) < 0) this.min = value;
    if (this.max === undefined || compareBytes(value, this.max) > 0) this.max = value;
  }

  mergeInto(chunk: BytesRange): void {
    if (this.min !== undefined) chunk.include(this.min);
    if (this.max !== undefined) chunk.include(this.max);
  }

  reset(): void {
    this.min = undefined;
    this.max = undefined;
  }

  bytes(): { min: Uint8Array; max: Uint8Array } | undefined {
    return this.min && this.max ? { min: this.min, max: this.max } : undefined;
  }
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The Statistics struct as field `id` of the struct being written (min_value/max_value, not the legacy min/max). */
export function writeStatistics(w: ThriftCompactWriter, id: number, stats: ColumnStatistics): void {
  w.structField(id);
  w.i64(S.nullCount, stats.nullCount);
  if (stats.max && stats.min) {
    w.binary(S.maxValue, stats.max);
    w.binary(S.minValue, stats.min);
    // never truncated
    w.bool(S.isMaxValueExact, true);
    w.bool(S.isMinValueExact, true);
  }
  w.structEnd();
}

function int32Bytes(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, v, true);
  return out;
}

function float32Bytes(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setFloat32(0, v, true);
  return out;
}

function int64Bytes(hi: number, lo: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, lo >>> 0, true);
  view.setInt32(4, hi, true);
  return out;
}
