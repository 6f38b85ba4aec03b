// An output Parquet file read back by three independent readers — DuckDB (its own C++ reader), arrow-rs (through
// parquet-wasm) and hyparquet (pure JS) — each giving the types it sees and every cell in one comparable form:
// timestamps as int64 µs (bigint), floats and ints as numbers, booleans, strings, null.
import * as fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type * as arrow from 'apache-arrow';
import { columnValues, readParquetTable } from './parquet-readback';

export type Cells = Record<string, unknown[]>;

export interface DuckDbView {
  /** Column → DuckDB type (DESCRIBE). */
  types: Record<string, string>;
  columns: Cells;
}

export async function readWithDuckDb(connection: DuckDBConnection, file: string): Promise<DuckDbView> {
  const source = `read_parquet('${file}', file_row_number = true)`;
  const described = (await connection.runAndReadAll(`DESCRIBE SELECT * EXCLUDE (file_row_number) FROM ${source}`)).getRowObjectsJson();
  const types = Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const names = Object.keys(types);
  const select = names.map((n) => (types[n].startsWith('TIMESTAMP') ? `epoch_us("${n}")` : `"${n}"`));
  const read = await connection.runAndReadAll(`SELECT ${select.join(', ')} FROM ${source} ORDER BY file_row_number`);
  const columns = read.getColumnsJS();
  return { types, columns: Object.fromEntries(names.map((n, k) => [n, columns[k] ?? []])) };
}

export interface ArrowRsView {
  schema: arrow.Schema;
  columns: Cells;
}

export function readWithArrowRs(file: string): ArrowRsView {
  const table = readParquetTable(file);
  const columns = Object.fromEntries(table.schema.fields.map((f) => [f.name, columnValues(table, f.name)]));
  return { schema: table.schema, columns };
}

/** What hyparquet reads from the footer for one column. */
export interface HyparquetColumn {
  name: string;
  physical: string | undefined;
  logical: unknown;
  repetition: string | undefined;
}

export interface HyparquetView {
  columns: HyparquetColumn[];
  keyValues: Record<string, string | undefined>;
  /** Per row group, per column: its encodings and whether it has a dictionary page, with its null and value counts. */
  chunks: { column: string; encodings: string[]; dictionaryPage: boolean; values: bigint; nulls: bigint | undefined }[][];
  cells: Cells;
}

export async function readWithHyparquet(file: string): Promise<HyparquetView> {
  // hyparquet is an ES module; this project compiles to CommonJS, so it is loaded with import()
  const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(buffer);
  const leaves = metadata.schema.slice(1);
  const rows = await parquetReadObjects({
    file: buffer,
    compressors,
    // the default makes a Date (ms) of a µs timestamp: keep the stored int64
    parsers: { timestampFromMicroseconds: (micros: bigint) => micros },
  });
  const cells: Cells = Object.fromEntries(leaves.map((l) => [l.name, rows.map((row) => row[l.name] ?? null)]));
  return {
    columns: leaves.map((l) => ({ name: l.name, physical: l.type, logical: l.logical_type, repetition: l.repetition_type })),
    keyValues: Object.fromEntries((metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value])),
    chunks: metadata.row_groups.map((group) =>
      group.columns.map((chunk) => {
        const meta = chunk.meta_data!;
        return {
          column: meta.path_in_schema.join('.'),
          encodings: meta.encodings.map(String),
          dictionaryPage: meta.dictionary_page_offset !== undefined,
          values: meta.num_values,
          nulls: meta.statistics?.null_count,
        };
      }),
    ),
    cells,
  };
}

/** Where two readings disagree, cell by cell (at most `limit` lines). NaN equals NaN; -0 and 0 differ. */
export function cellDifferences(expected: Cells, actual: Cells, label: string, limit = 10): string[] {
  const out: string[] = [];
  const names = Object.keys(expected);
  const extra = Object.keys(actual).filter((n) => !(n in expected));
  if (extra.length > 0) out.push(`${label}: unexpected columns ${extra.join(', ')}`);
  for (const name of names) {
    const a = expected[name];
    const b = actual[name];
    if (!b) {
      out.push(`${label}: no column ${name}`);
      continue;
    }
    if (a.length !== b.length) out.push(`${label}: ${name} has ${b.length} rows, expected ${a.length}`);
    for (let i = 0; i < Math.min(a.length, b.length) && out.length < limit; i++) {
      if (!Object.is(a[i], b[i])) out.push(`${label}: ${name}[${i}] = ${String(b[i])}, expected ${String(a[i])}`);
    }
    if (out.length >= limit) break;
  }
  return out;
}
