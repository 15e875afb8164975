/**
 * Turning an optimisation request (from the contract or the CLI) into what a study needs: the strategy's
 * search space, objectives checked against the metrics that exist, the sampler configuration, and a
 * description of the data that is stored with the study so a resumed study reads the same bars.
 */
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import { firstIndexAtOrAfter, sliceBars, sliceBarsByTime } from '../../../core/data/bars.ts';
import type { BacktestOptions, CostSettings } from '../../../core/engine/index.ts';
import { METRIC_KEYS } from '../../../core/metrics/index.ts';
import {
  createSpace,
  parseObjective,
  parseSpace,
  strategySpace,
  type Objective,
  type ObjectiveMode,
  type SearchDimension,
  type SamplerConfig,
  type SearchSpace,
  sliceLabel,
  type DataSlice,
} from '../../../core/optimize/index.ts';
import type { StrategyDefinition, StrategyRef } from '../../../core/strategy/index.ts';
import type { ObjectiveInput, SamplerInput, SpaceParam } from '../../../shared/optimizeContract.ts';
import { InputError, RequestError } from '../../../shared/errors.ts';
import { combinedFingerprint, datasetFingerprint } from '../../compute/fingerprint.ts';
import { InProcessExecutor } from '../../compute/inProcess.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import { runsUserCode } from '../../compute/userStrategies.ts';
import type { DatasetRef } from '../../compute/tasks.ts';
import type { CostRequest } from '../costs.ts';
import {
  loadDatasets,
  loadWarmedDataset,
  NATIVE_TIMEFRAME,
  type BarsReader,
  type LoadedDataset,
} from '../../marketdata/barsSource.ts';
import type { StudyDefinition } from './studyRecords.ts';

export { NATIVE_TIMEFRAME };

/** A study ready to be created. */
export interface NewStudy {
  readonly name: string;
  /** The trader's note ('' or absent: none). */
  readonly note?: string;
  readonly definition: StudyDefinition;
  readonly space: SearchSpace;
  readonly sampler: SamplerConfig;
  readonly objectives: readonly Objective[];
  readonly mode?: ObjectiveMode;
  readonly seed: number;
  readonly minTrades: number;
}

/** A request the caller got wrong (a 400 on the contract, exit code 2 in the CLI). */
export class StudyInputError extends InputError {
  override name = 'StudyInputError';
}

export function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

/**
 * The space of a study: CLI spec strings, parameter objects, or (absent) the strategy's own. Every
 * parameter must be one of the strategy's and take numeric values only (strategies take numbers).
 */
export function resolveSpace(
  strategy: StrategyDefinition,
  space: readonly string[] | readonly SpaceParam[] | undefined,
  constraints: readonly string[],
): SearchSpace {
  let resolved: SearchSpace;
  try {
    if (space === undefined) resolved = strategySpace(strategy, constraints);
    else if (space.every((s): s is string => typeof s === 'string'))
      resolved = parseSpace(space, constraints);
    else resolved = createSpace(space as readonly SearchDimension[], constraints);
  } catch (error) {
    throw new StudyInputError(error instanceof Error ? error.message : String(error));
  }
  const known = strategy.params.map((p) => p.name);
  for (const p of resolved.params) {
    if (!known.includes(p.name)) {
      throw new StudyInputError(
        `space: "${p.name}" is not a parameter of ${strategy.name} (parameters: ${known.join(', ')})`,
      );
    }
    if (p.kind === 'categorical' && p.choices.some((c) => typeof c !== 'number')) {
      throw new StudyInputError(
        `space: "${p.name}" must have numeric choices (strategy parameters are numbers)`,
      );
    }
  }
  return resolved;
}

/** Objectives from their contract form: defaults from the CLI parser, metric names checked. */
export function resolveObjectives(inputs: readonly ObjectiveInput[]): Objective[] {
  return inputs.map((input) => {
    const known: readonly string[] = METRIC_KEYS;
    if (!known.includes(input.metric)) {
      throw new StudyInputError(
        `objective: unknown metric "${input.metric}" (metrics: ${METRIC_KEYS.join(', ')})`,
      );
    }
    const base = parseObjective(input.metric);
    return {
      metric: input.metric,
      direction: input.direction ?? base.direction,
      ...(input.weight === undefined ? {} : { weight: input.weight }),
      ...((input.absolute ?? base.absolute) === true ? { absolute: true } : {}),
    };
  });
}

