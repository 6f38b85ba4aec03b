// Compression of the pages the writer produces: zstd through Node's built-in zlib (native, no wasm).
import { constants, zstdCompressSync } from 'node:zlib';
import { Codec } from '../format';

export interface PageCompressor {
  /** CompressionCodec of the column chunks. */
  readonly codec: number;
  compress(page: Uint8Array): Uint8Array;
}

/**
 * zstd at `level`, with matches of at least `minMatch` bytes when given (zstd's own default for the level otherwise).
 * writer.ts's ZSTD_LEVEL and ZSTD_MIN_MATCH say which, and the measurement behind them.
 */
export function zstdCompressor(level: number, minMatch?: number): PageCompressor {
  const params: Record<number, number> = { [constants.ZSTD_c_compressionLevel]: level };
  if (minMatch !== undefined) params[constants.ZSTD_c_minMatch] = minMatch;
  const options = { params };
  return {
    codec: Codec.ZSTD,
    compress: (page) => zstdCompressSync(page, options),
  };
}

/** Pages stored as they are (tests: what the encoders wrote is then visible in the file). */
export const uncompressed: PageCompressor = { codec: Codec.UNCOMPRESSED, compress: (page) => page };
