// The one place that loads parquet-wasm. After a wasm trap (RuntimeError) the Rust side may be left half-way
// through an operation, so the instance is discarded and the next caller gets a fresh one.
export type ParquetWasm = typeof import('parquet-wasm');

let instance: ParquetWasm | undefined;

/** The Node build of parquet-wasm (CommonJS, synchronous instantiation). */
export function parquetWasm(): ParquetWasm {
  instance ??= require('parquet-wasm') as ParquetWasm;
  return instance;
}

/** Forget the current instance (its memory goes when nothing references it any more). */
export function discardParquetWasm(): void {
  const path = require.resolve('parquet-wasm');
  delete require.cache[path];
  instance = undefined;
}

/** A WebAssembly.RuntimeError: a Rust panic (`unreachable`), out of memory, out-of-bounds access. */
export function isWasmTrap(error: unknown): error is Error {
  return error instanceof Error && error.name === 'RuntimeError';
}