/** Objectives from the CLI form `metric[:max|min[:weight]]`, metric names checked. */
export function parseObjectives(texts: readonly string[]): Objective[] {
  return texts.map((text) => {
    let objective: Objective;
    try {
      objective = parseObjective(text);
    } catch (error) {
      throw new StudyInputError(error instanceof Error ? error.message : String(error));
    }
    resolveObjectives([{ metric: objective.metric }]);
    return objective;
  });
}

export function resolveSampler(input: SamplerInput): SamplerConfig {
  if (typeof input === 'string') return { kind: input };
  return { kind: input.kind, ...input.options } as SamplerConfig;
}

export function checkMode(mode: ObjectiveMode | undefined, objectives: readonly Objective[]): void {
  if (mode !== undefined && mode !== 'single' && objectives.length < 2)
    throw new StudyInputError(`mode "${mode}" needs at least two objectives`);
}

export { getStrategyOrThrow, studyStrategyRef } from '../backtest/strategyCatalog.ts';

/** Strategy parameters of a trial: numeric values over the strategy's defaults. */
export function strategyParams(params: Readonly<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'number')
      throw new Error(`parameter "${name}" must be a number (got ${String(value)})`);
    out[name] = value;
  }
  return out;
}

/**
 * One dataset per slice of a study (each symbol at each timeframe, symbols outermost), shared with the
 * workers (bars copied into shared memory once).
 */
export interface StudyDatasets {
  readonly label: string;
  /** What the search scores: with a holdout, only the bars before it. */
  readonly datasets: readonly StudySlice[];
  /**
   * Where the held-out part begins (its time, its index in the first slice) and every slice's whole bars,
   * in `datasets`' order (a study with a holdout only).
   */
  readonly holdout?: { readonly from: number; readonly index: number; readonly all: readonly DatasetRef[] };
  /** Where the trials warm up, for a study that warms before its range (StudyDefinition's warmUp). */
  readonly warmUp?: StudyWarmUp;
}

/**
 * A study's warm-up before its range: the space's longest warm-up (warmupProbes) in bars, and the fewest
 * bars any slice had before the range to warm on (fewer than `longest`: a trial warming longer warms
 * its remaining bars inside the range, as a backtest without the history does; 0: all inside it).
 */
export interface StudyWarmUp {
  readonly longest: number;
  readonly before: number;
}

/** One symbol at one timeframe: `label` is the key its metrics are kept under (`metric@label`). */
export interface StudySlice extends DataSlice {
  readonly label: string;
  /** The bars, from the ones before the range that warm the strategy up (see `from`) to its end. */
  readonly ref: DatasetRef;
  /**
   * The first bar of the range (absent: 0): trials trade from it (options.tradeFrom) and are scored from
   * it on, the bars before it only warm their indicators, as a backtest from the range's start.
   */
  readonly from?: number;
}

/**
 * A slice's range alone, without the bars before it that only warm up, identified as a read of the range
 * would be (so a run stored by that id, or a fingerprint of it, is the same either way).
 */
export function rangeRef({ ref, from = 0 }: StudySlice): DatasetRef {
  if (from === 0) return ref;
  const bars = sliceBars(ref.bars, from, ref.bars.t.length);
  return { id: datasetFingerprint(bars), bars };
}

/**
 * Every symbol's bars at every timeframe, as the live provenance fingerprints them (a cache source only:
 * a file's is the file's bytes): the range's, held-out part included, not the bars before it that only
 * warm up. Only a study's start records it, so it is computed there, not on every read of a study's bars.
 */
export function studyDataFingerprint(
  source: StudyDefinition['source'],
  data: StudyDatasets,
): string | undefined {
  if (source.kind !== 'cache') return undefined;
  const whole = data.holdout?.all;
  return combinedFingerprint(
    data.datasets.map((slice, i) => rangeRef(whole === undefined ? slice : { ...slice, ref: whole[i]! }).id),
  );
}

