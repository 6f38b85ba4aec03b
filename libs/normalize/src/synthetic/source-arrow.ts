// Arrow columns in the shapes the TLC publishes (int64, float64, utf8, timestamps in a chosen unit) for the
// synthetic source files, from plain arrays plus a byte-per-row validity.
import * as arrow from 'apache-arrow';
import { encodeParquet } from '../writer';
import type { SeededRandom } from './random';

export interface NumberValues {
  values: Float64Array;
  /** 1 = present, 0 = null, per row. */
  valid: Uint8Array;
}

export interface TimeValues {
  /** Microseconds since the epoch, UTC-naive. */
  micros: BigInt64Array;
  valid: Uint8Array;
}

export function timestamp(time: TimeValues, unit: 'ms' | 'us' | 'ns', random: SeededRandom): arrow.Data {
  const { nullBitmap, nullCount } = pack(time.valid);
  const length = time.micros.length;
  if (unit === 'us') {
    return arrow.makeData({ type: new arrow.TimestampMicrosecond(), length, nullCount, nullBitmap, data: time.micros });
  }
  if (unit === 'ms') {
    const data = time.micros.map((us) => (us >= 0n ? us / 1000n : -((-us + 999n) / 1000n)));
    return arrow.makeData({ type: new arrow.TimestampMillisecond(), length, nullCount, nullBitmap, data });
  }
  const data = time.micros.map((us) => us * 1000n + BigInt(random.int(0, 999)));
  return arrow.makeData({ type: new arrow.TimestampNanosecond(), length, nullCount, nullBitmap, data });
}

export function float64(column: NumberValues): arrow.Data {
  const { nullBitmap, nullCount } = pack(column.valid);
  const length = column.values.length;
  return arrow.makeData({ type: new arrow.Float64(), length, nullCount, nullBitmap, data: column.values });
}

/** int32 storage (the 2024 yellow files' IDs). */
export function int32(column: NumberValues): arrow.Data {
  const { nullBitmap, nullCount } = pack(column.valid);
  const data = Int32Array.from(column.values, (v) => Math.trunc(v));
  return arrow.makeData({ type: new arrow.Int32(), length: data.length, nullCount, nullBitmap, data });
}

/** A column of the Arrow null type: how an all-null column (green's `ehail_fee`) can be stored. */
export function nullType(length: number): arrow.Data {
  return arrow.makeData({ type: new arrow.Null(), length, nullCount: length });
}

export function int64(column: NumberValues): arrow.Data {
  const { nullBitmap, nullCount } = pack(column.valid);
  const data = BigInt64Array.from(column.values, (v) => BigInt(Math.trunc(v)));
  return arrow.makeData({ type: new arrow.Int64(), length: data.length, nullCount, nullBitmap, data });
}

/** Encodes each distinct string once: the synthetic columns draw from small vocabularies. */
export function utf8(values: (string | null)[]): arrow.Data {
  const encoder = new TextEncoder();
  const encoded = new Map<string, Uint8Array>();
  const bytesOf = (s: string) => encoded.get(s) ?? encoded.set(s, encoder.encode(s)).get(s)!;
  const valueOffsets = new Int32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    valueOffsets[i + 1] = valueOffsets[i] + (s === null ? 0 : bytesOf(s).length);
  }
  const data = new Uint8Array(valueOffsets[values.length]);
  values.forEach((s, i) => s !== null && data.set(bytesOf(s), valueOffsets[i]));
  const { nullBitmap, nullCount } = pack(Uint8Array.from(values, (s) => (s === null ? 0 : 1)));
  return arrow.makeData({ type: new arrow.Utf8(), length: values.length, nullCount, nullBitmap, valueOffsets, data });
}

export function extraColumn(rows: number, random: SeededRandom): arrow.Data {
  const data = BigInt64Array.from({ length: rows }, () => BigInt(random.int(0, 1_000_000)));
  return arrow.makeData({ type: new arrow.Int64(), length: rows, nullCount: 0, data });
}

function pack(valid: Uint8Array): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  const bits = new Uint8Array((valid.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < valid.length; i++) {
    if (valid[i]) bits[i >> 3] |= 1 << (i & 7);
    else nullCount++;
  }
  return { nullBitmap: nullCount > 0 ? bits : undefined, nullCount };
}

/** A one-batch table of named columns, every field nullable. */
export function tableOf(columns: [string, arrow.Data][], rows: number): arrow.Table {
  const schema = new arrow.Schema(columns.map(([name, data]) => new arrow.Field(name, data.type, true)));
  const children = columns.map(([, data]) => data);
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: rows, nullCount: 0, children });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}

/** Parquet bytes of a synthetic table; default one row group for the whole file, snappy. */
export function syntheticParquet(
  table: arrow.Table,
  opts: { rows: number; rowGroupRows?: number; compression?: 'snappy' | 'zstd' },
): Uint8Array {
  return encodeParquet(table, {
    compression: opts.compression ?? 'snappy',
    rowGroupRows: opts.rowGroupRows ?? Math.max(1, opts.rows),
  });
}
