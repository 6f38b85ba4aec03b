// Reads decoded source Arrow data into plain arrays the rules and the canonical builders work on, whatever
// the source's physical type: timestamps in any unit → µs (BigInt math, exact), numbers → float64,
// strings → dictionary codes, flags → tri-state. Pure: Arrow data in, typed arrays out.
// Arrow JS slicing: value and offset buffers are already sliced (index 0 = first row); validity bitmaps and
// boolean value bits are not (bit `data.offset + i` is row i).
import * as arrow from 'apache-arrow';
import { PermanentError } from '@sluice/contracts';
import { type Validity, bitmapBytes, isValid } from './bitmap';
import { type DictionaryCodes, dictionaryCodesOf } from './dictionary-codes';
import { int32Words } from './int32-words';

export interface TimestampColumn {
  length: number;
  /** Microseconds since the epoch; meaningless where not valid. */
  micros: BigInt64Array;
  valid: Validity;
}

export interface NumberColumn {
  length: number;
  values: Float64Array;
  valid: Validity;
  /** The source dictionary index of each row's value, when the decoder knew them (see dictionary-codes.ts). */
  codes?: DictionaryCodes;
}

export interface CodedStrings {
  length: number;
  /** Index into `dictionary` per row, -1 for null. */
  codes: Int32Array;
  dictionary: string[];
}

/** Per row: 1 true, 0 false, -1 null. */
export type TriState = Int8Array;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function timestampsAsMicros(data: arrow.Data, column: string): TimestampColumn {
  const { length } = data;
  if (arrow.DataType.isNull(data.type)) return { length, micros: new BigInt64Array(length), valid: allNull(length) };
  if (!arrow.DataType.isTimestamp(data.type)) throw unexpected(column, data.type, 'a timestamp');
  const raw = (data.values as BigInt64Array).subarray(0, length);
  const valid = validityOf(data);
  switch (data.type.unit) {
    case arrow.TimeUnit.MICROSECOND:
      return { length, micros: raw, valid };
    case arrow.TimeUnit.NANOSECOND:
      return { length, micros: raw.map((ns) => floorDiv(ns, 1000n)), valid };
    case arrow.TimeUnit.MILLISECOND:
      return scaled(raw, 1000n, valid);
    case arrow.TimeUnit.SECOND:
      return scaled(raw, 1_000_000n, valid);
  }
}

/** Floor division, so that sub-µs parts round towards the past also before 1970 and order is kept. */
export function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d < 0n ? q - 1n : q;
}

/** A scaled value beyond int64 (a year far beyond 200,000) cannot be a time: it becomes null. */
function scaled(raw: BigInt64Array, factor: bigint, valid: Validity): TimestampColumn {
  const { length } = raw;
  const micros = new BigInt64Array(length);
  let overflow: Uint8Array | null = null;
  for (let i = 0; i < length; i++) {
    if (!isValid(valid, i)) continue;
    const us = raw[i] * factor;
    if (us < INT64_MIN || us > INT64_MAX) {
      overflow ??= valid ? valid.slice(0, bitmapBytes(length)) : new Uint8Array(bitmapBytes(length)).fill(0xff);
      overflow[i >> 3] &= ~(1 << (i & 7));
    } else {
      micros[i] = us;
    }
  }
  return { length, micros, valid: overflow ?? valid };
}

/**
 * `into`: where a conversion may write (a caller's scratch, reused window after window); the values are then a view
 * of it, valid until the caller reuses it. Without it, or when it is too short, they are a new array.
 */
export function numbersOf(data: arrow.Data, column: string, into?: Float64Array): NumberColumn {
  const { length } = data;
  const out = () => (into && into.length >= length ? into.subarray(0, length) : new Float64Array(length));
  if (arrow.DataType.isNull(data.type)) return { length, values: out().fill(0), valid: allNull(length) };
  const valid = validityOf(data);
  // each conversion below maps a value on its own: rows with equal codes still hold equal values
  const codes = dictionaryCodesOf(data);
  if (arrow.DataType.isFloat(data.type) && data.type.precision !== arrow.Precision.HALF) {
    const source = (data.values as Float64Array | Float32Array).subarray(0, length);
    if (source instanceof Float64Array) return { length, values: source, valid, codes }; // read where they are: nothing downstream writes to a source column
    const values = out();
    values.set(source);
    return { length, values, valid, codes };
  }
  if (arrow.DataType.isInt(data.type)) {
    if (data.type.bitWidth === 64) return { length, values: int64AsNumbers(data, data.type.isSigned, out()), valid, codes };
    const values = out();
    values.set((data.values as Int32Array).subarray(0, length));
    return { length, values, valid, codes };
  }
  throw unexpected(column, data.type, 'a number');
}

/** int64 → float64 from the two 32-bit halves: exact below 2^53, no BigInt per value. */
function int64AsNumbers(data: arrow.Data, signed: boolean, out: Float64Array): Float64Array {
  const raw = data.values as BigInt64Array;
  const words = int32Words(raw);
  for (let i = 0; i < data.length; i++) {
    const high = words[2 * i + 1];
    out[i] = (signed ? high : high >>> 0) * 4294967296 + (words[2 * i] >>> 0);
  }
  return out;
}

export function codedStrings(data: arrow.Data, column: string): CodedStrings {
  const { length } = data;
  if (arrow.DataType.isNull(data.type)) return { length, codes: new Int32Array(length).fill(-1), dictionary: [] };
  if (arrow.DataType.isDictionary(data.type)) return fromDictionary(data);
  if (arrow.DataType.isUtf8(data.type) || arrow.DataType.isLargeUtf8(data.type)) return fromUtf8(data);
  throw unexpected(column, data.type, 'a string');
}

