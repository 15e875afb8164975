import { checkState, type ModelState } from './base.ts';
import { SortedWindow } from './sortedWindow.ts';

/**
 * Conformal prediction intervals for an online regressor, in the split-conformal manner done
 * prequentially: each absolute residual |y - ŷ| is recorded only after its target is known, and the
 * interval for a new prediction is ŷ ± the ⌈(n + 1)(1 - α)⌉-th smallest of the last n residuals, the
 * finite-sample quantile that gives coverage of at least 1 - α when residuals are exchangeable.
 *
 * Markets are not exchangeable, so two things adapt it (Gibbs & Candès 2021, "Adaptive conformal
 * inference under distribution shift"): the residual window is bounded, so old regimes age out, and the
 * miscoverage level used is nudged after each time step, α_t+1 = α_t + γ (α - err_t), so realised
 * coverage tracks the nominal one even while the residual scale drifts. A time step is a window of
 * outcomes issued together (`observeWindow`), and err_t is the share of them its intervals missed: the
 * outcomes of one window share its market's move, so they miss together, and a step per outcome moved
 * α_t by 50 γ on one bad window of 50, past 0, where every interval is infinite until enough windows pull
 * it back (on GOOG's panel 15 % of the issued 90 % intervals were infinite). The paper's long-run bound,
 * |mean err_t - α| <= (max(α_1, 1 - α_1) + γ) / (γ T) over T steps, needs err_t in [0, 1], not in {0, 1}:
 * its proof keeps α_t in [-γ, 1 + γ] (α_t < 0 gives infinite intervals, err_t = 0, and α_t grows;
 * α_t > 1 gives zero-width ones, which miss almost surely, err_t = 1 and α_t falls) and telescopes
 * α_T+1 - α_1 = γ Σ (α - err_t), both of which hold for a fraction. With windows of equal size the mean
 * of their miss fractions is the miss rate over outcomes, so the bound is on the outcomes' coverage, with
 * T counting windows. Residuals are also kept per stratum (a regime): a stratum with at least
 * `minStratum` residuals gets its own quantile.
 */
export interface ConformalOptions {
  /** Nominal miscoverage: 0.1 for 90 % intervals. */
  readonly alpha: number;
  /** Residuals remembered per stratum (and overall). */
  readonly window?: number;
  /** Step of the adaptive α update, once per window of outcomes (`observe`: a window of one); 0 turns
   *  adaptation off. Gibbs & Candès's 0.005 by default. */
  readonly gamma?: number;
  /** Residuals a stratum needs before it uses its own quantile. */
  readonly minStratum?: number;
}

const KIND = 'conformal';
/** 2: γ steps once per window (1 stepped once per outcome, so a saved α_t means another thing). */
const VERSION = 2;
/** The key of the pool of all residuals (a stratum name cannot start with a NUL). */
const ALL = '\u0000all';

export interface Interval {
  readonly lower: number;
  readonly upper: number;
  /** Half-width: the residual quantile used. */
  readonly halfWidth: number;
  /** Which residuals decided it: a stratum's own, all of them, or none yet (an infinite interval). */
  readonly basis: 'stratum' | 'all' | 'none';
}

export class ConformalIntervals {
  readonly alpha: number;
  readonly window: number;
  readonly gamma: number;
  readonly minStratum: number;
  private alphaT: number;
  /** Residuals per key: the last `window` of them, kept sorted for the quantile. */
  private residuals = new Map<string, SortedWindow>();

  constructor(options: ConformalOptions) {
    this.alpha = options.alpha;
    this.window = options.window ?? 1000;
    this.gamma = options.gamma ?? 0.005;
    this.minStratum = options.minStratum ?? 50;
    if (!(this.alpha > 0 && this.alpha < 1))
      throw new RangeError(`alpha must be in (0, 1), got ${this.alpha}`);
    if (!(Number.isInteger(this.window) && this.window >= 10))
      throw new RangeError(`window must be an integer of at least 10, got ${this.window}`);
    this.alphaT = this.alpha;
  }

  /** The miscoverage level currently used (the adaptive α_t). */
  get currentAlpha(): number {
    return this.alphaT;
  }

