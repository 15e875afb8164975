/**
 * Monte Carlo robustness of a result (issue 15 item 8): how much of a backtest's equity path and drawdown
 * is luck of ordering. Two resamplers share one path evaluator:
 * - trade-order shuffles permute the closed trades' returns (the final compounded equity is the same in
 *   every resample; only the path, hence drawdown and ruin, changes);
 * - a stationary bootstrap (Politis & Romano 1994) of period returns with circular wrap: blocks of
 *   geometric length, mean `blockLength`, keep short-range dependence (volatility clustering) that an
 *   i.i.d. resample would destroy.
 * Everything is seeded with core's one generator, so a seed gives the same bands on every machine. The
 * inner loops write into arrays allocated once per call.
 */
import { createRng, type Rng } from '../math/random.ts';

/** The percentiles every band reports, in this order. */
export const BAND_PERCENTILES: readonly number[] = [0.05, 0.25, 0.5, 0.75, 0.95];

export interface MonteCarloOptions {
  /** Number of resampled paths (default 1,000). */
  readonly resamples?: number;
  /** Seed of the resampler (default 1). */
  readonly seed?: number;
  /** Drawdown depth, as a fraction of the running peak, whose exceedance probability is reported (default 0.2). */
  readonly drawdownDepth?: number;
  /** Ruin is equity falling below this fraction of the starting equity at any point (default 0.5). */
  readonly ruinFloor?: number;
}

export interface BootstrapOptions extends MonteCarloOptions {
  /** Mean block length in periods (default round(n^(1/3)), at least 1). */
  readonly blockLength?: number;
}

export interface RobustnessResult {
  readonly resamples: number;
  /** BAND_PERCENTILES, repeated so the result is self-describing. */
  readonly percentiles: readonly number[];
  /**
   * One equity path per percentile, each of length n + 1 starting at 1: pointwise percentiles across
   * resamples (so a band is not itself one resampled path).
   */
  readonly equityBands: readonly Float64Array[];
  /**
   * One drawdown path per percentile, each of length n + 1 starting at 0: at each step, the fall from
   * that resample's running peak, signed as the maxDrawdown metric is (-0.2 is 20 % below the peak,
   * -1..0), at the percentile's worst: band b is the BAND_PERCENTILES[b]-th percentile worst, so p95 is
   * the most negative. The band shows when in the run deep drawdowns are likely, not only how deep the
   * worst one gets.
   */
  readonly drawdownBands: readonly Float64Array[];
  /**
   * Maximum drawdown at each percentile, signed as the maxDrawdown metric (-1..0) and read from the
   * worst tail as drawdownBands are: the p95 entry is the 95th-percentile worst, deeper than 95 % of
   * resamples' (the most negative), while the p95 equity band is the 95th-percentile best.
   */
  readonly maxDrawdownBands: readonly number[];
  /** Share of resamples whose maximum drawdown is deeper than `drawdownDepth` (below -drawdownDepth). */
  readonly probDrawdownBeyond: number;
  /** Share of resamples whose equity fell below `ruinFloor` at some point. */
  readonly probRuin: number;
  readonly drawdownDepth: number;
  readonly ruinFloor: number;
  /** The mean block length used (bootstrap only). */
  readonly blockLength?: number;
}

interface Settings {
  readonly resamples: number;
  readonly seed: number;
  readonly drawdownDepth: number;
  readonly ruinFloor: number;
}

function fail(field: string, expected: string, got: unknown): never {
  throw new RangeError(`robustness: ${field} must be ${expected}, got ${String(got)}`);
}

function checkReturns(field: string, returns: ArrayLike<number>): void {
  if (returns.length === 0) fail(field, 'a non-empty list of returns', 'an empty list');
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    // A return below -1 would make equity negative, which no position can lose.
    if (!Number.isFinite(r) || r < -1) fail(`${field}[${i}]`, 'a finite return >= -1', r);
  }
}

/** The checked settings of a run over `returns` (named `field` in errors). */
function settingsOf(field: string, returns: ArrayLike<number>, options: MonteCarloOptions): Settings {
  checkReturns(field, returns);
  const { resamples = 1000, seed = 1, drawdownDepth = 0.2, ruinFloor = 0.5 } = options;
  if (!Number.isInteger(resamples) || resamples < 1) fail('resamples', 'an integer >= 1', resamples);
  if (!Number.isFinite(seed)) fail('seed', 'a finite number', seed);
  if (!(drawdownDepth > 0 && drawdownDepth < 1)) fail('drawdownDepth', 'a fraction in (0, 1)', drawdownDepth);
  if (!(ruinFloor > 0 && ruinFloor < 1)) fail('ruinFloor', 'a fraction in (0, 1)', ruinFloor);
  return { resamples, seed, drawdownDepth, ruinFloor };
}

/** Compounds `returns` into `equity` (length n + 1, equity[0] = 1); returns the maximum drawdown. */
export function compoundPath(returns: ArrayLike<number>, equity: Float64Array): number {
  let value = 1;
  let peak = 1;
  let maxDrawdown = 0;
  equity[0] = 1;
  for (let i = 0; i < returns.length; i++) {
    value *= 1 + returns[i];
    equity[i + 1] = value;
    if (value > peak) peak = value;
    else {
      const drawdown = 1 - value / peak;
      if (drawdown > maxDrawdown) maxDrawdown = drawdown;
    }
  }
  return maxDrawdown;
}

