/**
 * Random streams for the optimizer. The generator itself is core's one PRNG (mulberry32 in
 * metrics/prng.ts); this adds the two things samplers need on top: a small interface with integer and
 * normal draws, and seed derivation so every trial gets its own stream from (study seed, trial number).
 * Independent streams per trial are what make a study's trials independent of batching and workers.
 */
import { mulberry32, standardNormal } from '../metrics/prng.ts';

export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Standard normal. */
  normal(): number;
}

export function createRng(seed: number): Rng {
  const random = mulberry32(seed);
  return {
    float: random,
    int: (maxExclusive: number): number => Math.floor(random() * maxExclusive),
    normal: (): number => standardNormal(random),
  };
}

/**
 * Mixes a seed with integer keys into a new 32-bit seed (murmur3-style mixing per key, then its
 * finaliser), so that nearby keys (trial 7 and trial 8) still get unrelated streams.
 */
export function deriveSeed(seed: number, ...keys: readonly number[]): number {
  let h = (seed ^ 0x9e3779b9) | 0;
  for (const key of keys) {
    let k = Math.imul(key | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
