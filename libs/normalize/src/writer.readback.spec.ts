// Our Parquet writer's output read back by two independent readers, parquet-wasm (arrow-rs) and DuckDB, with
// exact types and values, and its statistics as DuckDB reads them: every encoder, nulls, NaN, empty strings,
// dictionaries that differ per batch, row groups cut across batches; and its failure guarantees.
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputSink } from './io/output-sink';
import { Encoding } from './parquet/format';
import { indexColumnPages, parsePageHeader } from './parquet/pages';
import { MAX_PAGE_ROWS } from './parquet/write/column-chunk-writer';
import { columnValues, footerOfFile, readParquetTable, tempDir } from './testing/parquet-readback';
import { writeParquet, writeParquetFile } from './writer';

const dir = tempDir('writer-readback');
const dictType = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
const schema = new arrow.Schema([
  new arrow.Field('i', new arrow.Int32(), true),
  new arrow.Field('f', new arrow.Float32(), true),
  new arrow.Field('t', new arrow.TimestampMicrosecond(), true),
  new arrow.Field('b', new arrow.Bool(), true),
  new arrow.Field('s', dictType(), true),
  new arrow.Field('none', new arrow.Int32(), true), // all null
  new arrow.Field('req', dictType(), false), // not nullable: no definition levels
]);

interface Row {
  i: number | null;
  f: number | null;
  t: bigint | null;
  b: boolean | null;
  s: string | null;
  req: string;
}

function bitmap(valid: boolean[]): Uint8Array {
  const bits = new Uint8Array((valid.length + 7) >> 3);
  valid.forEach((v, k) => {
    if (v) bits[k >> 3] |= 1 << (k & 7);
  });
  return bits;
}

/** A dictionary column whose dictionary holds the batch's strings in reverse first-seen order, plus an unused entry. */
function dictionaryData(values: (string | null)[], unused: string): arrow.Data {
  const distinct = [...new Set(values.filter((v): v is string => v !== null))].reverse();
  const dictionary = [unused, ...distinct];
  const codes = Int32Array.from(values, (v) => (v === null ? 0 : dictionary.indexOf(v)));
  const nulls = values.filter((v) => v === null).length;
  return arrow.makeData({
    type: dictType(),
    length: values.length,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? bitmap(values.map((v) => v !== null)) : undefined,
    data: codes,
    dictionary: arrow.vectorFromArray(dictionary, new arrow.Utf8()),
  });
}

function batchOf(rows: Row[], unused = '~unused'): arrow.RecordBatch {
  const n = rows.length;
  const col = <T>(type: arrow.DataType, get: (r: Row) => T | null, data: ArrayLike<unknown>) => {
    const valid = rows.map((r) => get(r) !== null);
    const nulls = valid.filter((v) => !v).length;
    return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: nulls > 0 ? bitmap(valid) : undefined, data } as never);
  };
  const children = [
    col(new arrow.Int32(), (r) => r.i, Int32Array.from(rows, (r) => r.i ?? 0)),
    col(new arrow.Float32(), (r) => r.f, Float32Array.from(rows, (r) => r.f ?? 0)),
    col(new arrow.TimestampMicrosecond(), (r) => r.t, BigInt64Array.from(rows, (r) => r.t ?? 0n)),
    col(new arrow.Bool(), (r) => r.b, bitmap(rows.map((r) => r.b === true))),
    dictionaryData(rows.map((r) => r.s), unused),
    col(new arrow.Int32(), () => null, new Int32Array(n)),
    dictionaryData(rows.map((r) => r.req), unused),
  ];
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }));
}

/** Deterministic rows: nulls, negatives, NaN, extremes, empty and non-ASCII strings. */
function rowsFrom(from: number, n: number): Row[] {
  const strings = ['B02510', '', 'HV0003', 'é', 'B03404', 'zz'];
  return Array.from({ length: n }, (_, k) => {
    const x = from + k;
    return {
      i: x % 7 === 0 ? null : x % 11 === 0 ? -(2 ** 31) : x % 13 === 0 ? 2 ** 31 - 1 : (x * 37) % 1000 - 500,
      f: x % 6 === 0 ? null : x % 17 === 0 ? Number.NaN : Math.fround(((x * 7) % 400) / 8 - 25),
      t: x % 9 === 0 ? null : 1_706_745_599_999_999n - BigInt(x) * 1_000_003n,
      b: x % 5 === 0 ? null : x % 3 === 0,
      s: x % 4 === 0 ? null : strings[(x * 5) % strings.length],
      req: strings[x % 3],
    };
  });
}

async function* batchesOf(sizes: number[]): AsyncGenerator<arrow.RecordBatch> {
  let from = 0;
  for (const [k, n] of sizes.entries()) {
    yield batchOf(rowsFrom(from, n), `~unused${k}`);
    from += n;
  }
}

