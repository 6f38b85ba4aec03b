// Rows that come with their source dictionary codes are encoded through a memo of the source's entries instead of a
// hash per row: the pages and the dictionary must be byte for byte what the hash alone writes, across chunks (the
// memo's ids are a chunk's), across source dictionaries (the memo is one dictionary's), and whatever the codes.
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { type DictionaryCodes, withDictionaryCodes } from '../../columns/dictionary-codes';
import { SeededRandom } from '../../synthetic/random';
import { DictionaryNumberEncoder } from './number-dictionary-encoder';

interface Window {
  data: arrow.Data;
  codes: DictionaryCodes;
}

/** A window of float32 rows whose values are `dictionary`'s entries named by random codes, some rows null. */
function float32Window(random: SeededRandom, dictionary: Float64Array, rows: number): Window {
  const codes = new Int32Array(rows);
  const values = new Float32Array(rows);
  const validity = new Uint8Array((rows + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    if (random.next() < 0.1) {
      nulls++;
      codes[i] = -1;
      continue;
    }
    validity[i >> 3] |= 1 << (i & 7);
    codes[i] = Math.floor(random.next() * dictionary.length);
    values[i] = dictionary[codes[i]];
  }
  const data = arrow.makeData({ type: new arrow.Float32(), length: rows, nullCount: nulls, nullBitmap: validity, data: values });
  return { data, codes: { codes, dictionary } };
}

function entries(random: SeededRandom, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => Math.round(random.next() * 100_000) / 100);
}

const bounds = (range: { min: Uint8Array; max: Uint8Array } | undefined) => (range ? [range.min.slice(), range.max.slice()] : []);

/** Every page and chunk the encoder writes for `chunks` (each a list of windows), as bytes. */
function encode(chunks: Window[][], withCodes: boolean, dictionaryPageBytes = 1 << 20): Uint8Array[] {
  const encoder = new DictionaryNumberEncoder('float32', dictionaryPageBytes);
  const out: Uint8Array[] = [];
  for (const windows of chunks) {
    for (const { data, codes } of windows) {
      // a fresh Data each time: codes attach to one Data object
      const copy = arrow.makeData({ type: new arrow.Float32(), length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap, data: data.values as Float32Array });
      encoder.append(withCodes ? withDictionaryCodes(copy, codes) : copy, 0, data.length);
      const { values, range } = encoder.takePage();
      out.push(values.slice(), ...bounds(range));
    }
    const { range, dictionary } = encoder.takeChunk();
    out.push(...bounds(range), dictionary.values.slice());
  }
  return out;
}

describe('the number dictionary with source codes', () => {
  it('writes what the hash alone writes, chunk after chunk over one source dictionary', () => {
    const random = new SeededRandom(11);
    const dictionary = entries(random, 3000);
    // three output chunks cut from one source chunk: the second chunk's ids start again at 0
    const chunks = [0, 1, 2].map(() => [0, 1, 2, 3].map(() => float32Window(random, dictionary, 5000)));
    expect(encode(chunks, true)).toEqual(encode(chunks, false));
  });

  it('keeps each source dictionary apart (the same code names another value in the next one)', () => {
    const random = new SeededRandom(12);
    const first = entries(random, 500);
    const second = entries(random, 700);
    const chunk = [first, second, first, second].map((dictionary) => float32Window(random, dictionary, 4000));
    expect(encode([chunk], true)).toEqual(encode([chunk], false));
  });

  it('hashes the rows whose codes are outside the dictionary, as rows without codes', () => {
    const random = new SeededRandom(13);
    const dictionary = entries(random, 200);
    const window = float32Window(random, dictionary, 4000);
    for (let i = 0; i < window.codes.codes.length; i += 7) window.codes.codes[i] = i % 2 === 0 ? -3 : 1 << 30;
    expect(encode([[window]], true)).toEqual(encode([[window]], false));
  });

  it('writes the same when the dictionary fills and the chunk goes on in PLAIN pages', () => {
    const random = new SeededRandom(14);
    const dictionary = entries(random, 5000);
    const chunk = [0, 1, 2, 3].map(() => float32Window(random, dictionary, 3000));
    expect(encode([chunk, chunk], true, 4 * 1000)).toEqual(encode([chunk, chunk], false, 4 * 1000));
  });
});
