// Parquet's page codecs, one place: given a codec id and a page's compressed bytes, a pull buffer over its
// decompressed bytes, bounded by the page's uncompressed_page_size (more is corrupt, less is corrupt).
// A page up to WHOLE_PAGE_BYTES is decompressed whole by native code (snappy's napi-rs build; zstd, gzip and
// brotli from node:zlib). A bigger page (DuckDB writes one page per column chunk: 38 MiB for a timestamp at 5M
// rows) is decompressed on demand, a window at a time, so that the column cursor's memory stays a window of rows
// whatever the page's size: zstd, gzip and brotli by node:zlib's native decoders driven synchronously
// (NativeStream), snappy in JavaScript with its 64 KiB history (the snappy package has no streaming decoder).
import * as zlib from 'node:zlib';
import { uncompressSync } from 'snappy';
import { type FileRegion, MemoryBuffer, readUleb128 } from '../byte-streams';
import { Codec as CODEC } from '../format';
import { NativeStream } from './native-stream';
import { CodecError, type PageBytes, WholePage, WholePageBudget, checkPadding } from './page-bytes';
import { SnappyStream } from './snappy-stream';
import { checkZstdWindow } from './zstd-frame';

export { CodecError, type PageBytes, WholePageBudget } from './page-bytes';
export { Codec as CODEC } from '../format';

/**
 * Largest page (compressed and uncompressed) decompressed whole. Measured on a 7.6 MiB timestamp page: native
 * whole-page decoding ran 1.7–3× faster than the JavaScript streams (snappy's still is one), so the bound is set by memory: 8 MiB
 * keeps a 1M-row DuckDB timestamp page (7.6 MiB) native, and the file's budget (DecodeLimits'
 * wholePagesPerFileBytes) bounds how many such pages its cursors hold at once.
 */
export const WHOLE_PAGE_BYTES = 8 * 2 ** 20;
const DECODED = new Set<number>([CODEC.UNCOMPRESSED, CODEC.SNAPPY, CODEC.GZIP, CODEC.BROTLI, CODEC.ZSTD]);

/** Whether `openPage` decodes this codec (others — LZO, LZ4, LZ4_RAW — are left to parquet-wasm). */
export function decodesCodec(codec: number): boolean {
  return DECODED.has(codec);
}

export interface PageLimits {
  /** Largest page decompressed whole (default WHOLE_PAGE_BYTES). */
  wholePageBytes?: number;
  /** The file's budget of whole pages; none: any page up to wholePageBytes is decompressed whole. */
  budget?: WholePageBudget;
}

/**
 * The decompressed bytes of the page whose `compressedSize` bytes come next in `region`; `region` moves past
 * them. Throws CodecError (corrupt) when they cannot be what the header declares.
 */
export function openPage(
  codec: number,
  region: FileRegion,
  compressedSize: number,
  uncompressedSize: number,
  limits: PageLimits = {},
): PageBytes {
  if (codec === CODEC.UNCOMPRESSED && compressedSize !== uncompressedSize) {
    throw new CodecError(`an uncompressed page of ${compressedSize} bytes declares ${uncompressedSize}`);
  }
  const { wholePageBytes = WHOLE_PAGE_BYTES, budget } = limits;
  const small = compressedSize <= wholePageBytes && uncompressedSize <= wholePageBytes;
  if (small && (budget?.tryReserve(uncompressedSize) ?? true)) {
    return wholePage(codec, region, compressedSize, uncompressedSize, budget);
  }
  const page = region.split(compressedSize);
  switch (codec) {
    case CODEC.UNCOMPRESSED:
      // read straight from the file a slice at a time, and it cannot be read past its end: nothing to check
      return Object.assign(page, { finish: () => undefined });
    case CODEC.SNAPPY:
      return new SnappyStream(page, uncompressedSize);
    case CODEC.ZSTD:
      page.ensure(Math.min(18, page.remaining));
      checkZstdWindow(page.buf.subarray(page.pos, page.end), uncompressedSize, WHOLE_PAGE_BYTES);
      return new NativeStream('zstd', page, uncompressedSize, Math.max(uncompressedSize, WHOLE_PAGE_BYTES));
    case CODEC.GZIP:
      page.ensure(Math.min(2, page.remaining));
      return new NativeStream(isGzip(page.buf.subarray(page.pos, page.end)) ? 'gzip' : 'zlib', page, uncompressedSize);
    case CODEC.BROTLI:
      return new NativeStream('brotli', page, uncompressedSize);
    default:
      throw new CodecError(`compression codec ${codec}`);
  }
}