let duck: DuckDBConnection;
let instance: DuckDBInstance;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
});
afterAll(() => {
  duck.closeSync();
  instance.closeSync();
});

const duckRows = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjects();

function expectedColumns(rows: Row[]) {
  return {
    i: rows.map((r) => r.i),
    f: rows.map((r) => r.f),
    t: rows.map((r) => r.t),
    b: rows.map((r) => r.b),
    s: rows.map((r) => r.s),
    none: rows.map(() => null),
    req: rows.map((r) => r.req),
  };
}

describe('writeParquet read back', () => {
  it.each([
    { name: 'row groups cut across batches, small pages', sizes: [13, 1, 30, 6, 250], rowGroupRows: 40, pageBytes: 64 },
    { name: 'one row group, 1 MiB pages', sizes: [100, 100, 100], rowGroupRows: 1_000_000, pageBytes: 1 << 20 },
    { name: 'rowGroupRows = 1', sizes: [3, 2], rowGroupRows: 1, pageBytes: 1 << 20 },
    { name: 'one row', sizes: [1], rowGroupRows: 10, pageBytes: 1 << 20 },
    { name: 'number dictionaries full after 10 values: PLAIN pages follow', sizes: [100, 300], rowGroupRows: 150, pageBytes: 200, dictionaryPageBytes: 40 },
  ])('$name: exact values and types in parquet-wasm and DuckDB', async ({ sizes, rowGroupRows, pageBytes, dictionaryPageBytes }) => {
    const file = path.join(dir, `values-${sizes.join('-')}-${rowGroupRows}-${dictionaryPageBytes}.parquet`);
    const total = sizes.reduce((a, b) => a + b, 0);
    await writeParquetFile(file, schema, batchesOf(sizes), {
      rowGroupRows,
      pageBytes,
      dictionaryPageBytes,
      keyValueMetadata: { 'sluice.schema_version': 'test.v1' },
    });
    const want = expectedColumns(rowsFrom(0, total));

    const groups = footerOfFile(file).rowGroups.map((rg) => rg.numRows);
    expect(groups).toEqual(Array.from({ length: Math.ceil(total / rowGroupRows) }, (_, k) => Math.min(rowGroupRows, total - k * rowGroupRows)));

    const table = readParquetTable(file);
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`)).toEqual([
      'i:Int32:true',
      'f:Float32:true',
      't:Timestamp<MICROSECOND>:true',
      'b:Bool:true',
      's:Dictionary<Int32, Utf8>:true',
      'none:Int32:true',
      'req:Dictionary<Int32, Utf8>:false',
    ]);
    for (const [name, values] of Object.entries(want)) expect(columnValues(table, name), name).toEqual(values);

    if (dictionaryPageBytes) {
      // the zone-like int column: dictionary pages until its 10 entries are taken, PLAIN pages after
      const bytes = (await import('node:fs')).readFileSync(file);
      const [chunk] = footerOfFile(file).rowGroups[0].chunks;
      const { pages } = await indexColumnPages(async (at, n) => bytes.subarray(at, at + n), chunk, groups[0]);
      const encodings = pages.map((p) => parsePageHeader(bytes.subarray(p.start, p.start + p.length)).encoding);
      expect(encodings[0]).toBe(Encoding.RLE_DICTIONARY);
      expect(encodings.at(-1)).toBe(Encoding.PLAIN);
    }

    const types = await duckRows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    expect(types.map((c) => `${c.column_name}:${c.column_type}`)).toEqual([
      'i:INTEGER',
      'f:FLOAT',
      't:TIMESTAMP',
      'b:BOOLEAN',
      's:VARCHAR',
      'none:INTEGER',
      'req:VARCHAR',
    ]);
    const rows = await duckRows(
      `SELECT i, f::DOUBLE AS f, epoch_us(t) AS t, b, s, none, req FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`,
    );
    const fromDuck = Object.fromEntries(Object.keys(want).map((k) => [k, rows.map((r) => r[k])]));
    expect(fromDuck).toEqual(want);
  });

  it.each([
    { dictionaryPageBytes: undefined },
    { dictionaryPageBytes: 40 }, // numbers fall back to PLAIN within each chunk: min/max over both kinds of page
  ])('statistics per column chunk, as DuckDB reads them: signed, NaN ignored, byte-wise strings, null counts (dictionary $dictionaryPageBytes)', async ({ dictionaryPageBytes }) => {
    const file = path.join(dir, `stats-${dictionaryPageBytes}.parquet`);
    const sizes = [40, 45, 15];
    await writeParquetFile(file, schema, batchesOf(sizes), { rowGroupRows: 50, pageBytes: 64, dictionaryPageBytes });
    const all = rowsFrom(0, 100);
    const meta = await duckRows(
      `SELECT row_group_id AS g, path_in_schema AS c, stats_min_value AS min, stats_max_value AS max, stats_null_count AS nulls
       FROM parquet_metadata('${file}') ORDER BY g, column_id`,
    );
    const fmtTs = (us: bigint) => new Date(Number(us / 1000n)).toISOString().replace('T', ' ').replace('Z', '') + String(us % 1000n).padStart(3, '0');
    const expected = [0, 1].flatMap((g) => {
      const rows = all.slice(g * 50, g * 50 + 50);
      const nn = <T>(xs: (T | null)[]) => xs.filter((x): x is T => x !== null);
      const ints = nn(rows.map((r) => r.i));
      const floats = nn(rows.map((r) => r.f)).filter((x) => !Number.isNaN(x));
      const ts = nn(rows.map((r) => r.t)).sort((a, b) => (a < b ? -1 : 1));
      const bools = nn(rows.map((r) => r.b));
      const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
      const strs = nn(rows.map((r) => r.s)).sort(byBytes);
      const reqs = rows.map((r) => r.req).sort(byBytes);
      const nulls = (k: keyof Row) => BigInt(rows.filter((r) => r[k] === null).length);
      return [
        { g: BigInt(g), c: 'i', min: String(Math.min(...ints)), max: String(Math.max(...ints)), nulls: nulls('i') },
        { g: BigInt(g), c: 'f', min: String(Math.min(...floats)), max: String(Math.max(...floats)), nulls: nulls('f') },
        { g: BigInt(g), c: 't', min: fmtTs(ts[0]), max: fmtTs(ts[ts.length - 1]), nulls: nulls('t') },
        { g: BigInt(g), c: 'b', min: String(!bools.includes(false)), max: String(bools.includes(true)), nulls: nulls('b') },
        { g: BigInt(g), c: 's', min: strs[0], max: strs[strs.length - 1], nulls: nulls('s') },
        { g: BigInt(g), c: 'none', min: null, max: null, nulls: 50n },
        { g: BigInt(g), c: 'req', min: reqs[0], max: reqs[reqs.length - 1], nulls: 0n },
      ];
    });
    expect(meta).toEqual(expected);
    // dictionary strings and numbers, PLAIN timestamps and booleans (RLE: the definition levels), zstd
    const encodings = await duckRows(`SELECT path_in_schema AS c, encodings, compression FROM parquet_metadata('${file}') WHERE row_group_id = 0 ORDER BY column_id`);
    const plain = 'PLAIN, RLE';
    const dict = 'PLAIN, RLE, RLE_DICTIONARY';
    expect(encodings.map((e) => `${e.c}: ${e.encodings} ${e.compression}`)).toEqual(
      [['i', dict], ['f', dict], ['t', plain], ['b', plain], ['s', dict], ['none', dict], ['req', dict]].map(([c, e]) => `${c}: ${e} ZSTD`),
    );
    // DuckDB prunes row groups and pages with these statistics: a filtered count must still find every row
    const value = all[79].i;
    const [{ n }] = await duckRows(`SELECT count(*) AS n FROM read_parquet('${file}') WHERE i = ${value}`);
    expect(n).toBe(BigInt(all.filter((r) => r.i === value).length));
  });

  it('a file with no rows carries the schema, the key/value metadata and no row groups', async () => {
    const file = path.join(dir, 'empty.parquet');
    await writeParquetFile(file, schema, batchesOf([]), { rowGroupRows: 10, keyValueMetadata: { 'sluice.month': '2024-01' } });
    expect(footerOfFile(file).rowGroups).toEqual([]);
    expect(readParquetTable(file).schema.fields.map((f) => String(f.type))).toContain('Dictionary<Int32, Utf8>');
    const kv = await duckRows(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}') WHERE decode(key) LIKE 'sluice.%'`);
    expect(kv).toEqual([{ k: 'sluice.month', v: '2024-01' }]);
    const [{ n }] = await duckRows(`SELECT count(*) AS n FROM read_parquet('${file}')`);
    expect(n).toBe(0n);
  });

  it('the same rows in different batches and dictionaries give the same bytes', async () => {
    const a = path.join(dir, 'same-a.parquet');
    const b = path.join(dir, 'same-b.parquet');
    await writeParquetFile(a, schema, batchesOf([100, 100]), { rowGroupRows: 120, pageBytes: 1 << 20 });
    await writeParquetFile(b, schema, batchesOf([7, 150, 43]), { rowGroupRows: 120, pageBytes: 1 << 20 });
    const fs = await import('node:fs');
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
  });
});

