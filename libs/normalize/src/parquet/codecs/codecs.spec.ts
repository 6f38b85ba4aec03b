// Each codec gives back exactly the page's bytes, whole or streamed, read in uneven
// windows; and a page that decompresses to more or less than it declares, is truncated, or claims a huge
// window or literal, is refused as corrupt before anything that size is allocated.
import * as zlib from 'node:zlib';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { describe, expect, it } from 'vitest';
import { FileRegion } from '../byte-streams';
import { memoryInput } from '../../io/random-access-input';
import { SeededRandom } from '../../synthetic/random';
import { CODEC, CodecError, type PageBytes, WholePageBudget, openPage } from '.';
import { WholePage } from './page-bytes';

/** Page-like bytes: increasing timestamps (compressible, not trivially). */
function payload(bytes: number, seed = 1): Uint8Array {
  const random = new SeededRandom(seed);
  const values = new BigInt64Array(Math.ceil(bytes / 8));
  let t = 1_709_251_200_000_000n;
  for (let i = 0; i < values.length; i++) values[i] = t += BigInt(Math.floor(random.next() * 2_000_000));
  return new Uint8Array(values.buffer, 0, bytes);
}

const COMPRESS: Record<string, [number, (raw: Uint8Array) => Uint8Array]> = {
  uncompressed: [CODEC.UNCOMPRESSED, (raw) => raw],
  snappy: [CODEC.SNAPPY, (raw) => snappyCompress(Buffer.from(raw))],
  zstd: [CODEC.ZSTD, (raw) => zlib.zstdCompressSync(raw)],
  gzip: [CODEC.GZIP, (raw) => zlib.gzipSync(raw)],
  'gzip, two members': [CODEC.GZIP, (raw) => Buffer.concat([zlib.gzipSync(raw.subarray(0, 1000)), zlib.gzipSync(raw.subarray(1000))])],
  zlib: [CODEC.GZIP, (raw) => zlib.deflateSync(raw)],
  brotli: [CODEC.BROTLI, (raw) => zlib.brotliCompressSync(raw)],
};

const BEFORE = 37; // bytes of the previous page
const AFTER = 50; // bytes of the next page

/**
 * A region over [previous page][this page][next page], positioned at this page; `readAhead`: with every byte read
 * already (a streamed page is then a view of the region's buffer, and the region reads on from it).
 */
function regionAround(page: Uint8Array, readAhead = false): FileRegion {
  const file = new Uint8Array(BEFORE + page.length + AFTER).fill(0xee);
  file.set(page, BEFORE);
  const region = new FileRegion(memoryInput(file), 0, file.length);
  if (readAhead) region.ensure(file.length);
  region.seek(BEFORE);
  return region;
}

/** Reads `size` bytes in uneven windows, then finish(). */
function readAll(page: PageBytes, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const windows = [1, 4093, 65_536, 7, 300_001];
  for (let done = 0, k = 0; done < size; k++) {
    const n = Math.min(windows[k % windows.length], size - done);
    page.ensure(n);
    out.set(page.buf.subarray(page.pos, page.pos + n), done);
    page.pos += n;
    done += n;
  }
  page.finish();
  return out;
}

const RAW = payload(700_000);
const WHOLE = Infinity;
const STREAMED = 1 << 16; // smaller than the page: decoded on demand

describe.each(Object.entries(COMPRESS))('%s pages', (_, [codec, compress]) => {
  const compressed = compress(RAW);

  it.each([
    ['whole', WHOLE, false],
    ['streamed', STREAMED, false],
    ['streamed from bytes already read', STREAMED, true],
  ])('decompress to exactly their bytes (%s), and leave the region at the next page', (_, bound, readAhead) => {
    const region = regionAround(compressed, readAhead);
    const page = openPage(codec, region, compressed.length, RAW.length, { wholePageBytes: bound });
    const out = readAll(page, RAW.length);
    expect(out.length).toBe(RAW.length);
    expect(Buffer.compare(out, RAW)).toBe(0); // (toEqual on 700 KB arrays takes seconds)
    expect(region.position).toBe(BEFORE + compressed.length);
    region.ensure(AFTER);
    expect(Array.from(region.buf.subarray(region.pos, region.pos + AFTER))).toEqual(new Array(AFTER).fill(0xee));
  });

  it.each([
    ['whole', WHOLE],
    ['streamed', STREAMED],
  ])('that declare a byte more or a byte less than they hold are corrupt (%s)', (_, bound) => {
    for (const declared of [RAW.length + 1, RAW.length - 1]) {
      expect(() => readAll(openPage(codec, regionAround(compressed), compressed.length, declared, { wholePageBytes: bound }), declared)).toThrow(
        codec === CODEC.UNCOMPRESSED ? /uncompressed page of \d+ bytes declares/ : /uncompressed_page_size/,
      );
    }
  });

  it.each([
    ['whole', WHOLE],
    ['streamed', STREAMED],
  ])('that are truncated are corrupt (%s)', (_, bound) => {
    if (codec === CODEC.UNCOMPRESSED) return; // no structure: a short page is a size mismatch, above
    const cut = compressed.subarray(0, compressed.length - 20);
    expect(() => readAll(openPage(codec, regionAround(cut), cut.length, RAW.length, { wholePageBytes: bound }), RAW.length)).toThrow();
  });
});

