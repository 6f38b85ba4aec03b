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

export interface PageBytes extends PullBuffer {
  /**
   * Called once the page's values are read: decompresses whatever the values did not need (a few bytes of
   * padding, usually) and throws CodecError unless the page came to exactly its declared size.
   */
  finish(): void;
}

/** A page already decompressed whole (its size was checked when it was). */
export class WholePage extends MemoryBuffer implements PageBytes {
  finish(): void {}
}
