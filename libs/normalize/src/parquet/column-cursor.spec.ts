// The streaming page decoder must return exactly what parquet-wasm decodes, whatever the page layout, the
// window sizes, nulls, dictionary or plain values, and the codec; and refuse what it does not handle.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetWasm } from '../engine/parquet-wasm';
import { ParquetSource } from '../reader';
import { SeededRandom } from '../synthetic/random';
import { tempDir } from '../testing/parquet-readback';
import { dictionaryCodesOf } from '../columns/dictionary-codes';
import { ColumnDecodeError, gather, gatherDoubles } from './column-cursor';

const ROWS = 10_000;

function sourceTable(): arrow.Table {
  const random = new SeededRandom(7);
  const maybe = <T>(v: T, p = 0.1): T | null => (random.next() < p ? null : v);
  const ids = Array.from({ length: ROWS }, () => maybe(BigInt(1 + Math.floor(random.next() * 265))));
  const money = Array.from({ length: ROWS }, () => maybe(Math.round(random.next() * 10_000) / 100));
  const distinct = Array.from({ length: ROWS }, (_, i) => i * 1.000001);
  const small = Array.from({ length: ROWS }, () => Math.floor(random.next() * 1000) - 500);
  const bases = Array.from({ length: ROWS }, () => maybe(['B03404', 'B02510', 'é-Ü', ''][Math.floor(random.next() * 4)]));
  const unique = Array.from({ length: ROWS }, (_, i) => `trip-${i}`);
  const micros = BigInt64Array.from({ length: ROWS }, (_, i) => 1_706_745_599_999_999n - BigInt(i) * 1_234_567n);
  const pickup = arrow.makeData({ type: new arrow.TimestampMicrosecond(), length: ROWS, data: micros });
  return new arrow.Table({
    ids: arrow.vectorFromArray(ids, new arrow.Int64()),
    money: arrow.vectorFromArray(money, new arrow.Float64()),
    distinct: arrow.vectorFromArray(distinct, new arrow.Float64()),
    small: arrow.vectorFromArray(small, new arrow.Int32()),
    single: arrow.vectorFromArray(money.map((m) => (m === null ? null : Math.fround(m))), new arrow.Float32()),
    bases: arrow.vectorFromArray(bases, new arrow.Utf8()),
    unique: arrow.vectorFromArray(unique, new arrow.Utf8()),
    pickup: arrow.makeVector(pickup),
  });
}

type Layout = {
  name: string;
  compression: 'SNAPPY' | 'UNCOMPRESSED' | 'ZSTD' | 'GZIP' | 'BROTLI';
  dictionary: boolean;
  pageBytes: number;
  /** A dictionary page this small makes the writer fall back to PLAIN pages part way through a chunk. */
  dictionaryPageBytes?: number;
};
const LAYOUTS: Layout[] = [
  { name: 'snappy, dictionary, small pages', compression: 'SNAPPY', dictionary: true, pageBytes: 2_000 },
  { name: 'snappy, plain, small pages', compression: 'SNAPPY', dictionary: false, pageBytes: 3_000 },
  { name: 'uncompressed, dictionary, one page', compression: 'UNCOMPRESSED', dictionary: true, pageBytes: 1 << 24 },
  { name: 'snappy, plain, one page', compression: 'SNAPPY', dictionary: false, pageBytes: 1 << 24 },
  { name: 'zstd, dictionary, small pages', compression: 'ZSTD', dictionary: true, pageBytes: 2_000 },
  { name: 'zstd, plain, one page', compression: 'ZSTD', dictionary: false, pageBytes: 1 << 24 },
  { name: 'gzip, dictionary, small pages', compression: 'GZIP', dictionary: true, pageBytes: 2_000 },
  { name: 'gzip, plain, one page', compression: 'GZIP', dictionary: false, pageBytes: 1 << 24 },
  { name: 'brotli, dictionary, small pages', compression: 'BROTLI', dictionary: true, pageBytes: 2_000 },
  { name: 'brotli, plain, one page', compression: 'BROTLI', dictionary: false, pageBytes: 1 << 24 },
  { name: 'snappy, dictionary then plain, small pages', compression: 'SNAPPY', dictionary: true, pageBytes: 2_000, dictionaryPageBytes: 4_000 },
];

