// A streamed zstd page must not keep the compressed bytes it has read: memory stays at the decoder's window and
// one block, however long the page (fzstd 0.1.1 kept every block it was fed; see zstd-push-decoder.ts).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileRegion } from '../byte-streams';
import { memoryInput } from '../../io/random-access-input';
import { SeededRandom } from '../../synthetic/random';
import { CODEC, openPage } from '.';
import { ZstdPushDecoder } from './zstd-push-decoder';
import { ZstdUnits } from './zstd-units';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes that zstd can barely compress (random bytes with runs), so the compressed page is about as large. */
function noisy(bytes: number): Uint8Array {
  const random = new SeededRandom(7);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = random.next() < 0.1 ? 0 : Math.floor(random.next() * 256);
  return out;
}

const MIB = 2 ** 20;

describe('a streamed zstd page', () => {
  it('holds no compressed input it has decoded, however many blocks it is fed', () => {
    const raw = noisy(6 * MIB);
    const compressed = new Uint8Array(zlib.zstdCompressSync(raw)); // slice() then copies, as a file region's does
    const units = new ZstdUnits();
    const decoder = new ZstdPushDecoder(() => undefined);
    let at = 0;
    let pushes = 0;
    while (at < compressed.length) {
      const n = units.next((k) => compressed.subarray(at, at + k));
      decoder.push(compressed.slice(at, at + n), at + n === compressed.length);
      at += n;
      pushes++;
      // at most the chunk just pushed (a frame header waits for its first block), never an older one
      expect(decoder.retainedInputBytes()).toBeLessThanOrEqual(n);
    }
    expect(pushes).toBeGreaterThan(40); // one block (≤ 128 KiB) per push
  });

  it('keeps memory flat while a 40 MiB page is read (no growth with the bytes read)', () => {
    const size = 40 * MIB;
    const raw = noisy(size);
    const compressed = zlib.zstdCompressSync(raw);
    expect(compressed.length).toBeGreaterThan(30 * MIB); // a page the old decoder would have kept whole
    const region = new FileRegion(memoryInput(compressed), 0, compressed.length);
    const page = openPage(CODEC.ZSTD, region, compressed.length, size); // over WHOLE_PAGE_BYTES: streamed
    gc();
    const before = process.memoryUsage().arrayBuffers;
    let read = 0;
    const step = 1 << 20;
    let mismatch = -1;
    let peakGrowth = 0;
    while (read < size) {
      page.ensure(step);
      const window = page.buf.subarray(page.pos, page.pos + step);
      if (mismatch < 0 && Buffer.compare(window, raw.subarray(read, read + step)) !== 0) mismatch = read;
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
    // the decoder's 8 MiB window, one block and the pull buffer; the leak held the 30+ MiB read so far
    expect(peakGrowth / MIB).toBeLessThan(16);
  });
});
