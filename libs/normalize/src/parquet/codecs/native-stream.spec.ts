// A page streamed through node:zlib's native decoders: the synchronous handle it drives exists on this Node, memory
// stays flat however long the page, one call never writes more than the buffer's room (a bomb cannot burst), every
// frame of a zstd page is held to the window bound, and the decoder is closed once the page is over or broken.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileRegion } from '../byte-streams';
import { memoryInput } from '../../io/random-access-input';
import { SeededRandom } from '../../synthetic/random';
import { CODEC, CodecError, openPage } from '.';
import { NativeStream, nativeDecoderSurface } from './native-stream';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MIB = 2 ** 20;

/** Bytes that barely compress (random 32-bit words, one in eight zero), so the compressed page is about as large. */
function noisy(bytes: number): Uint8Array {
  const random = new SeededRandom(7);
  const words = new Uint32Array(Math.ceil(bytes / 4));
  for (let i = 0; i < words.length; i++) words[i] = random.next() < 0.125 ? 0 : Math.floor(random.next() * 2 ** 32);
  return new Uint8Array(words.buffer, 0, bytes);
}

function regionOf(bytes: Uint8Array): FileRegion {
  return new FileRegion(memoryInput(bytes), 0, bytes.length);
}

const COMPRESS = {
  zstd: [CODEC.ZSTD, (raw: Uint8Array) => zlib.zstdCompressSync(raw)],
  gzip: [CODEC.GZIP, (raw: Uint8Array) => zlib.gzipSync(raw, { level: 1 })],
  brotli: [CODEC.BROTLI, (raw: Uint8Array) => zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } })],
} as const;

describe("node:zlib's synchronous decoder handle", () => {
  it.each(['zstd', 'gzip', 'zlib', 'brotli'] as const)('has the shape NativeStream drives (%s)', (codec) => {
    expect(nativeDecoderSurface(codec)).toBe(true);
  });
});

describe.each(Object.entries(COMPRESS))('a streamed %s page', (_, [codec, compress]) => {
  it('keeps memory flat while a 32 MiB page is read (no growth with the bytes read)', { timeout: 30_000 }, () => {
    const size = 32 * MIB;
    const raw = noisy(size);
    const compressed = compress(raw);
    expect(compressed.length).toBeGreaterThan(24 * MIB);
    const page = openPage(codec, regionOf(compressed), compressed.length, size); // over WHOLE_PAGE_BYTES: streamed
    expect(page).toBeInstanceOf(NativeStream);
    gc();
    const before = process.memoryUsage().arrayBuffers;
    let read = 0;
    const step = MIB;
    let mismatch = -1;
    let peakGrowth = 0;
    while (read < size) {
      page.ensure(step);
      if (mismatch < 0 && Buffer.compare(page.buf.subarray(page.pos, page.pos + step), raw.subarray(read, read + step)) !== 0) mismatch = read;
      page.pos += step;
      read += step;
      if (read % (8 * MIB) === 0) {
        gc();
        gc(); // twice: array buffers are swept after the first
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - before);
      }
    }
    page.finish();
    expect(mismatch).toBe(-1);
    // the region's 1 MiB slice and the pull buffer; the page itself is 24+ MiB
    expect(peakGrowth / MIB).toBeLessThan(6);
  });

  it('inflates a bomb no faster than the reader asks: the buffer stays at its windows', () => {
    const size = 256 * MIB;
    const bomb = compress(new Uint8Array(size));
    expect(bomb.length).toBeLessThan(2 * MIB);
    const page = openPage(codec, regionOf(bomb), bomb.length, size);
    let largest = 0;
    for (let read = 0; read < 8 * MIB; read += 1 << 16) {
      page.ensure(1 << 16);
      page.pos += 1 << 16;
      largest = Math.max(largest, page.buf.length, page.end - page.pos);
    }
    expect(largest).toBeLessThanOrEqual(MIB);
  });

  it('closes its decoder when the page is over, and refuses to be read after', () => {
    const raw = noisy(64 * 1024);
    const compressed = compress(raw);
    const page = openPage(codec, regionOf(compressed), compressed.length, raw.length, { wholePageBytes: 1024 });
    page.ensure(raw.length);
    page.pos += raw.length;
    page.finish();
    expect(() => page.finish()).toThrow(/decoder is closed/);
  });

  it('closes its decoder on corrupt data, and a second read is refused, not a crash', () => {
    const raw = noisy(2 * MIB);
    const compressed = Uint8Array.from(compress(raw));
    for (let i = compressed.length >> 2; i < compressed.length; i += 97) compressed[i] ^= 0x5a;
    const page = openPage(codec, regionOf(compressed), compressed.length, raw.length, { wholePageBytes: 1024 });
    const read = () => {
      for (let done = 0; done < raw.length; done += 1 << 16) {
        page.ensure(1 << 16);
        page.pos += 1 << 16;
      }
      page.finish();
    };
    expect(read).toThrow(CodecError);
    expect(read).toThrow(CodecError);
  });
});