/** The first bar a set of the study's space would trade on a dataset, longest over the space (see loadStudyDatasets). */
export type WarmUpProbe = (dataset: DatasetRef) => Promise<number>;

/**
 * The space's longest warm-up on a dataset (core's longestWarmup of warmupProbes: its upper corner and a
 * seeded sample), asked of `executor` (only a worker runs a user's strategy).
 */
export function spaceWarmUp(
  executor: TaskExecutor,
  strategy: StrategyRef,
  space: SearchSpace,
  seed: number,
  options: BacktestOptions,
): WarmUpProbe {
  return async (dataset) =>
    (await executor.run({ kind: 'space-warmup', dataset, strategy, space, seed, options })).startIndex;
}

/** The datasets of a study of one slice (a walk-forward window, a bench): `label` is its symbol. */
export function oneSliceData(label: string, timeframe: string, ref: DatasetRef): StudyDatasets {
  return { label, datasets: [{ symbol: label, timeframe, label: timeframe, ref }] };
}

/**
 * Where the held-out part of `t` (the first timeframe's times) begins: its index and time. Refused,
 * naming data.holdout, when it leaves nothing to search or nothing to hold out.
 */
function holdoutStart(t: Float64Array, holdout: NonNullable<StudyDefinition['holdout']>): number {
  const index =
    'fraction' in holdout
      ? Math.floor(t.length * (1 - holdout.fraction))
      : firstIndexAtOrAfter(t, holdout.from);
  // Fewer than two bars on either side cannot be scored (returns need two equity points).
  if (index < 2 || t.length - index < 2)
    throw new InputError(
      `data.holdout: holding out ${'fraction' in holdout ? `${holdout.fraction * 100} %` : `from ${new Date(holdout.from).toISOString()}`} ` +
        `of ${t.length} bars leaves ${index} to search and ${t.length - index} held out; both need at least 2`,
      'data.holdout',
    );
  return index;
}

/** How a study's source is named in its default name and its label: its symbols, a file by its name. */
export function studySourceLabel(source: StudyDefinition['source']): string {
  return studySymbols(source).join('+');
}

/** A cache source from a request's `symbol` or `symbols` (the contract allows exactly one of them). */
export function cacheSource(data: {
  readonly symbol?: string | undefined;
  readonly symbols?: readonly string[] | undefined;
}): Extract<StudyDefinition['source'], { kind: 'cache' }> {
  const symbols = data.symbols ?? (data.symbol === undefined ? [] : [data.symbol]);
  if (symbols.length === 0)
    throw new StudyInputError('give a symbol (data.symbol or data.symbols)', 'data.symbol');
  return symbols.length === 1
    ? { kind: 'cache', symbol: symbols[0]! }
    : { kind: 'cache', symbol: symbols[0]!, symbols: [...symbols] };
}

/**
 * Refuses a definition whose symbols or weights cannot be scored, naming the request field: a symbol
 * given twice; per-symbol weights without several symbols, for a symbol not studied, or not above 0;
 * under 'weighted', a symbol (of several) without a weight, or timeframe weights that miss a timeframe
 * (a study of one symbol needs them; a study of several weighs its timeframes equally without them).
 */
