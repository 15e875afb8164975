import { inferAssetCalendar } from '../../data/assetCalendar.ts';
import type { Bars } from '../../data/bars.ts';
import { etDays, sessionOnDays } from '../../data/calendar.ts';
import { runBacktest, type BacktestOptions } from '../../engine/index.ts';
import { computeMetrics, type ClosedTrades, type Metrics } from '../../metrics/metrics.ts';
import { Study } from '../../optimize/study.ts';
import { barsPerYear } from '../../regime/compare.ts';
import type { Params, SearchSpace } from '../../optimize/space.ts';
import { getStrategy } from '../../strategy/index.ts';
import type { StrategyParams } from '../../strategy-api/types.ts';
import type { Features } from '../base.ts';
import { marketContextFeatures, pastPerformanceFeatures } from '../features.ts';
import { learnerSpace, marketRegime, regimeName, spaceFeatures } from './ledger.ts';

/**
 * Walk-forward windows with many parameter sets each: what the learner's evaluation and its bench learn
 * from, as the ledger would hold them had each set been tested on each window. Every set runs once over
 * all the bars (as a bot that never stops would), and each window's slice of its equity is that set's
 * result there; consecutive windows of `windowBars` bars follow one another, so a window's result is
 * known exactly when the next window opens.
 */
export interface PanelOptions {
  readonly strategy: string;
  /** The sets are drawn from this space (random sampler, constraints kept). */
  readonly space: SearchSpace;
  readonly sets: number;
  readonly seed: number;
  readonly windowBars: number;
  /** The bars' timeframe for the regime detector ('native': guessed from the spacing). */
  readonly timeframe: string;
  /** Cash and costs of every set's run: a backtest's at the trader's settings, so scores are after costs. */
  readonly backtest?: BacktestOptions;
  /**
   * Annual risk-free rate (0.04 for 4 %) each window's score is measured over, as a backtest's Sharpe
   * ratio is: compounded to one bar of these bars (barRiskFree). 0 by default.
   */
  readonly riskFreeRate?: number;
  /** The sets to run, in place of `sets` drawn at random (a comparison's own candidates). */
  readonly candidates?: readonly Params[];
  /** A bar some window starts at (the windows are shifted onto it), so they line up with a caller's. */
  readonly anchor?: number;
  /**
   * Intraday equity bars only (ignored for day bars, FX and crypto): the session rule. Each window then
   * opens at a session's open, the regular one (09:30 New York) or, extended, the trading day's first
   * bar, and holds that session's first `windowBars` bars (fewer on a shorter day), so every window sees
   * the same hours of the day and none spans an overnight gap; `anchor` does not apply. Absent: windows
   * are consecutive runs of `windowBars` bars wherever they fall in the day.
   */
  readonly session?: 'regular' | 'extended';
}

/** Bars in a window by timeframe: about a trading day intraday, a month of days. */
const WINDOW_BARS: Readonly<Record<string, number>> = { '1m': 390, '5m': 78, '15m': 26, '1h': 7, '1d': 21 };

/** The window the learner predicts over by default at a timeframe (a month of days where none is known). */
export function defaultWindowBars(timeframe: string): number {
  return WINDOW_BARS[timeframe] ?? 21;
}

export interface PanelRow {
  readonly params: Params;
  /** θ, the market at the window's start, θ's previous window (all read before the window opens). */
  readonly features: Features;
  /**
   * The set's Sharpe ratio over the window's bars after its costs (per-bar returns over the per-bar
   * risk-free rate, scaled by √bars: a window t-like score).
   */
  readonly score: number;
  /** Its score in the previous window (the persistence baseline's prediction); null in the first. */
  readonly previousScore: number | null;
  /** 1 (worst fifth) to 5 (best fifth) among the sets in this window. */
  readonly quintile: number;
}

export interface PanelWindow {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly startTime: number;
  /** The first bar whose return its scores count (a session window's first return crosses the gap). */
  readonly scoredFrom: number;
  /** The risk-free return of one bar its scores are measured over (the panel's rate; see barRiskFree). */
  readonly riskFreePerBar: number;
  /** The regime at the window's start (its stratum) and at its end (what the next window starts in). */
  readonly regime: string | null;
  readonly nextRegime: string | null;
  /** Market features at the window's start (the regime forecaster's input). */
  readonly context: Features;
  readonly rows: readonly PanelRow[];
}

