// int32 and float32 columns as RLE_DICTIONARY pages while the chunk's distinct values fit a dictionary page
// (1 MiB, as arrow-rs), PLAIN pages after that. The fhvhv money, miles and zone columns hold a few hundred to a
// few ten thousand distinct values per row group: as PLAIN + zstd they came out 1.2-2.3× the size DuckDB
// writes (it dictionary-encodes them), the whole file 1.15×. Values are keyed by their 32 bits (NaN and -0 are
// entries of their own, so every value comes back bit for bit) in an open-addressing table: no Map, no boxing.
import type * as arrow from 'apache-arrow';
import { Encoding } from '../format';
import { type DictionaryCodes, dictionaryCodesOf } from '../../columns/dictionary-codes';
import { int32Words } from '../../columns/int32-words';
import { bitAt, validityOf } from './arrow-data';
import { ByteBuffer } from './byte-buffer';
import { Float32PlainEncoder, Int32PlainEncoder } from './plain-encoders';
import { RleHybridEncoder, bitWidthFor } from './rle-hybrid-encoder';
import { NumberRange } from './statistics';
import type { MinMax, ValueEncoder } from './value-encoder';

/** Bytes of a dictionary page before the chunk falls back to PLAIN: arrow-rs's default. */
export const DICTIONARY_PAGE_BYTES = 1 << 20;
const HASH = 0x9e3779b1;

export class DictionaryNumberEncoder implements ValueEncoder {
  /** The chunk's distinct values (their 32 bits), in first-seen order. */
  private entries = new Int32Array(1024);
  private size = 0;
  /**
   * Hash table of 2048 slots and up, each two words: [key, entry id + 1] (0: empty). A key sits beside its id, so a
   * probe reads one cache line, not one in the table and one in `entries`.
   */
  private table = new Int32Array(2 * 2048);
  /** slot = the top log2(slots) bits of key × HASH (the low bits of a product mix poorly). */
  private shift = 32 - 11;
  private indices = new Int32Array(1 << 16);
  private count = 0;
  private seen = new Uint8Array(1024);
  private readonly chunkRange: NumberRange;
  private readonly out = new ByteBuffer(1 << 16);
  /** The open page's indices encoder, reused page after page. */
  private readonly rle = new RleHybridEncoder(1);
  /** Set once the dictionary is full: the open page is the last dictionary page, PLAIN pages follow. */
  private full = false;
  private plain: Int32PlainEncoder | Float32PlainEncoder | undefined;
  /**
   * Per entry of the source dictionary `memoOf`, its id here (-1: not looked up yet): rows that come with their
   * source dictionary codes are looked up once per entry, not hashed once per row. Reset with the ids (takeChunk).
   */
  private memo = new Int32Array(0);
  private memoOf: DictionaryCodes['dictionary'] | undefined;

  private readonly maxEntries: number;

  constructor(
    private readonly kind: 'int32' | 'float32',
    dictionaryPageBytes = DICTIONARY_PAGE_BYTES,
    private readonly plainPageBytes = 1 << 16,
  ) {
    this.chunkRange = new NumberRange(kind);
    this.maxEntries = Math.max(1, Math.floor(dictionaryPageBytes / 4));
  }

  get encoding(): number {
    return this.plain ? Encoding.PLAIN : Encoding.RLE_DICTIONARY;
  }

  /** True when the open page must end before more rows come (the dictionary just filled up). */
  pageMustEnd(): boolean {
    return this.full && !this.plain;
  }

  append(data: arrow.Data, start: number, count: number): void {
    if (this.plain) {
      this.plain.append(data, start, count);
      return;
    }
    const source = data.values as Int32Array | Float32Array;
    const bits = int32Words(source);
    if (this.count + count > this.indices.length) {
      const grown = new Int32Array(Math.max(this.count + count, this.indices.length * 2));
      grown.set(this.indices.subarray(0, this.count));
      this.indices = grown;
    }
    const validity = validityOf(data);
    const indices = this.indices;
    let n = this.count;
    const end = start + count;
    const coded = dictionaryCodesOf(data);
    if (coded) {
      const memo = this.memoFor(coded.dictionary);
      const size = memo.length;
      const codes = coded.codes;
      for (let i = start; i < end; i++) {
        if (validity && !bitAt(validity.bits, validity.offset + i)) continue;
        const code = codes[i];
        // a code outside the dictionary is hashed, as a row without codes is
        const known = code >>> 0 < size;
        let id = known ? memo[code] : -1;
        if (id < 0) {
          id = this.idOf(bits[i]);
          if (known) memo[code] = id;
        }
        indices[n++] = id;
      }
    } else {
      for (let i = start; i < end; i++) {
        if (validity && !bitAt(validity.bits, validity.offset + i)) continue;
        indices[n++] = this.idOf(bits[i]);
      }
    }
    this.count = n;
    if (this.size >= this.maxEntries) this.full = true;
  }