export function checkStudyDefinition(
  definition: Pick<StudyDefinition, 'source' | 'timeframes' | 'aggregation' | 'weights' | 'symbolWeights'>,
): void {
  const { source, timeframes, aggregation, weights, symbolWeights } = definition;
  const symbols = studySymbols(source);
  symbols.forEach((symbol, i) => {
    if (symbols.indexOf(symbol) !== i)
      throw new StudyInputError(`${symbol} is listed twice`, `data.symbols.${i}`);
  });
  const missing = (members: readonly string[], given: Readonly<Record<string, number>>): string =>
    members.filter((m) => given[m] === undefined).join(', ');
  if (symbolWeights !== undefined) {
    if (symbols.length < 2)
      throw new StudyInputError('per-symbol weights need several symbols', 'data.symbolWeights');
    for (const [symbol, weight] of Object.entries(symbolWeights)) {
      if (!symbols.includes(symbol))
        throw new StudyInputError(
          `a weight for ${symbol}, which the study does not score (symbols: ${symbols.join(', ')})`,
          `data.symbolWeights.${symbol}`,
        );
      if (!(weight > 0 && Number.isFinite(weight)))
        throw new StudyInputError(
          `the weight of ${symbol} must be above 0 (got ${weight})`,
          `data.symbolWeights.${symbol}`,
        );
    }
  }
  if (aggregation !== 'weighted') return;
  if (symbols.length > 1 && missing(symbols, symbolWeights ?? {}) !== '')
    throw new StudyInputError(
      `aggregation 'weighted' needs a weight for every symbol: none for ${missing(symbols, symbolWeights ?? {})}`,
      'data.symbolWeights',
    );
  const timeframeWeightsNeeded = timeframes.length > 1 && (weights !== undefined || symbols.length < 2);
  if (timeframeWeightsNeeded && missing(timeframes, weights ?? {}) !== '')
    throw new StudyInputError(
      `aggregation 'weighted' needs a weight for every timeframe: none for ${missing(timeframes, weights ?? {})}`,
      'data.weights',
    );
}

/** The symbols a study scores together (one unless it names several; one file is named by its name). */
export function studySymbols(source: StudyDefinition['source']): readonly string[] {
  if (source.kind === 'file') return source.files?.map((f) => f.symbol) ?? [basename(source.path)];
  return source.symbols ?? [source.symbol];
}

/**
 * The slices a study scores, symbols outermost (each symbol at each of its timeframes), each with the
 * key its metrics are kept under; a file is one symbol named by the file.
 */
export function studySlices(
  definition: Pick<StudyDefinition, 'source' | 'timeframes'>,
): (DataSlice & { readonly label: string })[] {
  const { source, timeframes } = definition;
  const symbols = studySymbols(source);
  return symbols.flatMap((symbol) =>
    timeframes.map((timeframe) => ({
      symbol,
      timeframe,
      label: sliceLabel({ symbol, timeframe }, symbols.length, timeframes.length),
    })),
  );
}

/**
 * Where a refusal about one symbol of a study of several is placed: `data.symbols.N` for the symbol
 * itself (unknown, nothing cached), `data.FIELD` for the rest (its message names the symbol).
 */
function symbolFieldOf(error: unknown, index: number, several: boolean): unknown {
  if (!(error instanceof RequestError)) return error;
  if (several && error.field === 'symbol') {
    error.field = `data.symbols.${index}`;
    return error;
  }
  return error.nestedIn('data.');
}

/**
 * The warm-up probe of a study that warms up before its range (none for one stored before): its space's
 * longest warm-up. A built-in strategy is measured on this thread (a few `init`s on the first bars only,
 * longestWarmup's prefix: milliseconds on a year of 1m bars, where a pool thread costs more and may be
 * busy with another study's trials), a user's on `executor`.
 */
export function studyWarmUp(
  executor: TaskExecutor,
  definition: Pick<StudyDefinition, 'strategy' | 'options' | 'warmUp'>,
  config: { readonly space: SearchSpace; readonly seed: number },
): WarmUpProbe | undefined {
  if (definition.warmUp !== 'before-range') return undefined;
  const runner = runsUserCode(definition.strategy) ? executor : new InProcessExecutor();
  return spaceWarmUp(runner, definition.strategy, config.space, config.seed, definition.options);
}

/**
 * Reads a study's bars for each of its slices (every symbol at every timeframe). A study that warms up
 * before its range (`warmUp: 'before-range'`, with a start) reads, as a backtest from its start does, the
 * bars before it that `probe` (the space's longest warm-up, spaceWarmUp) says its trials need, where the
 * source has them; a study stored before that, or read without a probe (the bars' fingerprint alone),
 * reads its range alone.
 */
