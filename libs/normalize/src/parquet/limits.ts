// What the decoder is willing to believe. Every size a Parquet file declares (rows, values, page bytes, dictionary
// entries, footer objects, nesting) is checked against what the file's bytes can hold and against these limits
// before anything is allocated for it; a violation is a CorruptParquetError naming the column, what was claimed
// and what fits. The reader turns it into a permanent `corrupt`.

export interface DecodeLimits {
  /**
   * Rows a file may claim. RLE can claim billions of rows in a few bytes; the largest real month (fhvhv 2019-03)
   * has 23.86M rows, so the default is about four times that.
   */
  maxFileRows: number;
  /**
   * Bytes the decoder may hold for one file at a time beyond its fixed windows: dictionaries, definition levels
   * of the pages being read, zstd windows, column chunks decoded whole by the fallback decoder.
   */
  decodeMemoryBudget: number;
  /** Values (fields, list items, map entries) the footer may hold: each one is an object on the heap. */
  maxFooterObjects: number;
  /** Nesting of thrift structs, lists and maps in the footer and page headers. */
  maxThriftDepth: number;
  /** Nesting of groups in the Parquet schema. */
  maxSchemaDepth: number;
  /**
   * Bytes of pages decompressed whole that one file's column cursors may hold at once (codecs/WholePageBudget); a
   * page that does not fit is streamed. 0 streams every page (the fuzzer's other half of its cases).
   */
  wholePagesPerFileBytes: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxFileRows: 100_000_000,
  decodeMemoryBudget: 256 * 2 ** 20,
  maxFooterObjects: 2_000_000,
  maxThriftDepth: 64,
  maxSchemaDepth: 32,
  wholePagesPerFileBytes: 32 * 2 ** 20,
};

/** Why a file was refused, as a short tag that leads the message (tests and the hostile-input table use it). */
export type CorruptReason =
  | 'thrift_too_large'
  | 'thrift_too_deep'
  | 'thrift_invalid'
  | 'schema_invalid'
  | 'schema_too_deep'
  | 'too_many_rows'
  | 'row_count_mismatch'
  | 'chunk_out_of_bounds'
  | 'chunks_overlap'
  | 'chunk_invalid'
  | 'page_invalid'
  | 'page_too_large'
  | 'values_exceed_page'
  | 'decode_memory_budget'
  | 'decoder_overflow';

export class CorruptParquetError extends Error {
  constructor(
    readonly reason: CorruptReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${detail}`, options);
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * The file's decoding memory, reserved before it is allocated and released when it is dropped. A reservation
 * that would take the total over the budget throws `decode_memory_budget`, naming what asked for it.
 */
export class DecodeBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get reserved(): number {
    return this.used;
  }

  /** Reserves `bytes` for `what`; the returned function gives them back (once). */
  reserve(bytes: number, what: string): () => void {
    if (!Number.isFinite(bytes) || bytes < 0 || this.used + bytes > this.limit) {
      throw new CorruptParquetError(
        'decode_memory_budget',
        `${what} needs ${mib(bytes)} to decode, and ${mib(this.used)} of the ${mib(this.limit)} decode memory budget ` +
          '(DECODE_MEMORY_BUDGET) is already held',
      );
    }
    this.used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
    };
  }
}
