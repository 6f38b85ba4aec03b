// What every codec gives the page decoder: a pull buffer over one page's decompressed bytes that never yields
// more than the page's declared uncompressed_page_size, and can say at the end whether it yielded exactly that.
import { MemoryBuffer, type PullBuffer } from '../byte-streams';
import { CorruptParquetError } from '../limits';

/**
 * The page's bytes do not decompress, or not to the size its header declares: the file is corrupt
 * (`page_too_large` when they decompress to more than uncompressed_page_size).
 */
export class CodecError extends CorruptParquetError {
  constructor(message: string, reason: 'page_invalid' | 'page_too_large' = 'page_invalid') {
    super(reason, message);
  }
}

/**
 * Bytes after the end of a page's compressed data (`bytes`, all or a slice of the `left` that follow): zeros are
 * padding, as node:zlib's gunzip takes them; anything else is corrupt.
 */
export function checkPadding(name: string, bytes: Uint8Array, left: number): void {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) throw new CodecError(`${name}: ${left} bytes follow the end of the page's compressed data`);
  }
}

export interface PageBytes extends PullBuffer {
  /**
   * Called once the page's values are read: decompresses whatever the values did not need (a few bytes of
   * padding, usually) and throws CodecError unless the page came to exactly its declared size.
   */
  finish(): void;
}

/**
 * Bytes of pages decompressed whole that one file's column cursors may hold at once. A page that does not fit
 * is streamed instead: a file's cursors each hold their current page, and without this bound 24 columns of
 * 8 MiB pages would add 192 MiB to the window design's memory.
 */
export class WholePageBudget {
  private used = 0;
  constructor(readonly bytes: number) {}

  fits(n: number): boolean {
    return this.used + n <= this.bytes;
  }

  tryReserve(n: number): boolean {
    if (!this.fits(n)) return false;
    this.used += n;
    return true;
  }

  /** Reserves even past the budget (a page that cannot be streamed). */
  reserve(n: number): void {
    this.used += n;
  }

  release(n: number): void {
    this.used -= n;
  }

  get inUse(): number {
    return this.used;
  }
}

/** A page already decompressed whole (its size was checked when it was); finish() gives its bytes back. */
export class WholePage extends MemoryBuffer implements PageBytes {
  constructor(
    bytes: Uint8Array,
    private budget: WholePageBudget | undefined,
  ) {
    super(bytes);
  }

  finish(): void {
    this.budget?.release(this.buf.length);
    this.budget = undefined;
  }
}
