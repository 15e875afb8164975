/**
 * Regime detector figures (issue 11 items 4 and 5): labelling speed on 1,000,000 one-minute bars and the
 * cost of one live bar, for every detector, next to a baseline measured in the same run (TA kernels over
 * the same bars: a 20-bar SMA and rolling volatility); and the quality figures on planted regimes.
 * Run: `npm run bench -- regime`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseBarsCsv } from '../src/core/data/csv/read.ts';
import { skewnessAndKurtosis } from '../src/core/math/statistics.ts';
import { resampleBars } from '../src/core/data/resample.ts';
import { createSyntheticMarket } from '../src/core/data/synthetic.ts';
import { rollingVolatility, sma } from '../src/core/indicators/index.ts';
import { BocpdDetector } from '../src/core/regime/bocpd.ts';
import { HmmDetector } from '../src/core/regime/hmm.ts';
import { JumpDetector } from '../src/core/regime/jump.ts';
import {
  allocateRegimeOutput,
  createDetector,
  DETECTOR_NAMES,
  Level,
  type RegimeDetector,
} from '../src/core/regime/index.ts';
import {
  countSwitches,
  DAILY_RETURN_DF,
  filteredTurbulence,
  hysteresisLabels,
  medianDetectionDelay,
  oracleJumpLabels,
  plantedMarketAccuracy,
  plantedVolatilitySeries,
  smoothedTurbulence,
  smootherLabels,
  trueLogLikelihoodRatios,
  volatilityBalancedAccuracy,
  PLANTED_FIT,
  type PlantedSeries,
} from '../src/core/regime/quality.ts';
import { sampleCandidates } from '../src/core/regime/perRegime.ts';
import {
  PLANTED_GRID,
  PLANTED_PAIR_BARS,
  PLANTED_REGIMES,
  detectorLabels,
  plantedDetectors,
  plantedLabels,
  plantedPairRecovery,
  type PlantedPairMarket,
} from '../src/core/regime/plantedPairs.ts';
import { RuleDetector } from '../src/core/regime/rules.ts';
import { STRATEGIES } from '../src/core/strategy/registry.ts';
import {
  absoluteReturnFeatures,
  multiFeatureJumpLabels,
  shuFeatures,
  volatilityFeatures,
  type FeatureSet,
} from './multiFeatureJump.ts';
import { bestOf, RUNS } from './timing.ts';

const ms = (x: { wall: number; cpu: number }): string =>
  `${x.wall.toFixed(0)} ms (CPU ${x.cpu.toFixed(0)} ms)`;

/** Labelling 1M one-minute bars, and one live bar: the mean over all bars and the slowest (a refit bar). */
function speed(log: (line: string) => void): void {
  const market = createSyntheticMarket({ seed: 5, start: Date.UTC(2014, 0, 1), end: Date.UTC(2024, 3, 20) });
  const bars = market.generate(0).bars;
  const n = 1_000_000;
  const view = {
    t: bars.t.subarray(0, n),
    o: bars.o.subarray(0, n),
    h: bars.h.subarray(0, n),
    l: bars.l.subarray(0, n),
    c: bars.c.subarray(0, n),
    v: bars.v.subarray(0, n),
  };
  log(
    `${n.toLocaleString('en-US')} one-minute bars (synthetic market, ${bars.t.length.toLocaleString('en-US')} generated)`,
  );
  const scratch = new Float64Array(n);
  const baseline = bestOf(() => {
    sma(view.c, 20, scratch);
    rollingVolatility(view.c, 20, scratch);
  });
  log(`  baseline: SMA(20) + rolling volatility(20)   ${ms(baseline)}`);
  const detectors: RegimeDetector[] = [
    new RuleDetector({ timeframe: '1m' }),
    new JumpDetector({ timeframe: '1m' }),
    new HmmDetector({ timeframe: '1m' }),
    new BocpdDetector({ timeframe: '1m' }),
  ];
  for (const detector of detectors) {
    const out = allocateRegimeOutput(detector.inputs, n);
    const best = bestOf(
      () => detector.label(view, out),
      detector.name === 'rules' || detector.name === 'jump' ? RUNS : 1,
    );
    // Live: one stream fed bar by bar; the slowest bar is a refit (a calendar boundary) for the models.
    const live = allocateRegimeOutput(detector.inputs, 1);
    const stream = detector.stream();
    let slowest = 0;
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      stream.update(view.t[i]!, view.o[i]!, view.h[i]!, view.l[i]!, view.c[i]!, view.v[i]!, live, 0);
      const spent = performance.now() - t0;
      if (spent > slowest) slowest = spent;
    }
    const cpu = process.cpuUsage(cpuStarted);
    const perBar = ((performance.now() - started) / n) * 1000;
    // On a shared machine the wall clock counts other processes' turns; CPU time is this process's own.
    const cpuPerBar = (cpu.user + cpu.system) / n;
    const target = detector.name === 'rules' || detector.name === 'jump' ? ' (target < 3,000 ms)' : '';
    log(
      `  ${detector.name.padEnd(6)} label ${ms(best)}${target} = ${(best.cpu / baseline.cpu).toFixed(1)}x baseline CPU; ` +
        `live bar mean ${perBar.toFixed(2)} µs wall, ${cpuPerBar.toFixed(2)} µs CPU (target < 50 µs, timer overhead included), ` +
        `slowest ${(slowest * 1000).toFixed(0)} µs`,
    );
  }
}

