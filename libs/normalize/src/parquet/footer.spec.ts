import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parquetWasm } from '../engine/parquet-wasm';
import { buildFhvhvTable } from '../synthetic/fhvhv.generator';
import { encodeParquet } from '../writer';
import { FooterError, columnChunkFile, parseFooter, schemaOnlyFile } from './footer';

function footerOf(file: Uint8Array) {
  const length = new DataView(file.buffer, file.byteOffset).getUint32(file.length - 8, true);
  const start = file.length - 8 - length;
  return parseFooter(file.subarray(start, file.length - 8), start);
}

const { table } = buildFhvhvTable({ month: '2024-03', rows: 2_500, seed: 7 });
const file = encodeParquet(table, { compression: 'snappy', rowGroupRows: 1_000 });
const footer = footerOf(file);

describe('parseFooter', () => {
  it('reads rows, row groups and the flat columns', () => {
    expect(footer.numRows).toBe(2_500);
    expect(footer.rowGroups.map((rg) => rg.numRows)).toEqual([1_000, 1_000, 500]);
    expect(footer.columns.map((c) => c.name)).toEqual(table.schema.fields.map((f) => f.name));
    expect(footer.columns.every((c, i) => c.leaves.length === 1 && c.leaves[0] === i && !c.nested)).toBe(true);
  });

  it('rejects chunk ranges outside the data region', () => {
    const length = new DataView(file.buffer, file.byteOffset).getUint32(file.length - 8, true);
    const start = file.length - 8 - length;
    expect(() => parseFooter(file.subarray(start, file.length - 8), 100)).toThrow(FooterError);
  });
});

describe('cut-down files', () => {
  it('a schema-only file carries the schema and no rows', () => {
    const schema = arrow.tableFromIPC(parquetWasm().readSchema(schemaOnlyFile(footer)).intoIPCStream()).schema;
    expect(schema.fields.map((f) => f.name)).toEqual(table.schema.fields.map((f) => f.name));
    expect(String(schema.fields[5].type)).toBe('Timestamp<MICROSECOND>');
  });

  it('a one-column file decodes to the same values as the whole file', () => {
    const whole = arrow.tableFromIPC(parquetWasm().readParquet(file, { rowGroups: [1] }).intoIPCStream());
    for (const name of ['dispatching_base_num', 'pickup_datetime', 'trip_miles', 'wav_match_flag']) {
      const column = footer.columns.find((c) => c.name === name)!;
      const { start, length } = footer.rowGroups[1].chunks[column.leaves[0]];
      const mini = columnChunkFile(footer, 1, column, [file.subarray(start, start + length)]);
      const decoded = arrow.tableFromIPC(parquetWasm().readParquet(mini).intoIPCStream());
      expect(decoded.schema.fields.map((f) => f.name)).toEqual([name]);
      expect(decoded.getChildAt(0)!.toArray()).toEqual(whole.getChild(name)!.toArray());
    }
  });
});
