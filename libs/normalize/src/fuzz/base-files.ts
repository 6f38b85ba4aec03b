// The valid files the fuzzer mutates: every dataset, every codec the engine reads (snappy and zstd stream in
// JS, gzip takes the wasm fallback, none), one page per column chunk or many small pages, two row groups.
// Deterministic: a base is named by its key, and the same key always gives the same bytes.
import * as arrow from 'apache-arrow';
import type { Dataset } from '../datasets';
import { parquetWasm } from '../engine/parquet-wasm';
import { buildFhvTable } from '../synthetic/fhv.generator';
import { buildFhvhvTable } from '../synthetic/fhvhv.generator';
import { buildTaxiTable } from '../synthetic/taxi.generator';
import { encodeParquet } from '../writer';

export const FUZZ_DATASETS: readonly Dataset[] = ['fhvhv', 'yellow', 'green', 'fhv'];
export const FUZZ_CODECS = ['snappy', 'zstd', 'gzip', 'none'] as const;
export type FuzzCodec = (typeof FUZZ_CODECS)[number];
/** 'one': one page per column chunk (as DuckDB writes), dictionaries; 'small': PLAIN pages of 32 rows. */
export const FUZZ_PAGE_LAYOUTS = ['one', 'small'] as const;
export type FuzzPageLayout = (typeof FUZZ_PAGE_LAYOUTS)[number];

export interface BaseKey {
  dataset: Dataset;
  codec: FuzzCodec;
  pages: FuzzPageLayout;
}

/** The month every base file's pickups fall in. */
export const FUZZ_MONTH = '2024-03';
const ROWS = 240;
const ROW_GROUP_ROWS = 120;

export function baseName(key: BaseKey): string {
  return `${key.dataset}-${key.codec}-${key.pages}`;
}

const cache = new Map<string, Uint8Array>();

export function baseFile(key: BaseKey): Uint8Array {
  const name = baseName(key);
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = encode(tableOf(key.dataset), key);
    cache.set(name, bytes);
  }
  return bytes;
}

function tableOf(dataset: Dataset): arrow.Table {
  const opts = { month: FUZZ_MONTH, rows: ROWS, invalidFraction: 0.05, seed: 7 };
  switch (dataset) {
    case 'fhvhv':
      return buildFhvhvTable(opts).table;
    case 'fhv':
      return buildFhvTable(opts).table;
    default:
      return buildTaxiTable(dataset, opts).table;
  }
}

function encode(table: arrow.Table, key: BaseKey): Uint8Array {
  if (key.pages === 'one') return encodeParquet(table, { compression: key.codec, rowGroupRows: ROW_GROUP_ROWS });
  // many pages per chunk: parquet-wasm's writer directly, with a tiny page size limit (encodeParquet has none)
  const wasm = parquetWasm();
  const codec = { snappy: wasm.Compression.SNAPPY, zstd: wasm.Compression.ZSTD, gzip: wasm.Compression.GZIP, none: wasm.Compression.UNCOMPRESSED };
  const properties = new wasm.WriterPropertiesBuilder()
    .setCompression(codec[key.codec])
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setDataPageSizeLimit(1)
    .setDictionaryEnabled(false)
    .setWriteBatchSize(32)
    .build();
  return wasm.writeParquet(wasm.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties);
}