/** Jump penalties of the trade-off curve (the detector's default among them). */
const PENALTIES = [4, 6, 8, 10, 12, 16, 24, 32];
const QUALITY_SEEDS = [1, 2, 3, 4, 5];
/** The jump model on an exponentially weighted volatility: [half-life, penalties, hysteresis values]. */
const EWMA_GRID = [
  [2, [4, 5, 6, 8, 10], [0, 0.55, 0.75]],
  [3, [4, 5, 6, 8], [0, 0.55]],
] as const;
/** The HMM's operating points besides the unpenalised filter (0) and its default (0.2). */
const HMM_HYSTERESIS = [0.4, 0.6];
/**
 * Shu, Yu & Mulvey's online jump model on several features (bench/multiFeatureJump.ts): each feature set
 * at the point of a sweep (penalty 0-10, threshold 0-2) with the fewest switches at the unpenalised HMM's
 * median delay and accuracy, or, where none was, its most accurate point near that delay; the last one
 * shows what the 50 % costs in delay. [name, features, penalty, threshold]
 */
const MULTI_FEATURE_POINTS: readonly [string, FeatureSet, number, number][] = [
  ['shu: ret, log DD, Sortino 5/10/21', shuFeatures([5, 10, 21]), 8, 0],
  ['shu: ret, log DD, Sortino 2/5/10', shuFeatures([2, 5, 10]), 8, 0],
  ['shu: log DD 5/10/21', shuFeatures([5, 10, 21], false), 0.5, 0],
  ['shu: log DD 2/5/10', shuFeatures([2, 5, 10], false), 0.5, 0],
  ['log ewm vol 2/5/10', volatilityFeatures([2, 5, 10]), 0.75, 0.5],
  ['log ewm vol 1/2/4', volatilityFeatures([1, 2, 4]), 5, 1.5],
  ['log ewm vol 2/4/8/16', volatilityFeatures([2, 4, 8, 16]), 0.25, 0],
  ['ewm |r| 2/5/10', absoluteReturnFeatures([2, 5, 10]), 1, 0.5],
  ['log ewm vol 2', volatilityFeatures([2]), 3, 0],
  ['log ewm vol 2 (slower)', volatilityFeatures([2]), 5, 0.5],
];
/** The ideal-loss jump recursion's penalties (nats); its switching thresholds run from 0 to the penalty. */
const ORACLE_PENALTIES = [1.5, 1.75, 2, 2.25, 2.5, 3, 4];