function fromDictionary(data: arrow.Data): CodedStrings {
  const dictionary = (data.dictionary?.toArray() ?? []) as (string | null)[];
  const indices = data.values as ArrayLike<number | bigint>;
  const valid = validityOf(data);
  if (valid === null && indices instanceof Int32Array && !dictionary.includes(null)) {
    // int32 codes without nulls are the codes themselves, once each is known to name an entry
    const codes = indices.subarray(0, data.length);
    let inRange = true;
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] < 0 || codes[i] >= dictionary.length) {
        inRange = false;
        break;
      }
    }
    if (inRange) return { length: data.length, codes, dictionary: dictionary as string[] };
  }
  const codes = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const code = isValid(valid, i) ? Number(indices[i]) : -1;
    codes[i] = code >= 0 && dictionary[code] != null ? code : -1;
  }
  return { length: data.length, codes, dictionary: dictionary.map((s) => s ?? '') };
}

/** Dictionary-codes UTF-8 values by their bytes (hash + compare): no JS string per row. */
function fromUtf8(data: arrow.Data): CodedStrings {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const bytes = data.values as Uint8Array;
  const valid = validityOf(data);
  const codes = new Int32Array(data.length);
  const entries: Uint8Array[] = [];
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < data.length; i++) {
    if (!isValid(valid, i)) {
      codes[i] = -1;
      continue;
    }
    const start = Number(offsets[i]);
    const end = Number(offsets[i + 1]);
    let hash = 0x811c9dc5;
    for (let b = start; b < end; b++) hash = Math.imul(hash ^ bytes[b], 0x01000193);
    let bucket = buckets.get(hash);
    if (!bucket) buckets.set(hash, (bucket = []));
    let code = bucket.find((c) => sameBytes(entries[c], bytes, start, end));
    if (code === undefined) {
      code = entries.length;
      entries.push(bytes.subarray(start, end));
      bucket.push(code);
    }
    codes[i] = code;
  }
  const decoder = new TextDecoder();
  return { length: data.length, codes, dictionary: entries.map((e) => decoder.decode(e)) };
}

function sameBytes(entry: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (entry.length !== end - start) return false;
  for (let k = 0; k < entry.length; k++) if (entry[k] !== bytes[start + k]) return false;
  return true;
}

/**
 * Exactly 'Y' → 1 and 'N' → 0; anything else (null, ' ', '', 'y', 'Yes') → -1. Booleans map as they are.
 * Numbers (FHV's `SR_Flag`, 1 or null): 1 → 1, 0 → 0, anything else → -1.
 */
export function flagsOf(data: arrow.Data, column: string, into?: Int8Array): TriState {
  // `into`: a caller's scratch, as for numbersOf
  const flags = into && into.length >= data.length ? into.subarray(0, data.length) : new Int8Array(data.length);
  if (arrow.DataType.isInt(data.type) || arrow.DataType.isFloat(data.type)) {
    const { values, valid } = numbersOf(data, column);
    for (let i = 0; i < data.length; i++) {
      const v = values[i];
      flags[i] = isValid(valid, i) && (v === 1 || v === 0) ? v : -1;
    }
    return flags;
  }
  if (arrow.DataType.isBool(data.type)) {
    const valid = validityOf(data);
    const bits = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      const bit = data.offset + i;
      flags[i] = isValid(valid, i) ? (bits[bit >> 3] >> (bit & 7)) & 1 : -1;
    }
    return flags;
  }
  if (arrow.DataType.isDictionary(data.type) && data.values instanceof Int32Array) {
    // straight from the indices: the flag of each dictionary entry, looked up per row
    const entries = (data.dictionary?.toArray() ?? []) as (string | null)[];
    const byCode = Int8Array.from(entries, flagOfText);
    const indices = data.values;
    const valid = validityOf(data);
    for (let i = 0; i < data.length; i++) {
      const code = indices[i];
      flags[i] = isValid(valid, i) && code >= 0 && code < byCode.length ? byCode[code] : -1;
    }
    return flags;
  }
  const { codes, dictionary } = codedStrings(data, column);
  const byCode = Int8Array.from(dictionary, flagOfText);
  for (let i = 0; i < data.length; i++) flags[i] = codes[i] < 0 ? -1 : byCode[codes[i]];
  return flags;
}

/** 'Y' → 1, 'N' → 0, any other text or null → -1. */
function flagOfText(text: string | null): number {
  return text === 'Y' ? 1 : text === 'N' ? 0 : -1;
}

/** The validity bitmap re-based to bit 0, or null when the data has no nulls. */
export function validityOf(data: arrow.Data): Validity {
  if (data.nullCount === 0) return null;
  if (arrow.DataType.isNull(data.type)) return allNull(data.length);
  const source = data.nullBitmap;
  if (!source || source.length === 0) return null;
  if (data.offset === 0) return source;
  const out = new Uint8Array(bitmapBytes(data.length));
  for (let i = 0; i < data.length; i++) {
    const bit = data.offset + i;
    if ((source[bit >> 3] >> (bit & 7)) & 1) out[i >> 3] |= 1 << (i & 7);
  }
  return out;
}

function allNull(length: number): Uint8Array {
  return new Uint8Array(bitmapBytes(length));
}

/** The mapping checked the file's declared schema; this catches a decoder that returns something else. */
function unexpected(column: string, type: arrow.DataType, expected: string): PermanentError {
  return new PermanentError('impossible_type', `column '${column}' decoded as ${type}, expected ${expected}`);
}