export function windowPanel(bars: Bars, options: PanelOptions): PanelWindow[] {
  const definition = getStrategy(options.strategy);
  const n = bars.t.length;
  const L = options.windowBars;
  if (!(Number.isInteger(L) && L >= 5))
    throw new RangeError(`panel: windowBars must be an integer >= 5, got ${L}`);
  const sets =
    options.candidates ??
    new Study({
      space: options.space,
      sampler: { kind: 'random' },
      objectives: [{ metric: 'score', direction: 'maximize' }],
      seed: options.seed,
      maxTrials: options.sets,
    })
      .ask(options.sets)
      .map((trial) => trial.params);
  const runs = sets.map((params) => {
    const run = runBacktest(bars, definition, params as StrategyParams, options.backtest ?? {});
    return { equity: Float64Array.from(run.equity), trades: run.trades, start: run.startIndex };
  });
  const market = marketRegime(bars, options.timeframe);
  const space = learnerSpace(options.strategy);
  // Windows start once every set is past its warm-up and the regime detector has labels.
  const ready = Math.max(1, ...runs.map((r) => r.start + 1));
  const aligned =
    options.session !== undefined && market.intraday && inferAssetCalendar(bars.t) === 'equities';
  const bounds = aligned
    ? sessionWindows(bars.t, L, options.session!).filter((w) => w.start >= ready)
    : consecutiveWindows(n, L, ready, options.anchor);
  const windows: PanelWindow[] = [];
  const previous: (Metrics | undefined)[] = sets.map(() => undefined);
  const previousScores: (number | null)[] = sets.map(() => null);
  const standing = new StandingTracker(sets.map((params) => spaceFeatures(params, space)));
  const riskFreePerBar = barRiskFree(bars.t, options.riskFreeRate ?? 0);
  for (const [index, { start, end }] of bounds.entries()) {
    // A session window's first return runs from the last close before the gap: the window's own
    // returns begin at its second bar.
    const from = aligned ? start + 1 : start;
    const context = marketContextFeatures(bars, market.regime, market.regimeInputs, start, market.intraday);
    const scores = runs.map((r) => windowSharpe(r.equity, from, end, riskFreePerBar));
    const quintiles = quintilesOf(scores);
    const rows = sets.map((params, j) => ({
      params,
      features: {
        ...spaceFeatures(params, space),
        ...context,
        ...pastPerformanceFeatures(previous[j], L),
        ...standing.features(j),
      },
      score: scores[j]!,
      previousScore: previousScores[j]!,
      quintile: quintiles[j]!,
    }));
    windows.push({
      index,
      start,
      end,
      startTime: bars.t[start]!,
      scoredFrom: from,
      riskFreePerBar,
      regime: regimeName(market.regime, start - 1),
      nextRegime: regimeName(market.regime, end - 1),
      context,
      rows,
    });
    runs.forEach((r, j) => {
      previous[j] = windowMetrics(bars.t, r.equity, r.trades, from, end, riskFreePerBar);
      previousScores[j] = scores[j]!;
    });
    standing.learn(scores);
  }
  return windows;
}

