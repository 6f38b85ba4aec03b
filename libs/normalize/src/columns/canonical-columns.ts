// Builds the canonical Arrow columns of the rows that survive the quality rules: filter (keep mask) and cast.
// `keep[i] === 1` keeps row i; `kept` is the number of kept rows. Timestamps and floats are copied run by run
// (`keptRuns`: a window drops a row or two, so a few native copies instead of a loop per value), and their validity
// is filtered after; integers are narrowed and strings remapped row by row.
import * as arrow from 'apache-arrow';
import { BitmapBuilder, bitmapBytes, isValid } from './bitmap';
import { type DictionaryCodes, withDictionaryCodes } from './dictionary-codes';
import { int32Words } from './int32-words';
import type { CodedStrings, NumberColumn, TimestampColumn, TriState } from './source-columns';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * One output column's arrays, kept from window to window: a builder given one writes the window's values and
 * validity there, zeroed first, instead of allocating them. The Data it returns is then only valid until the next
 * window's (see normalizeRowGroup's `reuseOutputs`). Garbage collection followed the bytes allocated: the canonical
 * columns were half of them.
 */
export class ReusedArrays {
  private valueBytes = new ArrayBuffer(0);
  private bitmapBytes = new ArrayBuffer(0);
  private codeWords = new Int32Array(0);

  /** n values over the kept buffer, zeroed (it grows when n needs more). */
  values<T extends Float32Array | Int32Array | BigInt64Array>(make: ArrayMaker<T>, n: number): T {
    const bytes = n * make.BYTES_PER_ELEMENT;
    if (this.valueBytes.byteLength < bytes) this.valueBytes = new ArrayBuffer(bytes);
    const array = new make(this.valueBytes, 0, n);
    if (array instanceof BigInt64Array) array.fill(0n);
    else array.fill(0);
    return array;
  }

  /** The kept rows' source dictionary codes, in a buffer kept too (their values' lifetime). */
  keptCodes(source: DictionaryCodes | undefined, runs: Int32Array, n: number): DictionaryCodes | undefined {
    if (!source) return undefined;
    if (this.codeWords.length < n) this.codeWords = new Int32Array(n);
    return { codes: copyRuns(this.codeWords.subarray(0, n), source.codes, runs), dictionary: source.dictionary };
  }

  /** Zeroed bytes for a bitmap of n bits (a BitmapBuilder's `into`). */
  bitmap(n: number): Uint8Array {
    const bytes = bitmapBytes(n);
    if (this.bitmapBytes.byteLength < bytes) this.bitmapBytes = new ArrayBuffer(bytes);
    return new Uint8Array(this.bitmapBytes, 0, bytes).fill(0);
  }
}

interface ArrayMaker<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

const fresh = {
  values: <T extends Float32Array | Int32Array | BigInt64Array>(make: ArrayMaker<T>, n: number): T => new make(new ArrayBuffer(n * make.BYTES_PER_ELEMENT), 0, n),
  bitmap: (): undefined => undefined,
  // arrays of their own are quarantined rows, which wait in a channel: the writer's dictionary lookups are not worth a copy
  keptCodes: (): undefined => undefined,
};

/** The runs of kept rows, as [start, end) pairs: [s0, e0, s1, e1, …]. */
export function keptRuns(keep: Uint8Array): Int32Array {
  const bounds: number[] = [];
  let i = 0;
  const n = keep.length;
  while (i < n) {
    while (i < n && !keep[i]) i++;
    if (i === n) break;
    const start = i;
    while (i < n && keep[i]) i++;
    bounds.push(start, i);
  }
  return Int32Array.from(bounds);
}

/** source's kept values, run by run, into `out` (a typed array set converts as an assignment would). */
function copyRuns<T extends Float32Array | BigInt64Array | Int32Array>(
  out: T,
  source: Float64Array | BigInt64Array | Int32Array,
  runs: Int32Array,
): T {
  let j = 0;
  for (let r = 0; r < runs.length; r += 2) {
    (out as Float32Array).set((source as Float64Array).subarray(runs[r], runs[r + 1]), j);
    j += runs[r + 1] - runs[r];
  }
  return out;
}

export function timestampColumn(
  type: arrow.TimestampMicrosecond,
  source: TimestampColumn,
  keep: Uint8Array,
  kept: number,
  runs = keptRuns(keep),
  into: ReusedArrays | typeof fresh = fresh,
): arrow.Data {
  return copiedColumn(type, into.values(BigInt64Array, kept), source.micros, source.valid, keep, runs, into);
}

/** The kept rows of `from`, copied run by run into `values` (a kept row each), and their validity. */
function copiedColumn(
  type: arrow.TimestampMicrosecond | arrow.Float32,
  values: Float32Array | BigInt64Array,
  from: Float64Array | BigInt64Array,
  valid: Uint8Array | null,
  keep: Uint8Array,
  runs: Int32Array,
  into: ReusedArrays | typeof fresh,
): arrow.Data {
  copyRuns(values, from, runs);
  // one call for both types: makeData's overloads are per type, and a float32 and a µs timestamp are built alike
  const props = { type: type as arrow.Float32, length: values.length, data: values as Float32Array };
  if (valid === null) return arrow.makeData({ ...props, nullCount: 0 });
  return arrow.makeData({ ...props, ...keptValidity(valid, keep, values, into) });
}

/**
 * The validity of the kept rows of a column whose values were copied run by run (copyRuns): a null row's slot is
 * zeroed, word by word, as it is in a new array.
 */
