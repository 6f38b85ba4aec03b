// The one thing read from a zstd frame header before decoding it: how much history the decoder will allocate.
// A decoder allocates the frame's declared window (or, for a single-segment frame, its content size) up front, so
// a 40-byte page claiming a 2 GiB window would cost 2 GiB before any check.
import { CodecError } from './page-bytes';

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * Bytes of history the frame starting at `header` (its first ≤ 18 bytes) asks for; undefined when it is not
 * a zstd frame (a skippable frame, or garbage that the decoder will refuse).
 */
export function zstdWindowBytes(header: Uint8Array): number | undefined {
  if (header.length < 6) return undefined;
  const magic = (header[0] | (header[1] << 8) | (header[2] << 16) | (header[3] << 24)) >>> 0;
  if (magic !== ZSTD_MAGIC) return undefined;
  const descriptor = header[4];
  const singleSegment = (descriptor >> 5) & 1;
  if (!singleSegment) {
    const exponent = header[5] >> 3;
    const base = 2 ** (10 + exponent);
    return base + (base / 8) * (header[5] & 7);
  }
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3];
  const sizeFlag = descriptor >> 6;
  const sizeBytes = sizeFlag === 0 ? 1 : 1 << sizeFlag;
  const at = 5 + dictionaryBytes;
  if (header.length < at + sizeBytes) return undefined;
  let size = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + header[at + i];
  return sizeFlag === 1 ? size + 256 : size;
}

/** Refuses a frame whose window is larger than both the page it decodes and `floor` bytes. */
export function checkZstdWindow(header: Uint8Array, declared: number, floor: number): void {
  const window = zstdWindowBytes(header);
  if (window !== undefined && window > Math.max(declared, floor)) {
    throw new CodecError(`zstd: the frame asks for a ${window}-byte window, the page is ${declared} bytes`);
  }
}