interface SwitchFigures {
  readonly switches: number;
  /** Median detection delay over all planted changes, and over those into turbulence (rise) and out (fall). */
  readonly delay: number;
  readonly rise: number;
  readonly fall: number;
  readonly accuracy: number;
}

/** Switches summed and median delays and balanced accuracies averaged over the seeds, from bar `from`. */
function switchFigures(
  series: readonly PlantedSeries[],
  labelsOf: (series: PlantedSeries, index: number) => Int8Array,
  from: number,
): SwitchFigures {
  let switches = 0;
  let delay = 0;
  let rise = 0;
  let fall = 0;
  let accuracy = 0;
  for (const [index, s] of series.entries()) {
    const labels = labelsOf(s, index);
    switches += countSwitches(labels, from);
    delay += medianDetectionDelay(labels, s.states, from);
    rise += medianDetectionDelay(labels, s.states, from, 1);
    fall += medianDetectionDelay(labels, s.states, from, 0);
    accuracy += volatilityBalancedAccuracy(labels, s.states, from);
  }
  const k = series.length;
  return { switches, delay: delay / k, rise: rise / k, fall: fall / k, accuracy: accuracy / k };
}

const detectorVolatility =
  (detector: RegimeDetector) =>
  (s: PlantedSeries): Int8Array => {
    const out = allocateRegimeOutput(detector.inputs, s.bars.t.length);
    detector.label(s.bars, out);
    return out.volatility.label;
  };

/** Switches of the curve at `delay`, linear between the two points that bracket it (NaN outside it). */
function switchesAtDelay(curve: readonly SwitchFigures[], delay: number): number {
  const sorted = [...curve].sort((a, b) => a.delay - b.delay);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    if (a.delay <= delay && delay <= b.delay) {
      const w = b.delay === a.delay ? 0 : (delay - a.delay) / (b.delay - a.delay);
      return a.switches + w * (b.switches - a.switches);
    }
  }
  return NaN;
}

/** The jump recursion on the true likelihoods over its penalties and switching thresholds (0 to each). */
function idealLossCurve(
  series: readonly PlantedSeries[],
  penalties: readonly number[],
  from: number,
): SwitchFigures[] {
  const llr = series.map(trueLogLikelihoodRatios);
  const curve: SwitchFigures[] = [];
  for (const penalty of penalties)
    for (let enter = 0; enter <= penalty; enter += 0.25)
      for (let leave = 0; leave <= penalty; leave += 0.25)
        curve.push(
          switchFigures(series, (_, index) => oracleJumpLabels(llr[index]!, penalty, enter, leave), from),
        );
  return curve;
}

/** One figures line: accuracy, switches, median delays (all changes; rise, fall). */
function figuresLine(log: (line: string) => void, name: string, f: SwitchFigures, extra = ''): void {
  log(
    `  ${name.padEnd(26)} accuracy ${f.accuracy.toFixed(3)}, switches ${String(f.switches).padStart(4)}, ` +
      `median delay ${f.delay.toFixed(1)} (${f.rise.toFixed(1)}, ${f.fall.toFixed(1)}) bars${extra}`,
  );
}

/**
 * Comparisons with the unpenalised HMM filter: switches saved ("21 % fewer"), whether a point is as fast
 * (median delay no longer, over all changes or those into turbulence by `delay`; balanced accuracy no
 * more than 0.01 below) and the as-fast point with fewest switches.
 */
function against(hmm: SwitchFigures, delay: 'delay' | 'rise' = 'delay') {
  const fewer = (switches: number): string => {
    const saved = 100 * (1 - switches / hmm.switches);
    return saved >= 0 ? `${saved.toFixed(0)} % fewer` : `${(-saved).toFixed(0)} % more`;
  };
  const asFast = (f: SwitchFigures): boolean => f[delay] <= hmm[delay] && f.accuracy >= hmm.accuracy - 0.01;
  const fewest = <T extends SwitchFigures>(points: readonly T[]): T | null =>
    points.filter(asFast).reduce<T | null>((a, b) => (a === null || b.switches < a.switches ? b : a), null);
  return { fewer, asFast, fewest };
}

