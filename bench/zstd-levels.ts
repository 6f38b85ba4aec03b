// `npx tsx bench/zstd-levels.ts [rows]` (default 1,000,000): which zstd level the Parquet writer should use.
// Normalizes a DuckDB-generated fhvhv file once, then re-encodes the canonical batches with our writer at zstd
// levels 1..6, each at zstd's default and at a 4-byte minimum match (and DuckDB's output for reference), printing
// output bytes and the time spent compressing.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { normalizeFile } from '../libs/normalize/src/normalize';
import { zstdCompressor } from '../libs/normalize/src/parquet/write/page-compressor';
import { ParquetFileWriter } from '../libs/normalize/src/parquet/write/parquet-file-writer';
import { readParquetTable } from '../libs/normalize/src/testing/parquet-readback';
import { duckdbNormalizeSql } from './duckdb-normalize.sql';
import { fhvhvSourceSql } from './fhvhv-source.sql';

const MONTH = '2024-03';

async function duckdb(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const dir = join(tmpdir(), 'sluice-bench');
  mkdirSync(dir, { recursive: true });
  const source = join(dir, `fhvhv_tripdata_${MONTH}.${rows}rows.parquet`);
  if (!existsSync(source)) {
    await duckdb(fhvhvSourceSql(rows, MONTH, `${source}.tmp`, 'snappy'));
    renameSync(`${source}.tmp`, source);
  }
  const canonical = join(dir, `zstd-levels-${rows}.parquet`);
  await normalizeFile({ inputPath: source, outputPath: canonical, dataset: 'fhvhv', month: MONTH, rowGroupRows: rows });
  const duckOut = join(dir, `zstd-levels-duckdb-${rows}.parquet`);
  await duckdb(duckdbNormalizeSql(source, duckOut, MONTH, rows));
  const duckBytes = statSync(duckOut).size;
  const table = readParquetTable(canonical);

  const lines = ['| zstd level | min match | output bytes | vs DuckDB | compress time | whole write |', '|---|---|---|---|---|---|'];
  // each level at zstd's own minimum match length, then at 4 bytes (the width of an int32 or a float32: fixed-width
  // columns repeat 4-byte patterns that the fast strategies' default of 5 or 6 bytes does not match)
  const settings = [1, 2, 3, 4, 5, 6].flatMap((level) => [{ level, minMatch: undefined }, { level, minMatch: 4 }]);
  for (const { level, minMatch } of settings) {
    let best = { bytes: 0, compressMs: Infinity, totalMs: Infinity };
    for (let run = 0; run < 3; run++) {
      const zstd = zstdCompressor(level, minMatch);
      let compressMs = 0;
      const timed = {
        codec: zstd.codec,
        compress(page: Uint8Array) {
          const t = performance.now();
          const out = zstd.compress(page);
          compressMs += performance.now() - t;
          return out;
        },
      };
      const started = performance.now();
      const file = new ParquetFileWriter(table.schema, { rowGroupRows: rows, pageBytes: 1 << 20, compressor: timed });
      let bytes = 0;
      for (const batch of table.batches) {
        for (let at = 0; at < batch.numRows; ) {
          at += file.append(batch, at);
          if (file.rowGroupFull) for (const piece of file.flushRowGroup()) bytes += piece.length;
        }
      }
      if (file.rowsInGroup > 0) for (const piece of file.flushRowGroup()) bytes += piece.length;
      for (const piece of file.finish()) bytes += piece.length;
      const totalMs = performance.now() - started;
      if (totalMs < best.totalMs) best = { bytes, compressMs, totalMs };
    }
    lines.push(
      `| ${level} | ${minMatch ?? 'default'} | ${best.bytes.toLocaleString('en-US')} | ${(best.bytes / duckBytes).toFixed(3)}× | ${best.compressMs.toFixed(0)} ms | ${best.totalMs.toFixed(0)} ms |`,
    );
  }
  process.stdout.write(`${table.numRows.toLocaleString('en-US')} canonical rows; DuckDB (zstd, its default level): ${duckBytes.toLocaleString('en-US')} bytes\n${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
