import {
  COMMISSION_UNIT,
  commissionRateFromPercent,
  MAX_COMMISSION_PERCENT,
} from '../../shared/commission.ts';
import type { DetectorName } from '../../core/regime/detector.ts';
import { DEFAULT_DETECTOR } from '../../shared/regimeChoices.ts';
import type { Timeframe } from '../../core/data/bars.ts';
import type { SamplerKind } from '../../core/optimize/sampler.ts';
import type { SliceAggregation } from '../../core/optimize/slices.ts';
import type { CachedStudyStartInput, SpaceParam, StrategyInfo } from '../../shared/contract.ts';
import { METRIC_DEFINITIONS } from '../../core/metrics/definitions.ts';
import { constraintSatisfiable, constraintSource } from '../../core/strategy-api/constraints.ts';
import {
  PRODUCT_OBJECTIVE_METRICS,
  SAMPLER_KINDS,
  type ObjectiveModeChoice,
  type ProductObjectiveMetric,
} from '../../shared/optimizeChoices.ts';
import { DAY_MS } from '../format.ts';

/** The samplers a study can use, in the order the form offers them. */
export const SAMPLERS = SAMPLER_KINDS;

export const SAMPLER_HINTS: Record<SamplerKind, string> = {
  grid: 'every combination of the steps, in order',
  random: 'uniform draws, seeded',
  tpe: 'Bayesian (tree-structured Parzen estimator)',
  ga: 'genetic: tournament, crossover, mutation, elitism',
  nsga2: 'genetic for several objectives (Pareto)',
};

export type ObjectiveMetric = ProductObjectiveMetric;

/** The product's objectives with the catalogue's direction, the one the services apply by default. */
export const PRODUCT_OBJECTIVES = PRODUCT_OBJECTIVE_METRICS.map((metric) => ({
  metric,
  direction: METRIC_DEFINITIONS[metric].direction,
}));

export type ObjectiveMode = ObjectiveModeChoice;

/** One strategy parameter in the form: searched over a range, or held at one value. Text as typed. */
export interface SpaceDraft {
  name: string;
  type: 'int' | 'float';
  ranged: boolean;
  value: string;
  min: string;
  max: string;
  /** Empty for a float: continuous. */
  step: string;
}

export interface ObjectiveDraft {
  metric: ObjectiveMetric;
  enabled: boolean;
  weight: string;
}

export interface SetupDraft {
  strategy: string | null;
  space: SpaceDraft[];
  symbol: string | null;
  /** One timeframe, or several scored together (multi-timeframe). */
  timeframes: Timeframe[];
  /** Symbols scored together with `symbol`, every trial on each (empty: `symbol` alone). */
  otherSymbols: string[];
  /** Per-symbol weights as typed, used under 'weighted' (empty: 1). */
  symbolWeights: Record<string, string>;
  /** How the timeframes' and symbols' metrics combine into the one a trial is ranked by. */
  aggregation: SliceAggregation;
  /** yyyy-mm-dd or empty. */
  start: string;
  end: string;
  sampler: SamplerKind;
  objectives: ObjectiveDraft[];
  mode: ObjectiveMode;
  trials: string;
  /** Empty: the services draw a seed and report it. */
  seed: string;
  minTrades: string;
  cash: string;
  /** Percent of traded value, as typed. */
  commission: string;
  preferPlateau: boolean;
  /**
   * The last part of the data the search never sees, as typed: empty (none), a percentage ("20%" or
   * "20") or the first held-out date (yyyy-mm-dd); the study then shows its winner there.
   */
  holdout: string;
  /** Also one set per regime from the study's trials, by this detector, with this evidence per regime. */
  perRegime: boolean;
  regimeDetector: DetectorName;
  regimeMinTrades: string;
  /** Bars a regime's set stays in force once switched to (the sets' own dwell, not the detector's). */
  regimeMinDwell: string;
}

export function emptySetup(): SetupDraft {
  return {
    strategy: null,
    space: [],
    symbol: null,
    timeframes: ['1h'],
    otherSymbols: [],
    symbolWeights: {},
    aggregation: 'worst',
    start: '',
    end: '',
    sampler: 'tpe',
    objectives: PRODUCT_OBJECTIVES.map((o) => ({
      metric: o.metric,
      enabled: o.metric === 'sharpeRatio',
      weight: '1',
    })),
    mode: 'single',
    trials: '200',
    seed: '',
    minTrades: '5',
    cash: '10000',
    commission: '0',
    preferPlateau: false,
    holdout: '',
    perRegime: false,
    regimeDetector: DEFAULT_DETECTOR,
    regimeMinTrades: '30',
    regimeMinDwell: '5',
  };
}

/** The strategy's own ranges are the default space: every parameter searched from min to max by its step. */
export function defaultSpace(strategy: StrategyInfo): SpaceDraft[] {
  return strategy.params.map((spec) => ({
    name: spec.name,
    type: spec.type,
    ranged: true,
    value: String(spec.default),
    min: String(spec.min),
    max: String(spec.max),
    step: spec.step !== undefined ? String(spec.step) : spec.type === 'int' ? '1' : '',
  }));
}