/**
 * Issue 11 item 4 on two-state planted volatility (ratio 2, mean spell 200 bars): accuracy, and the jump
 * model's delay-against-switches curves beside the unpenalised HMM filter, with two references that know
 * the true parameters: thresholds on the true forward filter, and the jump recursion on the true
 * likelihoods (the best the jump model's decoding can do with a perfect loss).
 *
 * "At an equal median delay" is read strictly: the median over all planted changes no longer than the
 * HMM's, and a balanced accuracy no more than 0.01 below it, since the median alone is met by a label
 * that never switches (printed below). The medians per direction (rise, fall) are printed beside it.
 */
function plantedVolatility(log: (line: string) => void): void {
  const windows = { history: 2000, short: 5 };
  const series = QUALITY_SEEDS.map((seed) => plantedVolatilitySeries(12_000, seed));
  const model = { timeframe: '1d', windows, refitDays: 365, states: { volatility: 2 } } as const;
  const unpenalised = new HmmDetector({ ...model, persistence: { hysteresis: 0, minDwell: 1 } });
  const ewma = EWMA_GRID.flatMap(([halflife, penalties, hystereses]) =>
    penalties.flatMap((jumpPenalty) =>
      hystereses.map((hysteresis) => ({
        name: `jump ewma ${halflife}, ${jumpPenalty}, ${hysteresis}`,
        detector: new JumpDetector({ ...model, halflife, jumpPenalty, persistence: { hysteresis } }),
      })),
    ),
  );
  // Every line counts from the same bar: the longest warm-up (the longest half-life's).
  const from = Math.max(unpenalised.warmup, ...ewma.map((e) => e.detector.warmup));
  const smoother = switchFigures(series, (s) => smootherLabels(smoothedTurbulence(s)), from);
  const planted = series.reduce((sum, s) => sum + countSwitches(s.states, from), 0);
  log(
    `planted two-state volatility: ${series.length} seeds x 12,000 day bars, ratio 2, stay 0.995 (fit window ` +
      `2,000 bars, yearly refit); from bar ${from}: switches summed (planted ${planted}), ` +
      `median delays (all changes; rise, fall) and balanced accuracies averaged; look-ahead smoother ` +
      `accuracy ${smoother.accuracy.toFixed(3)}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  const line = (name: string, f: SwitchFigures, extra = ''): void => figuresLine(log, name, f, extra);
  line(
    'rules (median split)',
    switchFigures(
      series,
      detectorVolatility(new RuleDetector({ timeframe: '1d', windows, lowQuantile: 0.5, highQuantile: 0.5 })),
      from,
    ),
  );
  line('hmm (hysteresis 0.2)', switchFigures(series, detectorVolatility(new HmmDetector(model)), from));
  const hmm = switchFigures(series, detectorVolatility(unpenalised), from);
  line('hmm unpenalised', hmm);
  // The HMM's own persistence control (a lead in probability before a switch) gives its curve too.
  for (const hysteresis of HMM_HYSTERESIS) {
    const f = switchFigures(
      series,
      detectorVolatility(new HmmDetector({ ...model, persistence: { hysteresis, minDwell: 1 } })),
      from,
    );
    line(`hmm hysteresis ${hysteresis}`, f);
  }
  line(
    '"high" on every bar',
    switchFigures(series, (s) => new Int8Array(s.states.length).fill(Level.High), from),
  );
  const { fewer, asFast, fewest } = against(hmm);
  const curve = PENALTIES.map((jumpPenalty) => {
    const f = switchFigures(series, detectorVolatility(new JumpDetector({ ...model, jumpPenalty })), from);
    line(`jump penalty ${jumpPenalty}`, f, ` (${fewer(f.switches)} than the unpenalised HMM)`);
    return f;
  });
  // The volatility feature as an exponentially weighted mean (half-life, then penalty and hysteresis).
  const weighted = ewma.map(({ name, detector }) => {
    const f = switchFigures(series, detectorVolatility(detector), from);
    line(name, f, ` (${fewer(f.switches)})`);
    return f;
  });
  // Thresholds (log-odds hysteresis bands) on the true-parameter forward filter.
  const filtered = series.map(filteredTurbulence);
  const odds = (x: number): number => 1 / (1 + Math.exp(-x));
  const bands: SwitchFigures[] = [];
  for (let enter = -3; enter <= 4; enter += 0.5)
    for (let leave = -3; leave <= enter; leave += 0.5)
      bands.push(
        switchFigures(
          series,
          (_, index) => hysteresisLabels(filtered[index]!, odds(enter), odds(leave)),
          from,
        ),
      );
  // The jump recursion on the true likelihoods over its penalty and switching thresholds.
  const oracle = idealLossCurve(series, ORACLE_PENALTIES, from);
  const online = { history: windows.history, refit: 365 };
  for (const [name, features, penalty, threshold] of MULTI_FEATURE_POINTS) {
    const f = switchFigures(
      series,
      (s) => multiFeatureJumpLabels(s, features, penalty, threshold, online),
      from,
    );
    line(
      name,
      f,
      ` (penalty ${penalty}, threshold ${threshold}: ${fewer(f.switches)}${asFast(f) ? '' : ', not as fast'})`,
    );
  }
  const shown = (name: string, f: SwitchFigures | null): string =>
    f === null ? `${name}: none as fast` : `${name} ${f.switches} (${fewer(f.switches)})`;
  const best = { weighted: fewest(weighted), bands: fewest(bands), oracle: fewest(oracle) };
  if (best.weighted !== null) line('  fewest, ewma feature', best.weighted);
  if (best.oracle !== null) line('  fewest, ideal-loss jump', best.oracle);
  const atDelay = switchesAtDelay(curve, hmm.delay);
  log(
    `  at the unpenalised HMM's median delay (${hmm.delay.toFixed(1)} bars, accuracy within 0.01) the switches are: ` +
      `jump (window mean) ${atDelay.toFixed(0)} (${fewer(atDelay)}); ${shown('jump (ewma feature, hysteresis)', best.weighted)}; ` +
      `${shown('true filter, best hysteresis', best.bands)}; ${shown('ideal-loss jump recursion', best.oracle)}. ` +
      'Issue target: 50 % fewer.',
  );
}