describe('writeParquet page sizes', () => {
  it(`cuts a page every ${MAX_PAGE_ROWS} rows even when its values take far less than a page`, async () => {
    const zone = new arrow.Schema([new arrow.Field('zone', new arrow.Int32(), true)]);
    const rows = 2 * MAX_PAGE_ROWS + 1000;
    async function* batches() {
      for (let from = 0; from < rows; from += 100_000) {
        const n = Math.min(100_000, rows - from);
        const data = arrow.makeData({ type: new arrow.Int32(), length: n, nullCount: 0, data: Int32Array.from({ length: n }, (_, k) => (from + k) % 3) });
        yield new arrow.RecordBatch(zone, arrow.makeData({ type: new arrow.Struct(zone.fields), length: n, nullCount: 0, children: [data] }));
      }
    }
    const file = path.join(dir, 'page-rows.parquet');
    await writeParquetFile(file, zone, batches(), { rowGroupRows: rows });
    const bytes = (await import('node:fs')).readFileSync(file);
    const [chunk] = footerOfFile(file).rowGroups[0].chunks;
    const pages = await indexColumnPages(async (at, n) => bytes.subarray(at, at + n), chunk, rows);
    expect(pages.pages.map((p) => p.rows)).toEqual([MAX_PAGE_ROWS, MAX_PAGE_ROWS, 1000]);
    const values = columnValues(readParquetTable(file), 'zone') as number[];
    expect(values.length).toBe(rows);
    expect(values.every((v, k) => v === k % 3)).toBe(true);
  });
});

