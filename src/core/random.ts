/**
 * Seeded pseudo-random numbers shared by every part of core that needs reproducible randomness
 * (optimizer samplers, bootstrap and combinatorial statistics, synthetic markets). One generator for
 * the whole codebase so that "same seed, same result" means the same thing everywhere.
 *
 * The generator is mulberry32: 32 bits of state, fast, and good enough for sampling (it is not
 * cryptographic). Its whole state is one integer, so a stream can be persisted and resumed exactly.
 */

/** A stream of uniform numbers with a few derived distributions. */
export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Standard normal (Box-Muller; one draw per call so the stream position stays simple to reason about). */
  normal(): number;
  /** The current 32-bit state; `createRng(state)` continues the same stream. */
  readonly state: number;
}

/** mulberry32 step: advances `state` and returns the next uniform in [0, 1). */
function mulberry32Next(state: number): { state: number; value: number } {
  const s = (state + 0x6d2b79f5) | 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: s, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

export function createRng(seed: number): Rng {
  let state = seed | 0;
  const float = (): number => {
    const step = mulberry32Next(state);
    state = step.state;
    return step.value;
  };
  return {
    float,
    int: (maxExclusive: number): number => Math.floor(float() * maxExclusive),
    normal: (): number => {
      // 1 - u keeps the logarithm's argument in (0, 1].
      const u = 1 - float();
      const v = float();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    get state(): number {
      return state;
    },
  };
}

/**
 * Mixes a seed with any number of integer keys into a new 32-bit seed (murmur3 finaliser per key).
 * Used to give each independent unit of work (a trial number, a bootstrap replicate) its own stream,
 * so results do not depend on the order or the batching in which those units are computed.
 */
export function deriveSeed(seed: number, ...keys: readonly number[]): number {
  let h = (seed ^ 0x9e3779b9) | 0;
  for (const key of keys) {
    let k = Math.imul(key | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    // Keys beyond 32 bits (large trial numbers never are, but timestamps could be) fold in their high part.
    const high = Math.floor(key / 4294967296) | 0;
    if (high !== 0) h = Math.imul(h ^ high, 0x85ebca6b);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