/**
 * The fat-tailed block's jump model settings, each one a user can give the CLI (--halflife,
 * --jump-penalty, --hysteresis, --min-dwell): shorter half-lives and lower penalties than the Gaussian
 * block's, since the unpenalised HMM's median delay is shorter here.
 */
const FAT_TAIL_GRID = {
  halflives: [0.25, 0.5, 1, 2],
  penalties: [0, 0.5, 1.5, 3, 5, 8],
  hystereses: [0, 0.3, 0.55, 0.75],
  dwells: [1, 3],
} as const;
/** The ideal-loss recursion's penalties (nats) on the t likelihoods; thresholds from 0 to the penalty. */
const FAT_TAIL_ORACLE_PENALTIES = [0.5, 1, 1.5, 2, 3, 4];
/** Degrees of freedom of the sensitivity lines; Infinity, the Gaussian series on the same settings. */
const TAIL_SENSITIVITY = [3, 5, 8, Infinity];

/**
 * The derivation of DAILY_RETURN_DF, again from the file: GOOG.csv's daily log returns, each divided by
 * the RiskMetrics volatility of the returns before it (lambda 0.94; the first 60 left out while it
 * settles), and the degrees of freedom of the unit-variance Student-t with their excess kurtosis,
 * 4 + 6 / excess. Null when the file is absent.
 */
