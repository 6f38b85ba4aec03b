// Compression of the pages the writer produces: zstd through Node's built-in zlib (native, no wasm).
import { constants, zstdCompressSync } from 'node:zlib';
import { Codec } from '../format';

export interface PageCompressor {
  /** CompressionCodec of the column chunks. */
  readonly codec: number;
  compress(page: Uint8Array): Uint8Array;
}

/** zstd at `level` (writer.ts's ZSTD_LEVEL says which, and the measurement behind it). */
export function zstdCompressor(level: number): PageCompressor {
  const options = { params: { [constants.ZSTD_c_compressionLevel]: level } };
  return {
    codec: Codec.ZSTD,
    compress: (page) => zstdCompressSync(page, options),
  };
}

/** Pages stored as they are (tests: what the encoders wrote is then visible in the file). */
export const uncompressed: PageCompressor = { codec: Codec.UNCOMPRESSED, compress: (page) => page };
