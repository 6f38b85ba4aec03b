// One fuzz case from one 32-bit seed: which valid file (dataset, codec, page layout) and which mutation. The seed
// alone replays it (`npm run fuzz -- --case <seed>`); a campaign's cases are derived from its own seed.
import type { DecodeLimits } from '../parquet/limits';
import { SeededRandom } from '../synthetic/random';
import { type BaseKey, FUZZ_CODECS, FUZZ_DATASETS, FUZZ_PAGE_LAYOUTS, baseFile, baseName } from './base-files';
import { type MutationLimits, mutators } from './mutations';
import { anatomyOf } from './parquet-anatomy';

export interface FuzzCase {
  seed: number;
  base: BaseKey;
  /** The mutation's kind and exactly what it changed. */
  kind: string;
  detail: string;
  bytes: Uint8Array;
  /** Why only a permanent error is right for this file (see Mutation.mustFail). */
  mustFail?: string;
  /**
   * Every page streamed (no page decompressed whole: DecodeLimits' wholePagesPerFileBytes 0), so that the streaming
   * decoders (codecs/NativeStream, SnappyStream) meet the mutations too: the base files' pages are all small.
   */
  streamed: boolean;
}

export const DEFAULT_LIMITS: MutationLimits = { maxNesting: 1_000_000 };

const BASES: BaseKey[] = FUZZ_DATASETS.flatMap((dataset) =>
  FUZZ_CODECS.flatMap((codec) => FUZZ_PAGE_LAYOUTS.map((pages) => ({ dataset, codec, pages }))),
);

/**
 * A seed picks its base file and mutation kind by its remainders: `seed % slots` the kind (each kind has as many
 * slots as its weight), `floor(seed / slots) % bases` the base. So a campaign can walk through every kind and every
 * base in its first cases, and a seed alone still says everything. Whether its pages are streamed is the parity of
 * the seed's hashed part, `floor(seed / (slots × bases))`.
 */
function slotsOf(limits: MutationLimits) {
  return mutators(limits).flatMap((m) => Array.from({ length: m.weight }, () => m.mutate));
}

/** The seed of case `index` of the campaign seeded `campaignSeed`: a hash, with the remainders of the index. */
export function caseSeed(campaignSeed: number, index: number, limits: MutationLimits = DEFAULT_LIMITS): number {
  let h = Math.imul(campaignSeed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  const slots = slotsOf(limits).length;
  const period = slots * BASES.length;
  const high = Math.floor(((h ^ (h >>> 16)) >>> 0) / period);
  return high * period + (index % slots) + slots * (index % BASES.length);
}

export function makeCase(seed: number, limits: MutationLimits = DEFAULT_LIMITS): FuzzCase {
  const slots = slotsOf(limits);
  const mutate = slots[seed % slots.length];
  const base = BASES[Math.floor(seed / slots.length) % BASES.length];
  const random = new SeededRandom(seed);
  const file = baseFile(base);
  const anatomy = anatomyOf(file);
  const mutation = mutate(file, anatomy, random);
  const streamed = Math.floor(seed / (slots.length * BASES.length)) % 2 === 1;
  return { seed, base, kind: mutation.kind, detail: mutation.detail, bytes: mutation.bytes, mustFail: mutation.mustFail, streamed };
}

/** What the decoder is told for a case: every page streamed, or the defaults. */
export function caseLimits(c: Pick<FuzzCase, 'streamed'>): Partial<DecodeLimits> {
  return c.streamed ? { wholePagesPerFileBytes: 0 } : {};
}

export function describeCase(c: Pick<FuzzCase, 'seed' | 'base' | 'kind' | 'detail' | 'streamed'>): string {
  return `seed ${c.seed}: ${baseName(c.base)}${c.streamed ? ', pages streamed' : ''}, ${c.kind}: ${c.detail}`;
}
