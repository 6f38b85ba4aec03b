// Dictionary strings (Arrow Dictionary<int, Utf8>) as RLE_DICTIONARY pages plus one dictionary page per column
// chunk. The values are never hashed: each batch's Arrow dictionary is remapped, entry by entry and only for the
// entries its rows use, onto the chunk's dictionary (batches of one column may carry different dictionaries),
// and the rows' codes go through that remap.
import type * as arrow from 'apache-arrow';
import { Encoding } from '../format';
import { bitAt, validityOf } from './arrow-data';
import { ByteBuffer } from './byte-buffer';
import { RleHybridEncoder, bitWidthFor } from './rle-hybrid-encoder';
import { BytesRange } from './statistics';
import type { MinMax, ValueEncoder } from './value-encoder';

export class DictionaryStringEncoder implements ValueEncoder {
  readonly encoding = Encoding.RLE_DICTIONARY;
  /** The chunk's dictionary: entry bytes, and their index by the bytes read as latin1 (an exact, cheap key). */
  private entries: Uint8Array[] = [];
  private readonly ids = new Map<string, number>();
  /** The open page's indices into the chunk dictionary. */
  private indices = new Int32Array(1 << 16);
  private count = 0;
  /** The batch dictionary last seen and its remap (-1: not used yet) onto the chunk dictionary. */
  private batchDictionary: arrow.Vector | undefined;
  private remap = new Int32Array(0);
  /** Per chunk entry: seen in the open page (for the page's min/max); cleared after each page. */
  private seen = new Uint8Array(256);
  private readonly chunkRange = new BytesRange();
  private readonly out = new ByteBuffer(1 << 16);
  /** The open page's indices encoder, reused page after page. */
  private readonly rle = new RleHybridEncoder(1);

  append(data: arrow.Data, start: number, count: number): void {
    const dictionary = data.dictionary;
    if (!dictionary) throw new Error('a dictionary column without a dictionary');
    if (dictionary !== this.batchDictionary) {
      this.batchDictionary = dictionary;
      this.remap = new Int32Array(dictionary.length).fill(-1);
    }
    if (this.count + count > this.indices.length) {
      const grown = new Int32Array(Math.max(this.count + count, this.indices.length * 2));
      grown.set(this.indices.subarray(0, this.count));
      this.indices = grown;
    }
    const codes = data.values as Int32Array;
    const { remap, indices } = this;
    const validity = validityOf(data);
    let n = this.count;
    for (let i = start; i < start + count; i++) {
      if (validity && !bitAt(validity.bits, validity.offset + i)) continue;
      const code = codes[i];
      let id = remap[code];
      if (!(id >= 0)) id = remap[code] = this.intern(entryBytes(dictionary, code)); // -1, or a code past the remap
      indices[n++] = id;
    }
    this.count = n;
  }

  pageBytes(): number {
    return 1 + Math.ceil((this.count * bitWidthFor(Math.max(0, this.entries.length - 1))) / 8);
  }

  takePage(): { values: Uint8Array; range: MinMax } {
    const width = bitWidthFor(Math.max(0, this.entries.length - 1));
    const rle = this.rle;
    rle.reset(width);
    const { indices, seen, entries } = this;
    rle.putAll(indices, 0, this.count);
    const pageRange = new BytesRange();
    for (let k = 0; k < this.count; k++) {
      const id = indices[k];
      if (seen[id] === 0) {
        seen[id] = 1;
        pageRange.include(entries[id]);
      }
    }
    seen.fill(0);
    pageRange.mergeInto(this.chunkRange);
    this.out.reset();
    this.out.byte(width);
    this.out.append(rle.finish());
    this.count = 0;
    return { values: this.out.view(), range: pageRange.bytes() };
  }

  takeChunk(): { range: MinMax; dictionary: { values: Uint8Array; count: number } } {
    const page = new ByteBuffer(this.entries.reduce((n, e) => n + 4 + e.length, 0));
    for (const entry of this.entries) {
      page.uint32le(entry.length);
      page.append(entry);
    }
    const dictionary = { values: page.view(), count: this.entries.length };
    const range = this.chunkRange.bytes();
    this.chunkRange.reset();
    this.entries = [];
    this.ids.clear();
    // the remap points into the chunk dictionary just written: the next chunk starts a new one
    this.batchDictionary = undefined;
    return { range, dictionary };
  }

  private intern(bytes: Uint8Array): number {
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.entries.length;
      // a copy: the batch's dictionary buffer is not kept alive by the chunk
      this.entries.push(bytes.slice());
      this.ids.set(key, id);
      if (id >= this.seen.length) {
        const grown = new Uint8Array(this.seen.length * 2);
        grown.set(this.seen);
        this.seen = grown;
      }
    }
    return id;
  }
}

/** The UTF-8 bytes of entry `index` of a Utf8 vector (one or several Data chunks). */
function entryBytes(dictionary: arrow.Vector, index: number): Uint8Array {
  let k = index;
  for (const chunk of dictionary.data) {
    if (k < chunk.length) {
      const offsets = chunk.valueOffsets as Int32Array;
      return (chunk.values as Uint8Array).subarray(offsets[k], offsets[k + 1]);
    }
    k -= chunk.length;
  }
  throw new RangeError(`dictionary code ${index} beyond a dictionary of ${dictionary.length}`);
}