function keptValidity(
  valid: Uint8Array,
  keep: Uint8Array,
  values: Float32Array | BigInt64Array,
  into: ReusedArrays | typeof fresh,
): { nullCount: number; nullBitmap: Uint8Array | undefined } {
  const validity = new BitmapBuilder(values.length, into.bitmap(values.length));
  const words = int32Words(values);
  const width = values.BYTES_PER_ELEMENT >> 2;
  for (let i = 0, j = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    const ok = isValid(valid, i);
    validity.push(ok);
    if (!ok) {
      words[j * width] = 0;
      words[j * width + width - 1] = 0;
    }
    j++;
  }
  return { nullCount: validity.unset, nullBitmap: validity.nullBitmap() };
}

/** Integers outside int32 (e.g. a trip_time of more than 68 years) cannot be narrowed: they become null. */
export function int32Column(
  type: arrow.Int32,
  source: NumberColumn,
  keep: Uint8Array,
  kept: number,
  runs = keptRuns(keep),
  into: ReusedArrays | typeof fresh = fresh,
): arrow.Data {
  if (source.valid === null) {
    const values = into.values(Int32Array, kept);
    const from = source.values;
    let j = 0;
    let narrowed = true;
    for (let r = 0; r < runs.length && narrowed; r += 2) {
      for (let i = runs[r]; i < runs[r + 1]; i++) {
        const v = from[i];
        if (!(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX)) {
          narrowed = false;
          break;
        }
        values[j++] = v;
      }
    }
    if (narrowed) return withDictionaryCodes(arrow.makeData({ type, length: kept, nullCount: 0, data: values }), into.keptCodes(source.codes, runs, kept));
  }
  const values = into.values(Int32Array, kept);
  const validity = new BitmapBuilder(kept, into.bitmap(kept));
  let j = 0;
  for (let i = 0; i < source.length; i++) {
    if (!keep[i]) continue;
    const v = source.values[i];
    const ok = isValid(source.valid, i) && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
    validity.push(ok);
    if (ok) values[j] = v;
    j++;
  }
  const data = arrow.makeData({ type, length: kept, nullCount: validity.unset, nullBitmap: validity.nullBitmap(), data: values });
  return withDictionaryCodes(data, into.keptCodes(source.codes, runs, kept));
}

/** float64 → float32 rounds to nearest (fine for money and miles: 7 significant digits). */
export function float32Column(
  type: arrow.Float32,
  source: NumberColumn,
  keep: Uint8Array,
  kept: number,
  runs = keptRuns(keep),
  into: ReusedArrays | typeof fresh = fresh,
): arrow.Data {
  const data = copiedColumn(type, into.values(Float32Array, kept), source.values, source.valid, keep, runs, into);
  return withDictionaryCodes(data, into.keptCodes(source.codes, runs, kept));
}

/** The dictionary holds only the values of kept rows, in order of first appearance. */
export function dictionaryColumn(
  type: arrow.Dictionary<arrow.Utf8, arrow.Int32>,
  source: CodedStrings,
  keep: Uint8Array,
  kept: number,
  into: ReusedArrays | typeof fresh = fresh,
): arrow.Data {
  const remap = new Int32Array(source.dictionary.length).fill(-1);
  const dictionary: string[] = [];
  const codes = into.values(Int32Array, kept);
  const validity = new BitmapBuilder(kept, into.bitmap(kept));
  let j = 0;
  for (let i = 0; i < source.length; i++) {
    if (!keep[i]) continue;
    const code = source.codes[i];
    validity.push(code >= 0);
    if (code >= 0) {
      if (remap[code] < 0) remap[code] = dictionary.push(source.dictionary[code]) - 1;
      codes[j] = remap[code];
    }
    j++;
  }
  return arrow.makeData({
    type,
    length: kept,
    nullCount: validity.unset,
    nullBitmap: validity.nullBitmap(),
    data: codes,
    dictionary: arrow.vectorFromArray(dictionary, new arrow.Utf8()),
  });
}

export function flagColumn(type: arrow.Bool, source: TriState, keep: Uint8Array, kept: number): arrow.Data {
  const values = new Uint8Array(bitmapBytes(kept));
  const validity = new Uint8Array(bitmapBytes(kept));
  let nulls = 0;
  for (let i = 0, j = 0; i < source.length; i++) {
    if (!keep[i]) continue;
    const flag = source[i];
    const bit = 1 << (j & 7);
    if (flag < 0) nulls++;
    else validity[j >> 3] |= bit;
    if (flag === 1) values[j >> 3] |= bit;
    j++;
  }
  return arrow.makeData({ type, length: kept, nullCount: nulls, nullBitmap: nulls > 0 ? validity : undefined, data: values });
}

/** An optional column the source does not have. */
export function nullColumn(type: arrow.DataType, length: number, into: ReusedArrays | typeof fresh = fresh): arrow.Data {
  const nullBitmap = into.bitmap(length) ?? new Uint8Array(bitmapBytes(length));
  const common = { length, nullCount: length, nullBitmap };
  if (arrow.DataType.isDictionary(type)) {
    const dictionary = arrow.vectorFromArray([] as string[], new arrow.Utf8());
    return arrow.makeData({ type, ...common, data: into.values(Int32Array, length), dictionary });
  }
  if (arrow.DataType.isBool(type)) return arrow.makeData({ type, ...common, data: new Uint8Array(nullBitmap.length) });
  if (arrow.DataType.isTimestamp(type)) return arrow.makeData({ type, ...common, data: into.values(BigInt64Array, length) });
  if (arrow.DataType.isInt(type)) return arrow.makeData({ type, ...common, data: into.values(Int32Array, length) });
  if (arrow.DataType.isFloat(type)) return arrow.makeData({ type, ...common, data: into.values(Float32Array, length) });
  throw new Error(`no null column for ${type}`);
}
