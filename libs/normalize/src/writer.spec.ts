import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { dictionaryColumn, flagColumn, float32Column, timestampColumn } from './columns/canonical-columns';
import { columnValues, footerOfFile, readParquetTable, tempDir } from './testing/parquet-readback';
import { writeParquetFile } from './writer';

const dir = tempDir('writer');
const schema = new arrow.Schema([
  new arrow.Field('base', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), true),
  new arrow.Field('at', new arrow.TimestampMicrosecond(), true),
  new arrow.Field('fare', new arrow.Float32(), true),
  new arrow.Field('flag', new arrow.Bool(), true),
]);

/** A batch of n rows starting at row `from`, with nulls every 5th row. */
function batch(from: number, n: number): arrow.RecordBatch {
  const keep = new Uint8Array(n).fill(1);
  const valid = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if ((from + i) % 5 !== 0) valid[i >> 3] |= 1 << (i & 7);
  const children = [
    dictionaryColumn(schema.fields[0].type, { length: n, codes: Int32Array.from({ length: n }, (_, i) => ((from + i) % 5 === 0 ? -1 : (from + i) % 3)), dictionary: ['B03404', 'B02510', 'B02764'] }, keep, n),
    timestampColumn(schema.fields[1].type, { length: n, micros: BigInt64Array.from({ length: n }, (_, i) => 1_706_745_599_999_999n - BigInt(from + i)), valid }, keep, n),
    float32Column(schema.fields[2].type, { length: n, values: Float64Array.from({ length: n }, (_, i) => (from + i) / 4), valid }, keep, n),
    flagColumn(schema.fields[3].type, Int8Array.from({ length: n }, (_, i) => ((from + i) % 5 === 0 ? -1 : (from + i) % 2)), keep, n),
  ];
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }));
}

async function* batches(sizes: number[], failAfter?: number) {
  let from = 0;
  for (const [k, n] of sizes.entries()) {
    if (k === failAfter) throw new Error('source failed');
    yield batch(from, n);
    from += n;
  }
}

describe('writeParquetFile', () => {
  it('writes exact values through small pages, in uniform row groups', async () => {
    const file = path.join(dir, 'values.parquet');
    await writeParquetFile(file, schema, batches([13, 1, 30, 6]), { rowGroupRows: 10, pageBytes: 7 });
    expect(footerOfFile(file).rowGroups.map((rg) => rg.numRows)).toEqual([10, 10, 10, 10, 10]);
    const table = readParquetTable(file);
    const expected = batch(0, 50);
    for (const name of ['base', 'at', 'fare', 'flag']) {
      const want = columnValues(new arrow.Table([expected]), name);
      expect(columnValues(table, name), name).toEqual(want);
    }
    expect(columnValues(table, 'base').slice(0, 4)).toEqual([null, 'B02510', 'B02764', 'B03404']);
    expect(String(table.schema.fields[0].type)).toBe('Dictionary<Int32, Utf8>');
  });

  it('leaves nothing behind and rethrows when the batch source fails', async () => {
    const file = path.join(dir, 'failed.parquet');
    await expect(writeParquetFile(file, schema, batches([10, 10, 10], 2), { rowGroupRows: 10 })).rejects.toThrow(
      'source failed',
    );
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
  });

  it('writes the schema and no row groups when there are no batches', async () => {
    const file = path.join(dir, 'none.parquet');
    await writeParquetFile(file, schema, batches([]), { rowGroupRows: 10 });
    expect(footerOfFile(file).rowGroups).toEqual([]);
    expect(readParquetTable(file).schema.fields.map((f) => f.name)).toEqual(['base', 'at', 'fare', 'flag']);
  });
});