export interface WindowBounds {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/** Runs of `length` bars one after another from `ready` (shifted onto `anchor` when given). */
function consecutiveWindows(n: number, length: number, ready: number, anchor?: number): WindowBounds[] {
  const first = anchor === undefined ? ready : ready + ((((anchor - ready) % length) + length) % length);
  const out: WindowBounds[] = [];
  for (let start = first; start + length <= n; start += length) out.push({ start, end: start + length });
  return out;
}

/** A window this short has too few returns for its Sharpe ratio to mean anything. */
const MIN_SESSION_WINDOW_BARS = 5;

/**
 * One window per session of the NYSE calendar (New York time): from the session's opening bar, its first
 * `length` bars that lie inside it. Regular: the bar stamped at the open must be there (a day whose
 * opening bar is missing is left out rather than started late); extended: the trading day's first bar.
 */
export function sessionWindows(
  t: Float64Array,
  length: number,
  rule: 'regular' | 'extended',
): WindowBounds[] {
  const out: WindowBounds[] = [];
  const n = t.length;
  for (let a = 0; a < n;) {
    const days = etDays(t[a]!);
    let b = a + 1;
    while (b < n && etDays(t[b]!) === days) b++;
    const session = sessionOnDays(days);
    if (session !== null) {
      let start = a;
      let close = b;
      if (rule === 'regular') {
        while (start < b && t[start]! < session.open) start++;
        close = start;
        while (close < b && t[close]! < session.close) close++;
      }
      const end = Math.min(start + length, close);
      const opens = rule === 'extended' || (start < b && t[start] === session.open);
      if (opens && end - start >= MIN_SESSION_WINDOW_BARS) out.push({ start, end });
    }
    a = b;
  }
  return out;
}

/** Windows over which a set's standing among the others halves its weight. */
const STANDING_HALF_LIFE = 5;
/** Nearest other sets (in the normalised parameter space) whose standing is averaged. */
const STANDING_NEIGHBOURS = 5;

/**
 * Each set's standing among the sets of the panel, from closed windows only: its score's z-score within
 * the last window (`past.z`), the exponentially weighted mean of those z-scores (`past.zMean`), and that
 * mean averaged over its nearest neighbours in parameter space (`past.neighbourZ`). A quant ranks
 * parameter sets this way: a window's own score is mostly noise, a set's standing across windows and
 * its neighbourhood's less so (a lone good set among bad neighbours is a fluke more often than not).
 */
class StandingTracker {
  private readonly z: Float64Array;
  private readonly zMean: Float64Array;
  private readonly neighbours: number[][];
  /** Each learned window's mean and spread of scores, what an outsider's z-scores are taken against. */
  private readonly moments: { mean: number; sd: number }[] = [];

  constructor(private readonly thetas: readonly Features[]) {
    this.z = new Float64Array(thetas.length);
    this.zMean = new Float64Array(thetas.length);
    this.neighbours = thetas.map((theta, j) => this.nearest(theta, (k) => k !== j));
  }

  /** The STANDING_NEIGHBOURS sets nearest `theta` in parameter space among those `keep` lets through. */
  private nearest(theta: Features, keep: (k: number) => boolean): number[] {
    const distance = (a: Features, b: Features): number => {
      let d = 0;
      for (const key in a) d += (a[key]! - (b[key] ?? 0)) ** 2;
      return d;
    };
    return this.thetas
      .map((other, k) => [distance(theta, other), k] as const)
      .filter(([, k]) => keep(k))
      .sort((x, y) => x[0] - y[0] || x[1] - y[1])
      .slice(0, STANDING_NEIGHBOURS)
      .map(([, k]) => k);
  }

  private neighbourZ(around: readonly number[]): number {
    return around.length === 0 ? 0 : around.reduce((sum, k) => sum + this.zMean[k]!, 0) / around.length;
  }

  features(j: number): Features {
    if (this.moments.length === 0) return { 'past.z': 0, 'past.zMean': 0, 'past.neighbourZ': 0 };
    return {
      'past.z': this.z[j]!,
      'past.zMean': this.zMean[j]!,
      'past.neighbourZ': this.neighbourZ(this.neighbours[j]!),
    };
  }