describe('a streamed page cut short after its last byte of data', () => {
  it.each([
    ['gzip', CODEC.GZIP, (raw: Uint8Array) => zlib.gzipSync(raw), 8], // the CRC-32 and the size
    ['zlib', CODEC.GZIP, (raw: Uint8Array) => zlib.deflateSync(raw), 4], // the Adler-32
    ['zstd', CODEC.ZSTD, (raw: Uint8Array) => zlib.zstdCompressSync(raw, { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } }), 4], // the checksum
  ] as const)('is corrupt: %s without its trailer', (_, codec, compress, trailer) => {
    const raw = noisy(100_000);
    const whole = compress(raw);
    const cut = whole.subarray(0, whole.length - trailer);
    for (const wholePageBytes of [1024, Infinity]) {
      expect(() => {
        const page = openPage(codec, regionOf(cut), cut.length, raw.length, { wholePageBytes });
        page.ensure(raw.length);
        page.pos += raw.length;
        page.finish();
      }).toThrow(CodecError);
    }
  });
});

describe('a streamed zstd page of several frames', () => {
  it('holds every frame to the window bound, not only the first', () => {
    const first = zlib.zstdCompressSync(noisy(4096));
    const frame = zlib.zstdCompressSync(noisy(4096)); // descriptor 0x60: single segment, a 2-byte content size
    expect(frame[4]).toBe(0x60);
    /** The same block behind a header without a content size that asks for a 2^exponent-byte window. */
    const asking = (exponent: number) => Buffer.concat([frame.subarray(0, 4), Uint8Array.from([0x00, (exponent - 10) << 3]), frame.subarray(7)]);
    // 32 MiB: over the 8 MiB bound a small page gets, under node:zlib's own default of 128 MiB
    for (const [exponent, fails] of [
      [13, false],
      [25, true],
    ] as const) {
      const page = Buffer.concat([first, asking(exponent)]);
      const stream = openPage(CODEC.ZSTD, regionOf(page), page.length, 8192, { wholePageBytes: 1024 });
      const read = () => {
        stream.ensure(8192);
        stream.pos += 8192;
        stream.finish();
      };
      if (fails) expect(read).toThrow(/zstd: Frame requires too much memory/);
      else expect(read).not.toThrow();
    }
  });
});

describe.each([
  ['gzip', (raw: Uint8Array) => zlib.gzipSync(raw)],
  ['zlib', (raw: Uint8Array) => zlib.deflateSync(raw)],
])('bytes after the end of a %s page, streamed or whole', (_, compress) => {
  const raw = noisy(100_000);
  const member = compress(raw);
  const read = (page: Uint8Array, wholePageBytes: number) => {
    const stream = openPage(CODEC.GZIP, regionOf(page), page.length, raw.length, { wholePageBytes });
    stream.ensure(raw.length);
    const out = Buffer.from(stream.buf.subarray(stream.pos, stream.pos + raw.length));
    stream.pos += raw.length;
    stream.finish();
    return out;
  };

  it.each([1024, Infinity])('zeros are padding, as node:zlib takes them (whole above %d bytes)', (wholePageBytes) => {
    expect(Buffer.compare(read(Buffer.concat([member, new Uint8Array(300)]), wholePageBytes), raw)).toBe(0);
  });

  it.each([1024, Infinity])('anything else is corrupt (whole above %d bytes)', (wholePageBytes) => {
    expect(() => read(Buffer.concat([member, new Uint8Array(300).fill(0x41)]), wholePageBytes)).toThrow(CodecError);
  });
});
