// Where a number column's values came from, when every one of them was a source dictionary page's entry: per row,
// the index of that entry. It rides beside the Arrow data from the column cursor, through the conversions and the
// keep filter, to the writer's number dictionary, which then looks up each source entry's output id once instead of
// hashing every row's value (the hash probes were a tenth of a 5M-row file's CPU).
//
// The promise a DictionaryCodes makes: for every valid row, the row's value bits are a function of its code alone
// (rows with equal codes hold equal values). A conversion keeps the promise when it maps each value on its own (int64
// or float64 to float64, float64 to float32, a narrowing to int32 that may make a row null), and a filter keeps it
// when it moves codes with their rows. Anything else (a slice of the data, a builder that does not carry the codes)
// simply has none: the data is then encoded value by value, as before.
import type * as arrow from 'apache-arrow';

export interface DictionaryCodes {
  /** Per row, the index of its value in `dictionary` (-1 or anything for a null row: never read). */
  codes: Int32Array;
  /** The source dictionary the codes index: its identity says which codes are alike, its length bounds them. */
  dictionary: { readonly length: number };
}

const attached = new WeakMap<arrow.Data, DictionaryCodes>();

/** Records that `data`'s rows hold the values `codes` name (see the promise above); returns `data`. */
export function withDictionaryCodes<T extends arrow.Data>(data: T, codes: DictionaryCodes | undefined): T {
  if (codes) attached.set(data, codes);
  return data;
}

/** The codes recorded for exactly this Data object, if any. */
export function dictionaryCodesOf(data: arrow.Data): DictionaryCodes | undefined {
  return attached.get(data);
}