  learn(scores: readonly number[]): void {
    const n = scores.length;
    const mean = scores.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(scores.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const weight = standingWeight(this.moments.length);
    scores.forEach((score, j) => {
      const z = sd > 0 ? (score - mean) / sd : 0;
      this.z[j] = z;
      this.zMean[j] = this.zMean[j]! + weight * (z - this.zMean[j]!);
    });
    this.moments.push({ mean, sd });
  }

  /**
   * The features of a set that was not among the panel's, after the windows learned, from its scores in
   * them: each z-score against that window's sets (which it does not move), their weighted mean, and the
   * nearest panel sets' standing (a panel set equal to it is itself, not a neighbour, as in features()).
   */
  outsider(theta: Features, scores: readonly number[]): Features {
    if (this.moments.length === 0) return this.features(0);
    let z = 0;
    let zMean = 0;
    this.moments.forEach(({ mean, sd }, w) => {
      z = sd > 0 ? (scores[w]! - mean) / sd : 0;
      zMean += standingWeight(w) * (z - zMean);
    });
    const key = JSON.stringify(theta);
    const around = this.nearest(theta, (k) => JSON.stringify(this.thetas[k]) !== key);
    return { 'past.z': z, 'past.zMean': zMean, 'past.neighbourZ': this.neighbourZ(around) };
  }
}

/**
 * The weight of window number `windows` (from 0) in the standing's mean: the first windows weigh in
 * fully (a bias-corrected mean) rather than against a zero start.
 */
function standingWeight(windows: number): number {
  const decay = 0.5 ** (1 / STANDING_HALF_LIFE);
  return (1 - decay) / (1 - decay ** (windows + 1));
}

/**
 * The standing features a set would carry into the window after the panel's last, computed as the panel
 * computes its own sets' (its z-score in each window among the panel's sets, their weighted mean, its
 * neighbours'), from `equity`, the set's run over the panel's bars: what a recommendation's candidates
 * read when the learner was trained on this panel and no ledger is at hand, in place of a fake 0.
 */
export function panelStanding(
  panel: readonly PanelWindow[],
  strategy: string,
): (params: Params, equity: Float64Array) => Features {
  const space = learnerSpace(strategy);
  const tracker = new StandingTracker((panel[0]?.rows ?? []).map((r) => spaceFeatures(r.params, space)));
  for (const w of panel) tracker.learn(w.rows.map((r) => r.score));
  return (params, equity) =>
    tracker.outsider(
      spaceFeatures(params, space),
      panel.map((w) => windowSharpe(equity, w.scoredFrom, w.end, w.riskFreePerBar)),
    );
}

/**
 * The annual rate as the return of one bar of `t` (bars per year from their spacing), as the scorecard's
 * policies measure their Sharpe ratios over it: what a window's score is measured over.
 */
export function barRiskFree(t: Float64Array, annualRate: number): number {
  return annualRate === 0 ? 0 : Math.pow(1 + annualRate, 1 / barsPerYear(t)) - 1;
}

/**
 * (mean - riskFreePerBar) / sd of the per-bar returns over [start, end), times √(bars): 0 for a flat
 * window (no risk taken: no ratio to speak of, whatever the rate).
 */
export function windowSharpe(equity: Float64Array, start: number, end: number, riskFreePerBar = 0): number {
  let sum = 0;
  let sumSq = 0;
  const count = end - start;
  for (let i = start; i < end; i++) {
    const r = equity[i]! / equity[i - 1]! - 1;
    sum += r;
    sumSq += r * r;
  }
  const mean = sum / count;
  const variance = sumSq / count - mean * mean;
  return variance > 1e-24 ? ((mean - riskFreePerBar) / Math.sqrt(variance)) * Math.sqrt(count) : 0;
}

/** Quintile 1..5 of each value by rank (ties by position), 5 the highest. */
export function quintilesOf(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = new Array<number>(values.length);
  order.forEach(([, i], rank) => {
    out[i] = 1 + Math.floor((5 * rank) / values.length);
  });
  return out;
}

/**
 * The metrics of one window of a run: its equity slice and the trades that closed inside it, its Sharpe
 * and Sortino ratios over `riskFreePerBar` a bar.
 */
export function windowMetrics(
  t: Float64Array,
  equity: Float64Array,
  trades: ClosedTrades,
  start: number,
  end: number,
  riskFreePerBar = 0,
): Metrics {
  const inside: number[] = [];
  for (let k = 0; k < trades.count; k++) {
    const exit = trades.exitIndex[k]!;
    if (exit >= start && exit < end) inside.push(k);
  }
  const pick = (column: ArrayLike<number>, shift = 0): Float64Array =>
    Float64Array.from(inside, (k) => column[k]! - shift);
  return computeMetrics({
    t: t.subarray(start, end),
    equity: equity.subarray(start, end),
    initialCash: equity[start - 1]!,
    trades: {
      count: inside.length,
      entryIndex: pick(trades.entryIndex, start),
      exitIndex: pick(trades.exitIndex, start),
      entryTime: pick(trades.entryTime),
      exitTime: pick(trades.exitTime),
      pnl: pick(trades.pnl),
      returnPct: pick(trades.returnPct),
    },
    // Per-bar returns scaled to the window, so intraday and daily windows give comparable ratios.
    periodicity: 'bar',
    periodsPerYear: end - start,
    // The window is the metrics' "year": its rate is a bar's compounded over the window's bars.
    riskFreeRate: Math.pow(1 + riskFreePerBar, end - start) - 1,
  });
}