function write(file: string, table: arrow.Table, layout: Layout): void {
  const wasm = parquetWasm();
  const props = new wasm.WriterPropertiesBuilder()
    .setCompression(wasm.Compression[layout.compression])
    .setDictionaryEnabled(layout.dictionary)
    .setDataPageSizeLimit(layout.pageBytes)
    .setDictionaryPageSizeLimit(layout.dictionaryPageBytes ?? 1 << 20)
    .setWriteBatchSize(256)
    .build();
  fs.writeFileSync(file, wasm.writeParquet(wasm.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
}

/** Values with nulls; strings as strings, int64 and timestamps as bigint. */
function valuesOf(data: arrow.Data[]): unknown[] {
  const out: unknown[] = [];
  for (const d of data) {
    const vector = arrow.makeVector(d);
    for (let i = 0; i < d.length; i++) {
      if (!d.getValid(i)) out.push(null);
      else if (arrow.DataType.isTimestamp(d.type)) out.push((d.values as BigInt64Array)[i]);
      else out.push(vector.get(i));
    }
  }
  return out;
}

describe('streaming column decoder', () => {
  const dir = tempDir('cursor');
  const table = sourceTable();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const layout of LAYOUTS) {
    describe(layout.name, () => {
      const file = path.join(dir, `${layout.name.replace(/\W+/g, '-')}.parquet`);
      let source: ParquetSource;
      beforeAll(async () => {
        write(file, table, layout);
        source = await ParquetSource.open(file);
      });
      afterAll(() => source.close());

      it.each(table.schema.fields.map((f) => f.name))('%s equals parquet-wasm, read in uneven windows', async (name) => {
        const reader = source.openColumn(0, name);
        expect(reader.mode).toBe('stream');
        const windows = [1, 777, 4096, 3, 2000];
        const pieces: arrow.Data[] = [];
        for (let done = 0, k = 0; done < ROWS; k++) {
          const rows = Math.min(windows[k % windows.length], ROWS - done);
          pieces.push(await reader.read(rows));
          done += rows;
        }
        expect(pieces.reduce((n, p) => n + p.length, 0)).toBe(ROWS);
        const expected = await source.readColumn(0, name);
        expect(valuesOf(pieces)).toEqual(valuesOf([expected]));
      });

      it.each(table.schema.fields.map((f) => f.name))('%s with reused buffers: each window, read before the next, equals parquet-wasm', async (name) => {
        const reader = source.openColumn(0, name, { reuseBuffers: true });
        const windows = [777, 1, 4096, 3, 2000];
        const got: unknown[] = [];
        let codedReads = 0;
        let uncodedReads = 0;
        for (let done = 0, k = 0; done < ROWS; k++) {
          const rows = Math.min(windows[k % windows.length], ROWS - done);
          const piece = await reader.read(rows);
          got.push(...valuesOf([piece]));
          // a null's slot is zeroed (a string's code is -1), not left holding the last window's value
          const slots = piece.values as ArrayLike<number | bigint>;
          const nullSlot = arrow.DataType.isDictionary(piece.type) ? -1 : typeof slots[0] === 'bigint' ? 0n : 0;
          for (let i = 0; i < rows; i++) if (!piece.getValid(i)) expect(slots[i]).toBe(nullSlot);
          // a number column read from dictionary pages says which entry each row holds; any other read says nothing
          const coded = dictionaryCodesOf(piece);
          if (coded) {
            codedReads++;
            const entries = coded.dictionary as ArrayLike<number | bigint>;
            for (let i = 0; i < rows; i++) if (piece.getValid(i)) expect(entries[coded.codes[i]]).toBe(slots[i]);
          } else if (piece.nullCount < rows) {
            uncodedReads++; // (a read of nulls only has no codes to give)
          }
          done += rows;
        }
        expect(got).toEqual(valuesOf([await source.readColumn(0, name)]));
        const numbers = !['bases', 'unique', 'pickup'].includes(name);
        if (!numbers || !layout.dictionary) expect(codedReads).toBe(0);
        else if (!layout.dictionaryPageBytes || name === 'ids') expect(uncodedReads).toBe(0); // (265 ids fit the small dictionary page)
        else {
          // past the dictionary page's size the writer fell back to PLAIN pages, which say nothing
          expect(uncodedReads).toBeGreaterThan(0);
          if (name === 'small' || name === 'single') expect(codedReads).toBeGreaterThan(0);
        }
      });
    });
  }

  it('streams a zstd page of many blocks (a frame larger than zstd\'s 128 KiB block), in small windows', async () => {
    const rows = 200_000;
    const micros = BigInt64Array.from({ length: rows }, (_, i) => 1_706_745_599_999_999n - BigInt(i) * 987_654n);
    const big = new arrow.Table({
      pickup: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond(), length: rows, data: micros })),
    });
    const file = path.join(dir, 'zstd-one-big-page.parquet');
    write(file, big, { name: 'zstd big', compression: 'ZSTD', dictionary: false, pageBytes: 1 << 24 });
    const source = await ParquetSource.open(file);
    try {
      const reader = source.openColumn(0, 'pickup');
      expect(reader.mode).toBe('stream');
      const pieces: arrow.Data[] = [];
      for (let done = 0; done < rows; done += 3_001) pieces.push(await reader.read(Math.min(3_001, rows - done)));
      expect(valuesOf(pieces)).toEqual(valuesOf([await source.readColumn(0, 'pickup')]));
    } finally {
      await source.close();
    }
  });

  // parquet-wasm cuts pages at 20,000 rows; DuckDB writes a column chunk as one page, as it does for real files
  it.each(['snappy', 'zstd', 'gzip'])(
    'streams a %s page bigger than the whole-page bound (one 9.6 MB page written by DuckDB), in windows',
    async (codec) => {
      const rows = 1_200_000;
      const file = path.join(dir, `duckdb-${codec}-page-over-bound.parquet`);
      const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
      const connection = await instance.connect();
      try {
        await connection.run(
          `COPY (SELECT (1706745599999999 - i * 987654 - i % 7)::BIGINT AS v FROM range(${rows}) t(i))
           TO '${file}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${rows + 1})`,
        );
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
      const source = await ParquetSource.open(file);
      try {
        const reader = source.openColumn(0, 'v');
        expect(reader.mode).toBe('stream');
        const got = new BigInt64Array(rows);
        for (let done = 0; done < rows; ) {
          const piece = await reader.read(Math.min(100_003, rows - done));
          got.set(piece.values as BigInt64Array, done);
          done += piece.length;
        }
        const expected = (await source.readColumn(0, 'v')).values as BigInt64Array;
        expect(expected.length).toBe(rows);
        expect(Buffer.compare(Buffer.from(got.buffer), Buffer.from(expected.buffer, expected.byteOffset, rows * 8))).toBe(0);
      } finally {
        await source.close();
      }
    },
    30_000,
  );

  // DuckDB bit-packs dictionary indices and definition levels in blocks and pads the last block past the page's
  // values (the bench's 5M-row source: "a run of 256 values, the page holds 195 more"); arrow-rs reads these files.
  it.each([1_003, 5_195, 100_001])('reads DuckDB dictionary indices and levels whose last bit-packed run is padded (%i rows)', async (rows) => {
    const file = path.join(dir, `duckdb-padded-${rows}.parquet`);
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    try {
      await connection.run(
        `COPY (SELECT ['HV0002', 'HV0003', 'HV0004', 'HV0005'][1 + (i * 7919) % 4] AS s,
                      CASE WHEN i % 3 = 0 THEN NULL ELSE i END::INTEGER AS n
               FROM range(${rows}) t(i))
         TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${rows + 1})`,
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const source = await ParquetSource.open(file);
    try {
      for (const name of ['s', 'n']) {
        const reader = source.openColumn(0, name);
        expect(reader.mode).toBe('stream');
        const got = await reader.read(rows);
        expect(got.length).toBe(rows);
        expect(valuesOf([got])).toEqual(valuesOf([await source.readColumn(0, name)]));
      }
    } finally {
      await source.close();
    }
  });

  it('leaves a codec it does not decode (LZ4_RAW) to parquet-wasm (whole chunk), with the same values', async () => {
    const file = path.join(dir, 'lz4.parquet');
    const wasm = parquetWasm();
    const props = new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.LZ4_RAW).build();
    fs.writeFileSync(file, wasm.writeParquet(wasm.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
    const source = await ParquetSource.open(file);
    try {
      const reader = source.openColumn(0, 'money');
      expect(reader.mode).toBe('whole');
      expect(valuesOf([await reader.read(ROWS)])).toEqual(valuesOf([table.getChild('money')!.data[0]]));
    } finally {
      await source.close();
    }
  });

  it('leaves what it does not decode (booleans) to parquet-wasm (whole chunk), with the same values', async () => {
    const file = path.join(dir, 'bool.parquet');
    const flags = new arrow.Table({ flag: arrow.vectorFromArray(Array.from({ length: ROWS }, (_, i) => (i % 7 === 0 ? null : i % 3 === 0))) });
    write(file, flags, { name: 'bool', compression: 'ZSTD', dictionary: true, pageBytes: 2_000 });
    const source = await ParquetSource.open(file);
    try {
      const reader = source.openColumn(0, 'flag');
      expect(reader.mode).toBe('whole');
      const pieces = [await reader.read(6_000), await reader.read(4_000)];
      expect(valuesOf(pieces)).toEqual(valuesOf([await source.readColumn(0, 'flag')]));
    } finally {
      await source.close();
    }
  });
});

describe('gather (dictionary indices to values)', () => {
  it('moves each entry as its 32-bit words, for one-word and two-word values', () => {
    const doubles = Float64Array.from([1.5, -2.25, 1e300]);
    const out = new Float64Array(4);
    gather(new Int32Array(out.buffer), new Int32Array(doubles.buffer), Int32Array.from([2, 0, 1, 2]), 4, 2);
    expect([...out]).toEqual([1e300, 1.5, -2.25, 1e300]);
    const ints = new Int32Array(3);
    gather(ints, Int32Array.from([7, 8]), Int32Array.from([1, 1, 0]), 3, 1);
    expect([...ints]).toEqual([8, 8, 7]);
  });

  it('gatherDoubles gives the entries, and refuses an index past the dictionary or of 2^31 or more', () => {
    const out = new Float64Array(3);
    gatherDoubles(out, Float64Array.from([0.5, -3, 1e-300]), Int32Array.from([1, 2, 0]), 3);
    expect([...out]).toEqual([-3, 1e-300, 0.5]);
    for (const code of [3, -1]) expect(() => gatherDoubles(out, new Float64Array(3), Int32Array.from([code]), 1)).toThrow(ColumnDecodeError);
  });

  it('refuses an index past the dictionary, and one of 2^31 or more (negative once read into an int32)', () => {
    for (const width of [1, 2]) {
      const dictionary = new Int32Array(3 * width);
      for (const code of [3, -1, -(2 ** 31)]) {
        expect(() => gather(new Int32Array(width), dictionary, Int32Array.from([code]), 1, width)).toThrow(ColumnDecodeError);
      }
      expect(() => gather(new Int32Array(width), dictionary, Int32Array.from([-1]), 1, width)).toThrow(`dictionary index ${2 ** 32 - 1} of 3`);
    }
  });
});