describe('streamed snappy', () => {
  /** A raw snappy stream of random elements of every kind (literals short and long, copies of 1, 2 and 4 offset bytes, overlapping). */
  function handMade(elements: number, seed: number): Uint8Array {
    let s = seed;
    const rand = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
    const body: number[] = [];
    let produced = 0;
    for (let e = 0; e < elements; e++) {
      const kind = produced < 8 ? 0 : rand(6);
      if (kind <= 1) {
        const length = kind === 0 ? 1 + rand(60) : 61 + rand(400);
        if (length <= 60) body.push((length - 1) << 2);
        else if (length <= 256) body.push(60 << 2, length - 1);
        else body.push(61 << 2, (length - 1) & 0xff, (length - 1) >> 8);
        for (let k = 0; k < length; k++) body.push(rand(256));
        produced += length;
      } else if (kind === 2) {
        const length = 4 + rand(8);
        const offset = 1 + rand(Math.min(produced, 2047));
        body.push(((offset >> 8) << 5) | ((length - 4) << 2) | 1, offset & 0xff);
        produced += length;
      } else {
        const length = 1 + rand(64);
        // small offsets overlap the copy's own output (a run), big ones reach far back
        const offset = 1 + (rand(2) === 0 ? rand(Math.min(produced, 8)) : rand(Math.min(produced, 65_535)));
        if (kind === 3) body.push(((length - 1) << 2) | 2, offset & 0xff, offset >> 8);
        else body.push(((length - 1) << 2) | 3, offset & 0xff, (offset >> 8) & 0xff, 0, 0);
        produced += length;
      }
    }
    const header: number[] = [];
    for (let n = produced; ; n >>>= 7) {
      if (n < 0x80) {
        header.push(n);
        break;
      }
      header.push((n & 0x7f) | 0x80);
    }
    return Uint8Array.from([...header, ...body]);
  }

  it('decodes every kind of element as the native decoder does, in windows of any size', () => {
    for (const seed of [1, 2, 3]) {
      const page = handMade(20_000, seed);
      const expected = snappyUncompress(Buffer.from(page)) as Buffer;
      const streamed = openPage(CODEC.SNAPPY, regionAround(page), page.length, expected.length, { wholePageBytes: STREAMED });
      expect(streamed).not.toBeInstanceOf(WholePage);
      expect(Buffer.compare(readAll(streamed, expected.length), expected)).toBe(0);
    }
  });

  it('refuses a copy from before the start of the output', () => {
    // length 14: a 10-byte literal, then 4 bytes copied from 60,000 bytes back
    const page = Uint8Array.from([14, 9 << 2, ...new Array(10).fill(7), (3 << 2) | 2, 0x60, 0xea]);
    expect(() => readAll(openPage(CODEC.SNAPPY, regionAround(page), page.length, 14, { wholePageBytes: 4 }), 14)).toThrow(
      /snappy: back-reference of 60000 bytes/,
    );
  });
});

describe('hostile headers fail before allocating what they claim', () => {
  it('a zstd frame declaring a 2 GiB window', () => {
    const frame = Uint8Array.from(zlib.zstdCompressSync(RAW));
    // frame header descriptor: no single segment, so a window descriptor byte follows: exponent 21 → 2^31
    frame[4] &= ~0x20;
    const withWindow = new Uint8Array(frame.length + 1);
    withWindow.set(frame.subarray(0, 5));
    withWindow[5] = 21 << 3;
    withWindow.set(frame.subarray(5), 6);
    for (const bound of [WHOLE, STREAMED]) {
      expect(() => openPage(CODEC.ZSTD, regionAround(withWindow), withWindow.length, RAW.length, { wholePageBytes: bound })).toThrow(
        /zstd: the frame asks for a 2147483648-byte window/,
      );
    }
  });

  it('a streamed snappy literal claiming 4 GiB', () => {
    // length varint 1,000,000, then a literal tag with a 4-byte length of 2^32 - 1
    const page = Uint8Array.from([0xc0, 0x84, 0x3d, 0xfc, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
    const stream = openPage(CODEC.SNAPPY, regionAround(page), page.length, 1_000_000, { wholePageBytes: 4 });
    expect(() => stream.ensure(1)).toThrow(/snappy: more data than the declared length/);
  });

  it('a gzip bomb is cut off at the declared size', () => {
    const bomb = zlib.gzipSync(new Uint8Array(64 * 2 ** 20));
    for (const bound of [WHOLE, STREAMED]) {
      expect(() => readAll(openPage(CODEC.GZIP, regionAround(bomb), bomb.length, 1000, { wholePageBytes: bound }), 1000)).toThrow(CodecError);
    }
  });
});

describe("a file's budget of whole pages", () => {
  it('streams the pages that do not fit, and gets each whole page back when it is finished', () => {
    const compressed = snappyCompress(Buffer.from(RAW));
    const budget = new WholePageBudget(RAW.length + 1000);
    const first = openPage(CODEC.SNAPPY, regionAround(compressed), compressed.length, RAW.length, { budget });
    const second = openPage(CODEC.SNAPPY, regionAround(compressed), compressed.length, RAW.length, { budget });
    expect(first).toBeInstanceOf(WholePage);
    expect(second).not.toBeInstanceOf(WholePage);
    expect(budget.inUse).toBe(RAW.length);
    expect(Buffer.compare(readAll(second, RAW.length), RAW)).toBe(0);
    expect(Buffer.compare(readAll(first, RAW.length), RAW)).toBe(0);
    expect(budget.inUse).toBe(0);
    expect(openPage(CODEC.SNAPPY, regionAround(compressed), compressed.length, RAW.length, { budget })).toBeInstanceOf(WholePage);
  });

  it('gets a page back when it fails to decompress', () => {
    const budget = new WholePageBudget(1 << 20);
    const garbage = new Uint8Array(1000).fill(7);
    expect(() => openPage(CODEC.ZSTD, regionAround(garbage), garbage.length, 5000, { budget })).toThrow(CodecError);
    expect(budget.inUse).toBe(0);
  });
});