describe('writeParquet failures and back-pressure', () => {
  function recordingSink(failOnWrite?: number) {
    const events: string[] = [];
    let writes = 0;
    const sink: OutputSink = {
      name: 'memory',
      async write() {
        if (++writes === failOnWrite) throw new Error('sink failed');
        events.push('write');
      },
      async commit() {
        events.push('commit');
        return { bytes: 0 };
      },
      async abort() {
        events.push('abort');
      },
    };
    return { sink, events };
  }

  it('a failing sink is aborted, its error rethrown, and the source is stopped', async () => {
    const { sink, events } = recordingSink(2);
    let stopped = false;
    async function* source() {
      try {
        yield* batchesOf([10, 10, 10, 10]);
      } finally {
        stopped = true;
      }
    }
    await expect(writeParquet(sink, schema, source(), { rowGroupRows: 10 })).rejects.toThrow('sink failed');
    expect(events).toEqual(['write', 'abort']);
    expect(stopped).toBe(true);
  });

  it('a failing source aborts the sink and its error is rethrown', async () => {
    const { sink, events } = recordingSink();
    async function* source() {
      yield* batchesOf([10, 10]);
      throw new Error('source failed');
    }
    await expect(writeParquet(sink, schema, source(), { rowGroupRows: 10 })).rejects.toThrow('source failed');
    expect(events).toEqual(['write', 'write', 'abort']);
  });

  it('reads no further batch while the sink is busy', async () => {
    const pulled: number[] = [];
    let release: (() => void) | undefined;
    const sink: OutputSink = {
      name: 'slow',
      write: () => new Promise<void>((resolve) => (release = resolve)),
      commit: async () => ({ bytes: 0 }),
      abort: async () => undefined,
    };
    async function* source() {
      for (let k = 0; k < 3; k++) {
        pulled.push(k);
        yield batchOf(rowsFrom(k * 10, 10));
      }
    }
    const done = writeParquet(sink, schema, source(), { rowGroupRows: 10 });
    for (let k = 0; k < 20 && !release; k++) await new Promise((r) => setImmediate(r));
    expect(pulled).toEqual([0]); // the first row group is being written: batch 1 waits
    for (let writes = 0; writes < 10 && release; writes++) {
      const go = release;
      release = undefined;
      go();
      for (let k = 0; k < 20 && !release; k++) await new Promise((r) => setImmediate(r));
    }
    await done;
    expect(pulled).toEqual([0, 1, 2]);
  });

  it('refuses a column type it cannot write, and a null in a non-nullable column, aborting the sink', async () => {
    const { sink, events } = recordingSink();
    const utf8 = new arrow.Schema([new arrow.Field('x', new arrow.Utf8(), true)]);
    await expect(writeParquet(sink, utf8, batchesOf([]), { rowGroupRows: 10 })).rejects.toThrow("cannot write column 'x'");
    expect(events).toEqual(['abort']);
    const bad = batchOf(rowsFrom(0, 4));
    const strict = new arrow.Schema(schema.fields.map((f) => f.clone({ nullable: false })));
    async function* one() {
      yield new arrow.RecordBatch(strict, bad.data);
    }
    await expect(writeParquet(recordingSink().sink, strict, one(), { rowGroupRows: 10 })).rejects.toThrow("column 'i' is not nullable");
  });
});
