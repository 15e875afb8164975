/**
 * Seeded randomness for simulations, synthetic data and tests. The generator is mulberry32 (32-bit state,
 * period 2^32): only 32-bit integer arithmetic (Math.imul), so a seed gives the same sequence on every JS
 * engine. It is core's one generator: the synthetic market, engine fixtures, metrics tests and the
 * optimizer all draw from it.
 * Normal draws use Box-Muller with both outputs used (the second is cached), which halves the log/sqrt
 * cost per draw. Use `deriveSeed` to give each symbol / trial / worker its own independent stream.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Standard normal. */
  normal(): number;
}

class Mulberry32 implements Rng {
  private state: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.float() * maxExclusive);
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 1 - u keeps the log argument in (0, 1], so draws are always finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.float()));
    const angle = 2 * Math.PI * this.float();
    this.spare = radius * Math.sin(angle);
    this.hasSpare = true;
    return radius * Math.cos(angle);
  }
}

/** A generator whose whole sequence is determined by `seed` (any number; used modulo 2^32). */
export function createRng(seed: number): Rng {
  return new Mulberry32(seed);
}

/**
 * Mixes a seed with integer keys into a new 32-bit seed (murmur3-style mixing per key, then its
 * finaliser), so nearby keys (symbol 3 and symbol 4) still get unrelated streams.
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