function dailyReturnTails(): { returns: number; excess: number; df: number } | null {
  const goog = fileURLToPath(new URL('../../shared/data/GOOG.csv', import.meta.url));
  if (!existsSync(goog)) return null;
  const { c } = parseBarsCsv(readFileSync(goog, 'utf8'), { source: 'GOOG.csv' }).bars;
  const lambda = 0.94;
  const settle = 60;
  const standardised: number[] = [];
  let variance = Math.log(c[1]! / c[0]!) ** 2;
  for (let i = 2; i < c.length; i++) {
    const r = Math.log(c[i]! / c[i - 1]!);
    if (i - 1 >= settle) standardised.push(r / Math.sqrt(variance));
    variance = lambda * variance + (1 - lambda) * r * r;
  }
  const excess = skewnessAndKurtosis(standardised).kurtosis - 3;
  return { returns: c.length - 1, excess, df: 4 + 6 / excess };
}

interface FatTailFigures {
  readonly hmm: SwitchFigures;
  readonly hmmHysteresis: readonly (SwitchFigures & { readonly hysteresis: number })[];
  readonly jumpDefault: SwitchFigures;
  readonly windowMean: readonly (SwitchFigures & { readonly penalty: number })[];
  readonly grid: readonly (SwitchFigures & { readonly setting: string })[];
  readonly oracle: readonly SwitchFigures[];
}

/** The unpenalised HMM, its hysteresis curve and the jump models on 5 seeds of t innovations (df). */
function fatTailFigures(df: number): FatTailFigures {
  const series = QUALITY_SEEDS.map((seed) => plantedVolatilitySeries(12_000, seed, { df }));
  const model = PLANTED_FIT;
  const unpenalised = new HmmDetector({ ...model, persistence: { hysteresis: 0, minDwell: 1 } });
  const g = FAT_TAIL_GRID;
  const grid = g.halflives.flatMap((halflife) =>
    g.penalties.flatMap((jumpPenalty) =>
      g.hystereses.flatMap((hysteresis) =>
        g.dwells.map((minDwell) => ({
          setting: `--halflife ${halflife} --jump-penalty ${jumpPenalty} --hysteresis ${hysteresis} --min-dwell ${minDwell}`,
          detector: new JumpDetector({
            ...model,
            halflife,
            jumpPenalty,
            persistence: { hysteresis, minDwell },
          }),
        })),
      ),
    ),
  );
  // The Gaussian block's first bar (its longest warm-up, half-life 3) bounds every warm-up here too.
  const from = Math.max(
    unpenalised.warmup,
    new JumpDetector({ ...model, halflife: 3 }).warmup,
    ...grid.map((e) => e.detector.warmup),
  );
  const figures = (detector: RegimeDetector): SwitchFigures =>
    switchFigures(series, detectorVolatility(detector), from);
  return {
    hmm: figures(unpenalised),
    hmmHysteresis: [0.2, ...HMM_HYSTERESIS, 0.8].map((hysteresis) => ({
      hysteresis,
      ...figures(new HmmDetector({ ...model, persistence: { hysteresis, minDwell: 1 } })),
    })),
    jumpDefault: figures(new JumpDetector(model)),
    windowMean: PENALTIES.map((penalty) => ({
      penalty,
      ...figures(new JumpDetector({ ...model, jumpPenalty: penalty })),
    })),
    grid: grid.map(({ setting, detector }) => ({ setting, ...figures(detector) })),
    oracle: idealLossCurve(series, FAT_TAIL_ORACLE_PENALTIES, from),
  };
}

/**
 * Issue 11 item 4 again, on real returns' tails: the same two persistent states and volatility ratio,
 * with Student-t innovations scaled to unit variance (DAILY_RETURN_DF, derived from GOOG.csv). A
 * Gaussian HMM reads a calm bar's outlier as evidence of turbulence; the jump model's smoothed log
 * volatility does not. Same method as the Gaussian block; then the figure at df 3, 5 and 8.
 */