export interface SetupCheck {
  /** The request to send, when every field is usable. */
  request: CachedStudyStartInput | null;
  /** Field key (a parameter name, or 'trials', 'objectives', ...) -> what is wrong with it. */
  errors: Record<string, string>;
  /** Points a grid would visit (null when a ranged float is continuous or the space is invalid). */
  gridSize: number | null;
}

function parseDate(text: string): number | null | 'invalid' {
  if (text.trim() === '') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!match) return 'invalid';
  const t = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls a 13th month or a 31 February over into the next: such a day is not a date.
  return new Date(t).toISOString().slice(0, 10) === text.trim() ? t : 'invalid';
}

function numberOf(text: string): number | null {
  if (text.trim() === '') return null;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : null;
}

/** Checks the form and builds the `optimize:start` request; every error names its field. */
export function checkSetup(draft: SetupDraft, strategy: StrategyInfo | null): SetupCheck {
  const errors: Record<string, string> = {};
  const space: SpaceParam[] = [];
  let gridSize: number | null = 1;
  if (!strategy) errors.strategy = 'choose a strategy';
  if (!draft.symbol) errors.symbol = 'choose a symbol';
  if (draft.timeframes.length === 0) errors.timeframes = 'choose at least one timeframe';

  const values: Record<string, { low: number; high: number }> = {};
  for (const p of draft.space) {
    const spec = strategy?.params.find((s) => s.name === p.name);
    if (!spec) continue;
    const isInt = p.type === 'int';
    // A search may reach anywhere a run is valid; the spec's min/max only prefill the form.
    const { min: lowest, max: highest } = spec.limits;
    const inBounds = (v: number): boolean => v >= lowest && v <= highest;
    if (!p.ranged) {
      const value = numberOf(p.value);
      if (value === null) errors[p.name] = 'a number';
      else if (isInt && !Number.isInteger(value)) errors[p.name] = 'a whole number';
      else if (!inBounds(value)) errors[p.name] = `between ${lowest} and ${highest}`;
      else {
        // A held parameter is a range of one point, so constraints can still compare it.
        space.push(
          isInt
            ? { kind: 'int', name: p.name, low: value, high: value, step: 1, log: false }
            : { kind: 'float', name: p.name, low: value, high: value, step: null, log: false },
        );
        values[p.name] = { low: value, high: value };
      }
      continue;
    }
    const low = numberOf(p.min);
    const high = numberOf(p.max);
    const step = p.step.trim() === '' ? null : numberOf(p.step);
    if (low === null || high === null) errors[p.name] = 'min and max are numbers';
    else if (isInt && (!Number.isInteger(low) || !Number.isInteger(high))) errors[p.name] = 'whole numbers';
    else if (!inBounds(low) || !inBounds(high)) errors[p.name] = `within ${lowest} – ${highest}`;
    else if (low > high) errors[p.name] = 'min above max';
    else if (p.step.trim() !== '' && (step === null || step <= 0)) errors[p.name] = 'step > 0';
    else if (isInt && step !== null && !Number.isInteger(step)) errors[p.name] = 'whole-number step';
    else if (isInt && step === null) errors[p.name] = 'an int needs a step';
    else {
      if (isInt) space.push({ kind: 'int', name: p.name, low, high, step: step ?? 1, log: false });
      else space.push({ kind: 'float', name: p.name, low, high, step, log: false });
      values[p.name] = { low, high };
      if (gridSize !== null)
        gridSize = step === null ? null : gridSize * (Math.floor((high - low) / step + 1e-9) + 1);
    }
  }
  // A constraint no point can meet leaves nothing to search: say so before the services do.
  for (const constraint of strategy?.constraints ?? [])
    if (!constraintSatisfiable(constraint, values))
      errors[constraint.left] = `no value in the range meets ${constraintSource(constraint)}`;

  const objectives = draft.objectives.filter((o) => o.enabled);
  if (objectives.length === 0) errors.objectives = 'choose at least one objective';
  const mode: ObjectiveMode =
    objectives.length < 2 ? 'single' : draft.mode === 'single' ? 'pareto' : draft.mode;
  const weights: Record<string, number> = {};
  if (mode === 'weighted') {
    for (const o of objectives) {
      const weight = numberOf(o.weight);
      if (weight === null) errors[`weight-${o.metric}`] = 'a number';
      else weights[o.metric] = weight;
    }
  }

  const trials = numberOf(draft.trials);
  if (trials === null || !Number.isInteger(trials) || trials < 1 || trials > 1_000_000)
    errors.trials = '1 – 1,000,000';
  const seedValue = draft.seed.trim() === '' ? undefined : numberOf(draft.seed);
  const seed = seedValue ?? undefined;
  if (
    seedValue === null ||
    (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1))
  )
    errors.seed = 'a whole number ≥ 0, or empty';
  const minTrades = numberOf(draft.minTrades);
  if (minTrades === null || !Number.isInteger(minTrades) || minTrades < 0)
    errors.minTrades = 'a whole number ≥ 0';
  const regimeMinTrades = numberOf(draft.regimeMinTrades);
  if (
    draft.perRegime &&
    (regimeMinTrades === null || !Number.isInteger(regimeMinTrades) || regimeMinTrades < 0)
  )
    errors.regimeMinTrades = 'a whole number ≥ 0';
  const regimeMinDwell = numberOf(draft.regimeMinDwell);
  if (draft.perRegime && (regimeMinDwell === null || !Number.isInteger(regimeMinDwell) || regimeMinDwell < 1))
    errors.regimeMinDwell = 'a whole number of bars ≥ 1';
  const cash = numberOf(draft.cash);
  if (cash === null || cash <= 0) errors.cash = 'a positive amount';
  const commission = numberOf(draft.commission);
  if (commission === null || commission < 0 || commission > MAX_COMMISSION_PERCENT)
    errors.commission = `between 0 and ${MAX_COMMISSION_PERCENT} (${COMMISSION_UNIT})`;
  const start = parseDate(draft.start);
  const end = parseDate(draft.end);
  if (start === 'invalid') errors.start = 'yyyy-mm-dd';
  if (end === 'invalid') errors.end = 'yyyy-mm-dd';
  if (typeof start === 'number' && typeof end === 'number' && start >= end) errors.end = 'after the start';

  const holdout = holdoutOf(draft.holdout);
  if (holdout === 'invalid') errors.holdout = 'a percentage (20%) or a date (yyyy-mm-dd)';

  const symbols = studySymbols(draft);
  const weighted = draft.aggregation === 'weighted';
  // The form weighs symbols only; timeframes under 'weighted' would each need a weight it does not ask.
  if (weighted && symbols.length < 2) errors.aggregation = 'weighted needs several symbols';
  const symbolWeights: Record<string, number> = {};
  if (weighted)
    for (const symbol of symbols) {
      const weight = numberOf(draft.symbolWeights[symbol] ?? '1');
      if (weight === null || weight <= 0) errors[`symbolWeight-${symbol}`] = 'a number above 0';
      else symbolWeights[symbol] = weight;
    }

  const ok = Object.keys(errors).length === 0;
  if (!ok || !strategy || !draft.symbol || trials === null || minTrades === null || cash === null)
    return { request: null, errors, gridSize: ok ? gridSize : null };
  const request: CachedStudyStartInput = {
    name: `${strategy.name} ${symbols.join(',')} ${draft.timeframes.join('+')} ${draft.sampler}`,
    strategy: strategy.name,
    data: {
      ...(symbols.length > 1
        ? { symbols, ...(weighted ? { symbolWeights } : {}) }
        : { symbol: draft.symbol }),
      timeframes: draft.timeframes,
      ...(typeof start === 'number' ? { start } : {}),
      // The form's end date is inclusive; the contract's end is exclusive.
      ...(typeof end === 'number' ? { end: end + DAY_MS } : {}),
      aggregation: draft.aggregation,
      ...(holdout === null || holdout === 'invalid' ? {} : { holdout }),
    },
    space,
    constraints: strategy.constraints.map(constraintSource),
    sampler: draft.sampler,
    objectives: objectives.map((o) => ({
      metric: o.metric,
      ...(mode === 'weighted' ? { weight: weights[o.metric] ?? 1 } : {}),
    })),
    mode,
    trials,
    ...(seed === undefined ? {} : { seed }),
    minTrades,
    cash,
    commission: commissionRateFromPercent(commission ?? 0),
    preferPlateau: draft.preferPlateau,
    ...(draft.perRegime
      ? {
          perRegime: {
            detector: draft.regimeDetector,
            minTrades: regimeMinTrades ?? 30,
            minDwell: regimeMinDwell ?? 5,
          },
        }
      : {}),
  };
  return { request, errors, gridSize };
}

/** The symbols a study of the form scores, the main one first (none until one is chosen). */
export function studySymbols(draft: Pick<SetupDraft, 'symbol' | 'otherSymbols'>): string[] {
  if (!draft.symbol) return [];
  return [draft.symbol, ...draft.otherSymbols.filter((s) => s !== draft.symbol)];
}

/**
 * The holdout as typed: a percentage of the bars (1 to 90, "%" optional, as the CLI's --holdout 20%) or
 * the first held-out day (yyyy-mm-dd, UTC); null when empty.
 */
export function holdoutOf(text: string): { fraction: number } | { from: number } | null | 'invalid' {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const percent = /^(\d+(?:\.\d+)?)\s*%?$/.exec(trimmed);
  if (percent !== null) {
    const value = Number(percent[1]);
    return value > 0 && value <= 90 ? { fraction: value / 100 } : 'invalid';
  }
  const date = parseDate(trimmed);
  return typeof date === 'number' ? { from: date } : 'invalid';
}
