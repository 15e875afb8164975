/**
 * A planted market where each volatility regime has its own best moving-average pair (issue 11 item 9),
 * and the check that a per-regime study recovers each pair: shared by the test that holds the rate and
 * the bench that prints it over 50 seeds.
 *
 * Each bar's log return carries a drift of `edge` x sigma in the direction of the current regime's own
 * pair (sign of its fast minus slow SMA at the previous close), so that pair is the one that earns it;
 * a weak pull to the mean keeps the averages crossing. Calm and turbulent spells alternate as a Markov
 * chain, the turbulent sigma three times the calm one, for the detector to tell them apart.
 */
import { allocateBars, type Bars } from '../data/bars.ts';
import { DAY_MS } from '../data/calendar.ts';
import { createRng } from '../math/random.ts';
import { createSpace, findParam, intParam, stepIndex, type SearchSpace } from '../optimize/space.ts';
import type { StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import { BocpdDetector } from './bocpd.ts';
import type { DetectorName, RegimeDetector } from './detector.ts';
import { HmmDetector } from './hmm.ts';
import { JumpDetector } from './jump.ts';
import { allocateRegimeOutput, Level } from './labels.ts';
import { evaluateCandidates, sampleCandidates, selectRegimeSets } from './perRegime.ts';
import { RuleDetector } from './rules.ts';
import { regimeSchedule } from './switched.ts';

export interface PlantedRegime {
  readonly fast: number;
  readonly slow: number;
  readonly sigma: number;
  /** Drift per bar in units of sigma, in the direction of the pair's signal. */
  readonly edge: number;
}

/** Calm: a slow pair; turbulent: a fast one, three times the volatility. Equal drift per bar in both. */
export const PLANTED_REGIMES: readonly [calm: PlantedRegime, turbulent: PlantedRegime] = [
  { fast: 10, slow: 40, sigma: 0.008, edge: 0.3 },
  { fast: 2, slow: 10, sigma: 0.024, edge: 0.1 },
];

/** The moving-average grid of the check: 56 pairs, the planted ones among them. */
export const PLANTED_GRID: SearchSpace = createSpace(
  [intParam('fast', 2, 26, { step: 4 }), intParam('slow', 10, 90, { step: 10 })],
  ['fast<slow'],
);

export interface PlantedPairMarket {
  readonly bars: Bars;
  /** 0 calm, 1 turbulent, per bar. */
  readonly states: Uint8Array;
}

function smaAt(close: Float64Array, i: number, window: number): number {
  let sum = 0;
  for (let k = i - window + 1; k <= i; k++) sum += close[k]!;
  return sum / window;
}

/**
 * Day bars of the planted market. `stay` is the chance a regime continues to the next bar; `only` pins
 * one regime throughout (the long single-regime series on which each pair is checked to be the best).
 */
export function plantedPairMarket(
  n: number,
  seed: number,
  options: { readonly stay?: number; readonly only?: 0 | 1; readonly meanReversion?: number } = {},
): PlantedPairMarket {
  const stay = options.stay ?? 0.998;
  const pull = options.meanReversion ?? 0.02;
  const rng = createRng(seed);
  const bars = allocateBars(n);
  const states = new Uint8Array(n);
  let state = options.only ?? rng.int(2);
  let x = 0;
  let previous = 100;
  for (let i = 0; i < n; i++) {
    if (options.only === undefined && i > 0 && rng.float() >= stay) state = 1 - state;
    states[i] = state;
    const regime = PLANTED_REGIMES[state]!;
    const signal =
      i > regime.slow ? Math.sign(smaAt(bars.c, i - 1, regime.fast) - smaAt(bars.c, i - 1, regime.slow)) : 0;
    x += -pull * x + regime.edge * regime.sigma * signal + regime.sigma * rng.normal();
    const close = 100 * Math.exp(x);
    bars.t[i] = Date.UTC(1990, 0, 1) + i * DAY_MS;
    bars.o[i] = previous;
    bars.c[i] = close;
    bars.h[i] = Math.max(previous, close);
    bars.l[i] = Math.min(previous, close);
    bars.v[i] = 1_000_000;
    previous = close;
  }
  return { bars, states };
}

export interface RecoveryOutcome {
  /** The calm (low volatility) and turbulent (high) regimes' winners. */
  readonly winners: readonly [StrategyParams, StrategyParams];
  readonly fellBack: readonly [boolean, boolean];
}

/** The detector's point-in-time volatility labels of the planted market. */
export function detectorLabels(market: PlantedPairMarket, detector: RegimeDetector): Int8Array {
  const out = allocateRegimeOutput(detector.inputs, market.bars.t.length);
  detector.label(market.bars, out);
  return out.volatility.label;
}

/** The planted states as volatility labels: what a detector without delay or error would say. */
export function plantedLabels(market: PlantedPairMarket): Int8Array {
  return Int8Array.from(market.states, (state) => (state === 1 ? Level.High : Level.Low));
}

/** One seed of the recovery check: every candidate run, each regime's winner taken under `labels`. */
export function recoverPlantedPairs(
  market: PlantedPairMarket,
  labels: Int8Array,
  definition: StrategyDefinition,
  candidates: readonly StrategyParams[],
  options: { readonly minTrades: number; readonly minDwell: number },
): RecoveryOutcome {
  const schedule = regimeSchedule(labels, options.minDwell);
  const scores = evaluateCandidates(market.bars, definition, candidates, schedule, { periodsPerYear: 252 });
  const { regimes } = selectRegimeSets(scores, { minTrades: options.minTrades });
  const calm = regimes[Level.Low]!;
  const turbulent = regimes[Level.High]!;
  return { winners: [calm.params, turbulent.params], fellBack: [calm.fellBack, turbulent.fellBack] };
}

/**
 * Bars of each planted market of the check. With 8,000, the HMM's recovery was 45 of 50 seeds, and all
 * five misses were the calm regime's pair (the turbulent 2/10 always came back) though the labels matched
 * the planted states on 93-99 % of bars: the HMM labels nothing in its 2,386-bar warm-up, so the calm
 * regime was judged on 1,700-2,500 bars, three to five spells and 40-66 trades of its slow pair, where
 * 2/40 or 18/30 could win by chance (the planted labels, over all 8,000 bars, recovered four of the
 * five). 12,000 bars give it about the evidence the planted labels had: 49 of 50, as the planted labels
 * (47 before its volatility states shared one mean).
 */
export const PLANTED_PAIR_BARS = 12_000;

/**
 * The check over seeds 1001..1000 + seeds: the seeds whose two winners (sma-cross over PLANTED_GRID, at
 * least 5 trades per regime, a dwell of 5 bars) are both within one grid step of the planted pairs, and
 * the winners of the others.
 */
export function plantedPairRecovery(
  seeds: number,
  labelsOf: (market: PlantedPairMarket) => Int8Array,
  definition: StrategyDefinition,
): { recovered: number; misses: string[] } {
  const candidates = sampleCandidates(PLANTED_GRID, { kind: 'grid' }, 1000, 1);
  let recovered = 0;
  const misses: string[] = [];
  for (let seed = 1001; seed <= 1000 + seeds; seed++) {
    const market = plantedPairMarket(PLANTED_PAIR_BARS, seed);
    const outcome = recoverPlantedPairs(market, labelsOf(market), definition, candidates, {
      minTrades: 5,
      minDwell: 5,
    });
    if (withinOneStep(outcome, PLANTED_GRID)) recovered++;
    else misses.push(`${seed}: ${outcome.winners.map((p) => `${p.fast}/${p.slow}`).join(', ')}`);
  }
  return { recovered, misses };
}

/**
 * The detector of the check: a two-state volatility HMM on day bars, fitted on the last 2,000 bars every
 * year. The window must hold both regimes (a spell lasts 500 bars on average): fitted on 800 bars every
 * two years, a window inside one long spell split that regime in two, and until the next refit up to 930
 * calm bars of a seed were called turbulent (recovery 40 of 50 seeds, against 45 of 50 now).
 */
export function plantedDetector(): HmmDetector {
  return new HmmDetector({ ...PLANTED_MODEL_OPTIONS, states: { volatility: 2 }, axes: ['volatility'] });
}

/**
 * Windows and refit cadence of the check's detectors (two volatility states where a detector has states).
 * The check reads the volatility axis alone, so the model detectors fit no other: the same labels there
 * (each axis has its own model), a fifth of the HMM's time (its trend and volume EMs took 80 %).
 */
const PLANTED_MODEL_OPTIONS = {
  timeframe: '1d',
  windows: { history: 2000, short: 5 },
  refitDays: 365,
} as const;

/** Every detector as the check runs it (the bench's 50-seed figures): the rules split at the median. */
export function plantedDetectors(): Record<DetectorName, RegimeDetector> {
  return {
    rules: new RuleDetector({ ...PLANTED_MODEL_OPTIONS, lowQuantile: 0.5, highQuantile: 0.5 }),
    hmm: plantedDetector(),
    jump: new JumpDetector({ ...PLANTED_MODEL_OPTIONS, states: { volatility: 2 }, axes: ['volatility'] }),
    bocpd: new BocpdDetector(PLANTED_MODEL_OPTIONS),
  };
}

/** Both regimes have sets of their own, each within one grid step of its planted pair in every parameter. */
export function withinOneStep(outcome: RecoveryOutcome, grid: SearchSpace): boolean {
  return PLANTED_REGIMES.every((planted, k) => {
    if (outcome.fellBack[k]) return false;
    const winner = outcome.winners[k]!;
    return (['fast', 'slow'] as const).every((name) => {
      const spec = findParam(grid, name);
      if (spec === undefined || spec.kind === 'categorical')
        throw new RangeError(`planted pairs: the grid needs a numeric "${name}"`);
      return Math.abs(stepIndex(spec, winner[name]!) - stepIndex(spec, planted[name])) <= 1;
    });
  });
}