  /** The memo of `dictionary`'s entries, emptied when the source dictionary is another one. */
  private memoFor(dictionary: DictionaryCodes['dictionary']): Int32Array {
    if (this.memoOf !== dictionary) {
      if (this.memo.length < dictionary.length) this.memo = new Int32Array(dictionary.length);
      this.memo.fill(-1, 0, dictionary.length);
      this.memoOf = dictionary;
    }
    return this.memo.subarray(0, dictionary.length);
  }

  pageBytes(): number {
    if (this.plain) return this.plain.pageBytes();
    return 1 + Math.ceil((this.count * bitWidthFor(Math.max(0, this.size - 1))) / 8);
  }

  takePage(): { values: Uint8Array; range: MinMax } {
    if (this.plain) return this.plain.takePage();
    const width = bitWidthFor(Math.max(0, this.size - 1));
    const rle = this.rle;
    rle.reset(width);
    const { indices, seen } = this;
    rle.putAll(indices, 0, this.count);
    const values = this.kind === 'float32' ? new Float32Array(this.entries.buffer, 0, this.size) : this.entries;
    const range = new NumberRange(this.kind);
    let { min, max } = range;
    for (let k = 0; k < this.count; k++) {
      const id = indices[k];
      if (seen[id] === 0) {
        seen[id] = 1;
        const v = values[id];
        // NaN fails both comparisons: it never becomes a bound
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    seen.fill(0, 0, this.size);
    range.min = min;
    range.max = max;
    range.mergeInto(this.chunkRange);
    this.out.reset();
    this.out.byte(width);
    this.out.append(rle.finish());
    this.count = 0;
    if (this.full) {
      this.plain = this.kind === 'int32' ? new Int32PlainEncoder(this.plainPageBytes) : new Float32PlainEncoder(this.plainPageBytes);
    }
    return { values: this.out.view(), range: range.bytes() };
  }

  takeChunk(): { range: MinMax; dictionary: { values: Uint8Array; count: number } } {
    const dictionary = { values: new Uint8Array(this.entries.buffer.slice(0, this.size * 4)), count: this.size };
    if (this.plain) {
      const plainRange = this.plain.takeChunk().range;
      if (plainRange) {
        const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 4);
        const read = (b: Uint8Array) => (this.kind === 'int32' ? view(b).getInt32(0, true) : view(b).getFloat32(0, true));
        const other = new NumberRange(this.kind);
        other.min = read(plainRange.min);
        other.max = read(plainRange.max);
        other.mergeInto(this.chunkRange);
      }
    }
    const range = this.chunkRange.bytes();
    this.chunkRange.reset();
    this.size = 0;
    this.table.fill(0);
    this.memoOf = undefined; // its ids were this chunk's
    // the table keeps its size (the next row group is likely alike); the entries are overwritten
    this.full = false;
    this.plain = undefined;
    return { range, dictionary };
  }

  private idOf(key: number): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let slot = Math.imul(key, HASH) >>> this.shift;
    for (;;) {
      const stored = table[2 * slot + 1];
      if (stored === 0) break;
      if (table[2 * slot] === key) return stored - 1;
      slot = (slot + 1) & mask;
    }
    const id = this.size++;
    if (id >= this.entries.length) this.growEntries();
    this.entries[id] = key;
    table[2 * slot] = key;
    table[2 * slot + 1] = id + 1;
    if (this.size * 2 > table.length >> 1) this.rehash();
    return id;
  }

  private growEntries(): void {
    const entries = new Int32Array(this.entries.length * 2);
    entries.set(this.entries);
    this.entries = entries;
    this.seen = new Uint8Array(entries.length);
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = (table.length >> 1) - 1;
    this.shift--;
    for (let id = 0; id < this.size; id++) {
      const key = this.entries[id];
      let slot = Math.imul(key, HASH) >>> this.shift;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = key;
      table[2 * slot + 1] = id + 1;
    }
    this.table = table;
  }
}
