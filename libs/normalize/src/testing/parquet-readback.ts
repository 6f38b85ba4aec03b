// Test helpers: temp dirs, reading a Parquet file back whole, column values without lossy conversions.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { PipelineError } from '@sluice/contracts';
import { parquetWasm } from '../engine/parquet-wasm';
import { type ParquetFooter, parseFooter } from '../parquet/footer';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sluice-normalize-${prefix}-`));
}

export function readParquetTable(file: string): arrow.Table {
  return arrow.tableFromIPC(parquetWasm().readParquet(fs.readFileSync(file)).intoIPCStream());
}

export function footerOfFile(file: string): ParquetFooter {
  const bytes = fs.readFileSync(file);
  const length = bytes.readUInt32LE(bytes.length - 8);
  const start = bytes.length - 8 - length;
  return parseFooter(bytes.subarray(start, bytes.length - 8), start);
}

/** Values with nulls; timestamps as their raw int64 (Arrow JS would turn them into lossy ms numbers). */
export function columnValues(table: arrow.Table, name: string): unknown[] {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`no column ${name}`);
  if (!arrow.DataType.isTimestamp(vector.type)) return [...vector].map((v) => v ?? null);
  const out: (bigint | null)[] = [];
  for (const data of vector.data) {
    for (let k = 0; k < data.length; k++) out.push(data.getValid(k) ? (data.values as BigInt64Array)[k] : null);
  }
  return out;
}

/** The PipelineError a promise rejects with (fails if it resolves or rejects with something else). */
export async function rejectionOf(promise: Promise<unknown>): Promise<PipelineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PipelineError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
