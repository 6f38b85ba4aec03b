// Reading Arrow JS Data the way the encoders need: fixed-width `values` start at the Data's first row (Arrow JS
// slices them), while the validity bitmap and a boolean's value bitmap are whole and indexed from `offset`.
import type * as arrow from 'apache-arrow';

/** The validity bitmap and its bit offset, or undefined when every row is valid. */
export function validityOf(data: arrow.Data): { bits: Uint8Array; offset: number } | undefined {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return undefined;
  return { bits: data.nullBitmap, offset: data.offset };
}

export function bitAt(bits: Uint8Array, index: number): number {
  return (bits[index >> 3] >> (index & 7)) & 1;
}
