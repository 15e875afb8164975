/**
 * A small seeded PRNG for reproducible simulations and tests (core has no other). mulberry32 (Tommy
 * Ettinger's 32-bit generator): fast, a full 2^32 period, and the same sequence on every JS engine
 * because it uses only 32-bit integer arithmetic (Math.imul).
 */
export type Random = () => number;

/** Returns a generator of uniform numbers in [0, 1) determined entirely by `seed`. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard normal draw by Box–Muller (the cosine branch only: simpler, and speed is not the point). */
export function standardNormal(random: Random): number {
  // 1 - u keeps the argument of log in (0, 1], so the draw is always finite.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