function fatTailedVolatility(log: (line: string) => void): void {
  const tails = dailyReturnTails();
  log(
    tails === null
      ? `fat-tailed planted volatility, df ${DAILY_RETURN_DF} (GOOG.csv absent: its derivation not repeated)`
      : `fat-tailed planted volatility: GOOG.csv ${tails.returns} daily returns over a causal RiskMetrics ` +
          `volatility (lambda 0.94) have excess kurtosis ${tails.excess.toFixed(2)}, a unit-variance ` +
          `Student-t with df ${tails.df.toFixed(2)}; the series uses df ${DAILY_RETURN_DF}, else as above; ` +
          `load average ${loadavg()[0]!.toFixed(1)}`,
  );
  const f = fatTailFigures(DAILY_RETURN_DF);
  const { fewer, asFast, fewest } = against(f.hmm);
  figuresLine(log, 'hmm unpenalised', f.hmm);
  for (const h of f.hmmHysteresis)
    figuresLine(log, `hmm hysteresis ${h.hysteresis}`, h, ` (${fewer(h.switches)})`);
  figuresLine(log, 'jump default (penalty 12)', f.jumpDefault, ` (${fewer(f.jumpDefault.switches)})`);
  for (const w of f.windowMean) figuresLine(log, `jump penalty ${w.penalty}`, w, ` (${fewer(w.switches)})`);
  const gaussianBest = f.grid.find(
    (e) => e.setting === '--halflife 2 --jump-penalty 5 --hysteresis 0.55 --min-dwell 1',
  );
  if (gaussianBest)
    figuresLine(
      log,
      'jump ewma 2, 5, 0.55',
      gaussianBest,
      ` (${fewer(gaussianBest.switches)}; the Gaussian block's best)`,
    );
  const best = fewest(f.grid);
  const oracle = fewest(f.oracle);
  const windowBest = fewest(f.windowMean);
  log(
    `  ${f.grid.length} jump settings (half-life ${FAT_TAIL_GRID.halflives.join('/')}, penalty ` +
      `${FAT_TAIL_GRID.penalties.join('/')}, hysteresis ${FAT_TAIL_GRID.hystereses.join('/')}, min dwell ` +
      `${FAT_TAIL_GRID.dwells.join('/')}): ${f.grid.filter(asFast).length} as fast as the unpenalised HMM`,
  );
  if (best !== null)
    figuresLine(log, '  fewest, ewma feature', best, ` (${fewer(best.switches)}: ${best.setting})`);
  if (oracle !== null) figuresLine(log, '  fewest, ideal-loss jump', oracle, ` (${fewer(oracle.switches)})`);
  const shown = (name: string, p: SwitchFigures | null): string =>
    p === null ? `${name}: none as fast` : `${name} ${p.switches} (${fewer(p.switches)})`;
  log(
    `  at the unpenalised HMM's median delay (${f.hmm.delay.toFixed(1)} bars, accuracy within 0.01) the switches are: ` +
      `${shown('jump (window mean)', windowBest)}; ${shown('jump (ewma feature, hysteresis, dwell)', best)}; ` +
      `${shown('ideal-loss jump recursion', oracle)}. Issue target: 50 % fewer.`,
  );
  // A label that flickers meets the median over all changes early: it often shows the new state already
  // (the HMM's falls, 0.2 bars here). The changes into turbulence alone are the ones flicker cannot fake.
  const byRise = against(f.hmm, 'rise').fewest(f.grid);
  log(
    `  by the median delay into turbulence alone (the HMM's ${f.hmm.rise.toFixed(1)} bars, accuracy within 0.01): ` +
      (byRise === null
        ? 'no jump setting'
        : `jump ${byRise.switches} (${fewer(byRise.switches)}, ${byRise.setting}; all changes ${byRise.delay.toFixed(1)} bars, accuracy ${byRise.accuracy.toFixed(3)})`),
  );
  for (const df of TAIL_SENSITIVITY) {
    const s = fatTailFigures(df);
    const [all, rise] = [against(s.hmm), against(s.hmm, 'rise')];
    const shownBest = (p: { switches: number; setting: string } | null): string =>
      p === null ? 'no jump setting' : `${p.switches} (${all.fewer(p.switches)}, ${p.setting})`;
    const o = all.fewest(s.oracle);
    log(
      `  df ${df === Infinity ? 'infinite (Gaussian)' : df}: hmm unpenalised ${s.hmm.switches} switches, delay ` +
        `${s.hmm.delay.toFixed(1)} (rise ${s.hmm.rise.toFixed(1)}), accuracy ${s.hmm.accuracy.toFixed(3)}; ` +
        `jump default ${s.jumpDefault.switches}, ${s.jumpDefault.delay.toFixed(1)}, ${s.jumpDefault.accuracy.toFixed(3)}; ` +
        `as fast: jump ${shownBest(all.fewest(s.grid))}, ` +
        `${o === null ? 'no ideal-loss point' : `ideal-loss ${o.switches} (${all.fewer(o.switches)})`}; ` +
        `as fast into turbulence: jump ${shownBest(rise.fewest(s.grid))}`,
    );
  }
}