  interval(prediction: number, stratum?: string): Interval {
    const own = stratum === undefined ? undefined : this.residuals.get(stratum);
    const useOwn = own !== undefined && own.size >= this.minStratum;
    const pool = useOwn ? own : this.residuals.get(ALL);
    if (!pool || pool.size === 0)
      return { lower: -Infinity, upper: Infinity, halfWidth: Infinity, basis: 'none' };
    const halfWidth = quantileRank(pool, this.alphaT);
    return {
      lower: prediction - halfWidth,
      upper: prediction + halfWidth,
      halfWidth,
      basis: useOwn ? 'stratum' : 'all',
    };
  }

  /**
   * Records the outcome of a prediction made earlier (never before its target window has closed: that
   * is the caller's no-look-ahead duty) and adapts α_t by whether that prediction's interval covered it.
   */
  observe(prediction: number, actual: number, stratum?: string): void {
    this.observeWindow([{ prediction, actual, ...(stratum === undefined ? {} : { stratum }) }]);
  }

  /**
   * Records the outcomes of predictions issued together (one window's, all made before any of them was
   * known): one time step of the adaptive α, by the share of them their intervals missed. Each is judged
   * against the interval it was issued with, so against the residuals and α_t as they stood before this
   * batch: judging the later ones against residuals of the same batch (which share its market) would
   * count misses the issued intervals made as covered, and α_t would stop tracking the realised coverage
   * (the guarantee of Gibbs & Candès holds for the intervals actually issued). Outcomes issued with no
   * residuals yet (infinite intervals, basis 'none') do not count in the share.
   */
  observeWindow(outcomes: readonly { prediction: number; actual: number; stratum?: string }[]): void {
    for (const { prediction, actual } of outcomes) {
      if (!Number.isFinite(prediction) || !Number.isFinite(actual))
        throw new RangeError(`conformal: prediction ${prediction} and actual ${actual} must be finite`);
    }
    const issued = outcomes.map(({ prediction, stratum }) => this.interval(prediction, stratum));
    let judged = 0;
    let missed = 0;
    outcomes.forEach(({ actual }, i) => {
      const { lower, upper, basis } = issued[i]!;
      if (basis === 'none') return;
      judged++;
      if (actual < lower || actual > upper) missed++;
    });
    // Unclamped, as in Gibbs & Candès: α_t <= 0 issues infinite intervals and α_t >= 1 zero-width ones,
    // which pulls it back; a clamp would forget the misses of a window that pushed it past either end,
    // and the realised coverage would no longer track the nominal one.
    if (judged > 0 && this.gamma > 0) this.alphaT += this.gamma * (this.alpha - missed / judged);
    for (const { prediction, actual, stratum } of outcomes) {
      const residual = Math.abs(actual - prediction);
      this.push(ALL, residual);
      if (stratum !== undefined) this.push(stratum, residual);
    }
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      options: { alpha: this.alpha, window: this.window, gamma: this.gamma, minStratum: this.minStratum },
      alphaT: this.alphaT,
      residuals: [...this.residuals].map(([k, r]) => [k, r.values()]),
    };
  }

  static fromState(state: ModelState): ConformalIntervals {
    checkState(state, KIND, VERSION);
    const model = new ConformalIntervals(state.options as ConformalOptions);
    model.alphaT = state.alphaT as number;
    for (const [key, list] of state.residuals as [string, number[]][])
      model.residuals.set(key, SortedWindow.of(model.window, list));
    return model;
  }

  private push(key: string, residual: number): void {
    let window = this.residuals.get(key);
    if (!window) {
      window = new SortedWindow(this.window);
      this.residuals.set(key, window);
    }
    window.push(residual);
  }
}

/** The ⌈(n + 1)(1 - α)⌉-th smallest residual; infinite when that rank exceeds n (too few residuals). */
function quantileRank(sorted: SortedWindow, alpha: number): number {
  const n = sorted.size;
  const rank = Math.ceil((n + 1) * (1 - alpha));
  if (rank > n) return Infinity;
  if (rank < 1) return 0;
  return sorted.kth(rank);
}