/** The q-quantile of an ascending `sorted`, interpolated linearly as numpy's default. */
function sortedQuantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The q-quantile of ascending drawdown depths (0..1) as a signed drawdown (-1..0), the maxDrawdown
 * metric's sign: q = 0.95 gives the 95th-percentile worst. `0 - x`, not `-x`: no depth of 0 becomes -0
 * (which prints "-0.00%").
 */
function signedDrawdownQuantile(sortedDepths: Float64Array, q: number): number {
  return 0 - sortedQuantile(sortedDepths, q);
}

/**
 * Pointwise BAND_PERCENTILES bands of `resamples` equity paths of `width` points each, stored
 * resample-major in `paths`: fills `equityBands[b]` with the percentile of equity at each step and
 * `drawdownBands[b]` with the percentile worst of the fall from each path's own running peak, signed
 * (value / peak - 1), at each step. Scratch is allocated once per call; the loops over steps allocate nothing.
 */
export function pathBands(
  paths: Float64Array,
  resamples: number,
  width: number,
  equityBands: readonly Float64Array[],
  drawdownBands: readonly Float64Array[],
): void {
  const column = new Float64Array(resamples);
  const fall = new Float64Array(resamples);
  // Steps are walked in order, so each path's running peak is carried from one step to the next.
  const peaks = new Float64Array(resamples).fill(-Infinity);
  for (let i = 0; i < width; i++) {
    for (let s = 0; s < resamples; s++) {
      const value = paths[s * width + i];
      if (value > peaks[s]) peaks[s] = value;
      column[s] = value;
      fall[s] = 1 - value / peaks[s];
    }
    column.sort();
    fall.sort();
    for (let b = 0; b < BAND_PERCENTILES.length; b++) {
      equityBands[b][i] = sortedQuantile(column, BAND_PERCENTILES[b]);
      drawdownBands[b][i] = signedDrawdownQuantile(fall, BAND_PERCENTILES[b]);
    }
  }
}

/**
 * Runs `settings.resamples` paths of `n` returns, each drawn into `path` by `draw`, and summarises them.
 * Paths are stored resample-major in one matrix so the pointwise bands need no per-step allocation.
 */
function simulate(
  n: number,
  settings: Settings,
  draw: (rng: Rng, path: Float64Array) => void,
  blockLength?: number,
): RobustnessResult {
  const { resamples, drawdownDepth, ruinFloor } = settings;
  const rng = createRng(settings.seed);
  const width = n + 1;
  const paths = new Float64Array(resamples * width);
  const drawdowns = new Float64Array(resamples);
  const path = new Float64Array(n);
  let beyond = 0;
  let ruined = 0;
  for (let s = 0; s < resamples; s++) {
    draw(rng, path);
    const equity = paths.subarray(s * width, (s + 1) * width);
    const drawdown = compoundPath(path, equity);
    drawdowns[s] = drawdown;
    if (drawdown > drawdownDepth) beyond++;
    for (let i = 1; i < width; i++) {
      if (equity[i] < ruinFloor) {
        ruined++;
        break;
      }
    }
  }
  const equityBands = BAND_PERCENTILES.map(() => new Float64Array(width));
  const drawdownBands = BAND_PERCENTILES.map(() => new Float64Array(width));
  pathBands(paths, resamples, width, equityBands, drawdownBands);
  drawdowns.sort();
  return {
    resamples,
    percentiles: BAND_PERCENTILES,
    equityBands,
    drawdownBands,
    maxDrawdownBands: BAND_PERCENTILES.map((q) => signedDrawdownQuantile(drawdowns, q)),
    probDrawdownBeyond: beyond / resamples,
    probRuin: ruined / resamples,
    drawdownDepth,
    ruinFloor,
    ...(blockLength === undefined ? {} : { blockLength }),
  };
}

/** Monte Carlo over the order of closed trades: each resample is a uniform permutation of `tradeReturns`. */
export function shuffleTrades(
  tradeReturns: ArrayLike<number>,
  options: MonteCarloOptions = {},
): RobustnessResult {
  const settings = settingsOf('tradeReturns', tradeReturns, options);
  const n = tradeReturns.length;
  const order = Float64Array.from(tradeReturns);
  return simulate(n, settings, (rng, path) => {
    // Fisher-Yates on the previous permutation is still uniform, and saves a copy per resample.
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    path.set(order);
  });
}

/** The default mean block length for n periods: n^(1/3), the rate that balances bias and variance. */
export function defaultBlockLength(n: number): number {
  return Math.max(1, Math.round(Math.cbrt(n)));
}

/**
 * Stationary bootstrap of period (e.g. daily) returns: each step continues the current block with
 * probability 1 - 1/blockLength (wrapping circularly past the end) or starts a new one at a uniform index.
 */
export function blockBootstrap(
  periodReturns: ArrayLike<number>,
  options: BootstrapOptions = {},
): RobustnessResult {
  const settings = settingsOf('periodReturns', periodReturns, options);
  const n = periodReturns.length;
  const blockLength = options.blockLength ?? defaultBlockLength(n);
  if (!Number.isInteger(blockLength) || blockLength < 1 || blockLength > n) {
    fail('blockLength', `an integer in [1, ${n}] (the number of returns)`, blockLength);
  }
  const restart = 1 / blockLength;
  return simulate(
    n,
    settings,
    (rng, path) => {
      let at = rng.int(n);
      path[0] = periodReturns[at];
      for (let i = 1; i < n; i++) {
        at = rng.float() < restart ? rng.int(n) : at + 1 === n ? 0 : at + 1;
        path[i] = periodReturns[at];
      }
    },
    blockLength,
  );
}