export async function loadStudyDatasets(
  definition: Pick<
    StudyDefinition,
    'source' | 'timeframes' | 'start' | 'end' | 'session' | 'holdout' | 'warmUp'
  >,
  repo: BarsReader | null,
  probe?: WarmUpProbe,
): Promise<StudyDatasets> {
  const { source, timeframes } = definition;
  const range = {
    start: definition.start ?? undefined,
    end: definition.end ?? undefined,
    // The same session for every timeframe, as a backtest reads it.
    ...(definition.session === undefined ? {} : { session: definition.session }),
  };
  const label = studySourceLabel(source);
  const slices = studySlices(definition);
  const symbols = studySymbols(source);
  const datasets: StudySlice[] = [];
  const warm = definition.warmUp === 'before-range' && probe !== undefined && range.start !== undefined;
  // The longest warm-up of the last measure of each slice (its bars with as many before the range as
  // the source had): what the bars before the range were read for.
  let longest = 0;
  const measure: WarmUpProbe = async (dataset) => {
    const start = await probe!(dataset);
    longest = Math.max(longest, start);
    return start;
  };
  for (const [i, symbol] of symbols.entries()) {
    const one =
      source.kind === 'file'
        ? { kind: 'file' as const, path: source.files?.[i]!.path ?? source.path }
        : { kind: 'cache' as const, symbol };
    // A study's symbols and range are under `data` in its request.
    const loaded: { dataset: LoadedDataset; from: number }[] = await (async () => {
      if (!warm)
        return (await loadDatasets(one, timeframes, range, repo)).map((dataset) => ({ dataset, from: 0 }));
      const out = [];
      for (const timeframe of timeframes)
        out.push(await loadWarmedDataset(one, timeframe, range, repo, measure));
      return out;
    })().catch((error: unknown) => {
      throw symbolFieldOf(error, i, symbols.length > 1);
    });
    for (const { dataset, from } of loaded) {
      const slice = slices[datasets.length]!;
      datasets.push({ ...slice, ref: { id: dataset.id, bars: dataset.bars }, ...(warm ? { from } : {}) });
    }
  }
  const warmUp = warm
    ? { longest, before: Math.min(...datasets.map((slice) => slice.from ?? 0)) }
    : undefined;
  const rest = warmUp === undefined ? {} : { warmUp };
  if (definition.holdout === undefined) return { label, datasets, ...rest };
  const all = datasets[0]!.ref;
  // A share of the range's bars is held out, not of the bars before it that only warm up.
  const first = datasets[0]!.from ?? 0;
  const from = all.bars.t[first + holdoutStart(all.bars.t.subarray(first), definition.holdout)]!;
  return {
    label,
    // Every slice stops before the first held-out bar's time: no trial reads a bar from it on.
    datasets: datasets.map((slice) => ({
      ...slice,
      ref: { id: `${slice.ref.id}:before:${from}`, bars: sliceBarsByTime(slice.ref.bars, null, from) },
    })),
    holdout: { from, index: firstIndexAtOrAfter(all.bars.t, from), all: datasets.map((slice) => slice.ref) },
    ...rest,
  };
}

/**
 * A search request's engine options as stored with a study, costs aside (searchCostsOf): the execution
 * flags only when they differ from the engine's defaults (so a plain study's document stays as it was).
 */
export function searchOptionsOf(request: {
  readonly cash: number;
  readonly longOnly: boolean;
  readonly closeAtEnd: boolean;
  readonly fillAt: 'next-open' | 'close';
}): Omit<BacktestOptions, 'commission' | 'slippage' | 'financing'> {
  return {
    cash: request.cash,
    ...(request.longOnly ? { longOnly: true } : {}),
    ...(request.closeAtEnd ? { closeAtEnd: true } : {}),
    ...(request.fillAt === 'close' ? { fillAt: 'close' } : {}),
  };
}

/**
 * A search request's costs, resolved against the data's asset class once it is known: --slippage-bps
 * adds to the cost settings' spread and impact, as it does for a study run in the CLI's own process.
 */
export function searchCostsOf(request: {
  readonly commission: number;
  readonly slippageBps: number;
  readonly costs?: Partial<CostSettings> | undefined;
}): CostRequest {
  return { commissionRate: request.commission, settings: request.costs, extraBps: request.slippageBps };
}
