// Where a zstd stream can be cut so that a streaming decoder (fzstd) is fed one unit at a time.
// Format: RFC 8878 §3.1.1 (frames, blocks), §3.1.2 (skippable frames).

import { CodecError } from './page-bytes';
import { zstdWindowBytes } from './zstd-frame';

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_RLE = 1;
const BLOCK_RESERVED = 3;

/**
 * Cuts a zstd stream into units (a frame header, one block, a checksum, a skippable frame) so that a streaming
 * decoder can be fed one unit at a time. A push then yields at most one block of output (≤ 128 KiB): four bytes of
 * an RLE block decode to 128 KiB, so a 64 KiB input slice could decode to 2 GiB in one push, before anyone could
 * look at the page's sizes. Every frame's header is checked as it comes, not only the first: fzstd allocates each
 * frame's window when it reaches it, so a small first frame could be followed by one claiming 2 GiB.
 */
export class ZstdUnits {
  private state: 'frame' | 'block' | 'checksum' = 'frame';
  private checksum = false;

  /** `maxWindow`: the largest window a frame may ask for (the page's size, or the whole-page bound if larger). */
  constructor(private readonly maxWindow = Number.POSITIVE_INFINITY) {}

  /** Bytes of the unit starting at the next byte; `peek(n)` returns the next n bytes (fewer at the end). */
  next(peek: (n: number) => Uint8Array): number {
    if (this.state === 'checksum') {
      this.state = 'frame';
      return 4;
    }
    if (this.state === 'block') {
      const b = peek(3);
      if (b.length < 3) return b.length;
      const header = b[0] | (b[1] << 8) | (b[2] << 16);
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (header & 1) this.state = this.checksum ? 'checksum' : 'frame';
      return 3 + (type === BLOCK_RLE ? 1 : type === BLOCK_RESERVED ? 0 : size);
    }
    const b = peek(6);
    if (b.length < 6) return b.length;
    const magic = new DataView(b.buffer, b.byteOffset, b.length).getUint32(0, true);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      const s = peek(8);
      return s.length < 8 ? s.length : 8 + new DataView(s.buffer, s.byteOffset, 8).getUint32(4, true);
    }
    if (magic !== ZSTD_MAGIC) return b.length; // not zstd: the decoder says so
    const window = zstdWindowBytes(peek(18));
    if (window !== undefined && window > this.maxWindow) {
      throw new CodecError(`zstd: a frame asks for a ${window}-byte window, more than the page's ${this.maxWindow} bytes`);
    }
    const descriptor = b[4];
    const singleSegment = (descriptor >> 5) & 1;
    const contentSizeFlag = descriptor >> 6;
    const dictionaryIdFlag = descriptor & 3;
    this.checksum = ((descriptor >> 2) & 1) === 1;
    this.state = 'block';
    const sizeBytes = contentSizeFlag === 0 ? singleSegment : 1 << contentSizeFlag;
    return 5 + (singleSegment ? 0 : 1) + (dictionaryIdFlag === 3 ? 4 : dictionaryIdFlag) + sizeBytes;
  }
}
