// What the column chunk writer asks of a column's value encoder (PLAIN numbers and booleans, dictionary strings).
import type * as arrow from 'apache-arrow';

export type MinMax = { min: Uint8Array; max: Uint8Array } | undefined;

export interface ValueEncoder {
  /** Encoding of the open data page's values (PLAIN or RLE_DICTIONARY). */
  readonly encoding: number;
  /** True when the open page must end before more rows are appended (a dictionary that just filled up). */
  pageMustEnd?(): boolean;
  /** Appends the non-null values of rows [start, start + count) of `data`. */
  append(data: arrow.Data, start: number, count: number): void;
  /** Bytes the open page's values take so far (an estimate for dictionary indices). */
  pageBytes(): number;
  /** Ends the open page: its encoded values (valid until the next append) and their min/max. */
  takePage(): { values: Uint8Array; range: MinMax };
  /** Ends the column chunk: min/max over its pages and, for a dictionary encoder, its dictionary page values. */
  takeChunk(): { range: MinMax; dictionary?: { values: Uint8Array; count: number } };
}