/** The demo market's planted regimes, each detector with its defaults. */
function demoMarket(log: (line: string) => void): void {
  const market = createSyntheticMarket({
    seed: 20_240_101,
    start: Date.UTC(2017, 0, 1),
    end: Date.UTC(2025, 0, 1),
  });
  const days = resampleBars(market.generate(0).bars, '1d');
  log(
    `demo market generator, seed 20240101, 2017-2024 (${days.t.length} day bars, first symbol): planted regimes`,
  );
  for (const name of DETECTOR_NAMES) {
    const detector = createDetector(name, '1d');
    const out = allocateRegimeOutput(detector.inputs, days.t.length);
    detector.label(days, out);
    const { trend, volatility } = plantedMarketAccuracy(out, market.sessionRegimes, detector.warmup);
    log(
      `  ${name.padEnd(6)} trend accuracy ${trend.toFixed(3)} (chance 0.333), volatility balanced accuracy ${volatility.toFixed(3)}`,
    );
  }
}

/** Issue 11 item 9: how often the per-regime study recovers each planted pair, over 50 seeds. */
function plantedPairs(log: (line: string) => void): void {
  const definition = STRATEGIES['sma-cross'];
  const candidates = sampleCandidates(PLANTED_GRID, { kind: 'grid' }, 1000, 1);
  const seeds = 50;
  const [calm, turbulent] = PLANTED_REGIMES;
  log(
    `planted pairs (calm ${calm.fast}/${calm.slow}, turbulent ${turbulent.fast}/${turbulent.slow}; ${PLANTED_PAIR_BARS.toLocaleString('en-US')} day bars, ` +
      `${candidates.length}-pair grid): both recovered within one grid step (target >= 90 % of seeds)`,
  );
  const detectors = plantedDetectors();
  const sources: [string, (market: PlantedPairMarket) => Int8Array][] = [
    ['planted states as labels', plantedLabels],
    ...DETECTOR_NAMES.map((name): [string, (market: PlantedPairMarket) => Int8Array] => [
      `${name} volatility labels (point in time)`,
      (market) => detectorLabels(market, detectors[name]),
    ]),
  ];
  for (const [name, labelsOf] of sources) {
    const started = performance.now();
    const { recovered, misses } = plantedPairRecovery(seeds, labelsOf, definition);
    log(
      `  ${name.padEnd(38)} ${recovered} of ${seeds} seeds (${((100 * recovered) / seeds).toFixed(0)} %) ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    if (misses.length > 0) log(`    missed (calm, turbulent winners): ${misses.join('; ')}`);
  }
}

export { speed, plantedVolatility, fatTailedVolatility, demoMarket };

export function runRegimeBench(log: (line: string) => void = console.log): void {
  speed(log);
  plantedVolatility(log);
  fatTailedVolatility(log);
  demoMarket(log);
  plantedPairs(log);
}
