import { allocateBars, type Bars } from '../data/bars.ts';
import { createRng } from '../math/random.ts';

export interface RandomWalkOptions {
  /** First open. */
  start?: number;
  /** Standard deviation of the log return per bar. */
  volatility?: number;
  /** Bar spacing in milliseconds (one minute by default). */
  stepMs?: number;
  /** Probability of a gap at a bar's open (open away from the previous close), to exercise gap fills. */
  gapProbability?: number;
}

/**
 * A seeded geometric random walk with consistent OHLCV (low <= open, close <= high), for the engine's
 * tests and benchmark: reproducible from the seed, with occasional gaps and volume spikes so every
 * order type and confirmation signal gets exercised. Not a market model (that lives in core/data).
 */
export function randomWalkBars(n: number, seed: number, options: RandomWalkOptions = {}): Bars {
  const rng = createRng(seed);
  const bars = allocateBars(n);
  const volatility = options.volatility ?? 0.002;
  const stepMs = options.stepMs ?? 60_000;
  const gapProbability = options.gapProbability ?? 0.01;
  let previousClose = options.start ?? 100;
  // A slowly changing drift gives trends long enough for moving-average crosses to mean something.
  let drift = 0;
  for (let i = 0; i < n; i++) {
    if (i % 200 === 0) drift = rng.normal() * volatility * 0.1;
    const gap =
      rng.float() < gapProbability ? rng.normal() * volatility * 5 : rng.normal() * volatility * 0.1;
    const open = previousClose * Math.exp(gap);
    const close = open * Math.exp(drift + rng.normal() * volatility);
    const high = Math.max(open, close) * Math.exp(Math.abs(rng.normal()) * volatility * 0.5);
    const low = Math.min(open, close) * Math.exp(-Math.abs(rng.normal()) * volatility * 0.5);
    bars.t[i] = 1_700_000_000_000 + i * stepMs;
    bars.o[i] = open;
    bars.h[i] = high;
    bars.l[i] = low;
    bars.c[i] = close;
    bars.v[i] = Math.round(1000 * Math.exp(rng.normal() * 0.5 + (rng.float() < 0.05 ? 1.5 : 0)));
    previousClose = close;
  }
  return bars;
}