function wholePage(codec: number, region: FileRegion, compressedSize: number, size: number, budget: WholePageBudget | undefined): WholePage {
  try {
    let bytes = region.take(compressedSize);
    // an uncompressed page is kept as it is read: a copy if `take` gave a view of the region's buffer
    if (codec === CODEC.UNCOMPRESSED && bytes.buffer === region.buf.buffer) bytes = bytes.slice();
    return new WholePage(decompressWhole(codec, bytes, size), budget);
  } catch (error) {
    budget?.release(size);
    throw error;
  }
}

/** Decompresses a whole page natively to exactly `size` bytes. */
export function decompressWhole(codec: number, bytes: Uint8Array, size: number): Uint8Array {
  const name = CODEC_NAMES[codec] ?? `codec ${codec}`;
  let out: Uint8Array;
  try {
    out = decompress(codec, bytes, size);
  } catch (error) {
    if (error instanceof CodecError) throw error;
    if (error instanceof RangeError && (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CodecError(`${name}: the page decompresses to more than its uncompressed_page_size of ${size} bytes`, 'page_too_large');
    }
    throw new CodecError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (out.length !== size) {
    throw new CodecError(`${name}: the page decompresses to ${out.length} bytes, its uncompressed_page_size is ${size}`);
  }
  return out;
}

const CODEC_NAMES: Record<number, string> = { 0: 'uncompressed', 1: 'snappy', 2: 'gzip', 4: 'brotli', 6: 'zstd' };

function decompress(codec: number, bytes: Uint8Array, size: number): Uint8Array {
  // node:zlib throws ERR_BUFFER_TOO_LARGE past maxOutputLength (which must be at least 1)
  const limit = { maxOutputLength: Math.max(1, size) };
  switch (codec) {
    case CODEC.UNCOMPRESSED:
      return bytes;
    case CODEC.SNAPPY: {
      // the raw format starts with its length: checked before the native call allocates it
      const declared = readUleb128(new MemoryBuffer(bytes));
      if (declared !== size) {
        throw new CodecError(
          `snappy: the page decompresses to ${declared ?? '(bad length)'} bytes, its uncompressed_page_size is ${size}`,
          declared !== undefined && declared > size ? 'page_too_large' : 'page_invalid',
        );
      }
      return uncompressSync(bytes, { asBuffer: true }) as Buffer;
    }
    case CODEC.ZSTD:
      checkZstdWindow(bytes.subarray(0, 18), size, WHOLE_PAGE_BYTES);
      return zlib.zstdDecompressSync(bytes, limit);
    case CODEC.GZIP:
      // Parquet says gzip (RFC 1952, members may follow each other, as arrow-rs reads them); Arrow C++ also reads
      // zlib (RFC 1950), which some writers produced
      if (isGzip(bytes)) return zlib.gunzipSync(bytes, limit);
      return inflateWhole(bytes, limit);
    case CODEC.BROTLI:
      return zlib.brotliDecompressSync(bytes, limit);
    default:
      throw new CodecError(`compression codec ${codec}`);
  }
}

/** zlib's inflate stops at the end of its stream: what follows is refused unless it is zeros (as in NativeStream). */
function inflateWhole(bytes: Uint8Array, limit: zlib.ZlibOptions): Uint8Array {
  const { buffer, engine } = zlib.inflateSync(bytes, { ...limit, info: true }) as unknown as { buffer: Buffer; engine: zlib.Inflate };
  const after = bytes.subarray(engine.bytesWritten);
  checkPadding('zlib', after, after.length);
  return buffer;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
