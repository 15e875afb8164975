/**
 * Turning an optimisation request (from the contract or the CLI) into what a study needs: the strategy's
 * search space, objectives checked against the metrics that exist, the sampler configuration, and a
 * description of the data that is stored with the study so a resumed study reads the same bars.
 */
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import { firstIndexAtOrAfter, sliceBarsByTime } from '../../../core/data/bars.ts';
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
} from '../../../core/optimize/index.ts';
import type { StrategyDefinition } from '../../../core/strategy/index.ts';
import type { ObjectiveInput, SamplerInput, SpaceParam } from '../../../shared/optimizeContract.ts';
import { InputError, RequestError } from '../../../shared/errors.ts';
import type { DatasetRef } from '../../compute/tasks.ts';
import type { CostRequest } from '../costs.ts';
import { loadDatasets, NATIVE_TIMEFRAME, type BarsReader } from '../../marketdata/barsSource.ts';
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

/** One dataset per timeframe of a study, shared with the workers (bars copied into shared memory once). */
export interface StudyDatasets {
  readonly label: string;
  /** What the search scores: with a holdout, only the bars before it. */
  readonly datasets: readonly { readonly timeframe: string; readonly ref: DatasetRef }[];
  /** The whole first timeframe and where its held-out part begins (a study with a holdout only). */
  readonly holdout?: { readonly from: number; readonly index: number; readonly all: DatasetRef };
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

/** How a study's source is named in its default name and its label: the symbol, or the file's name. */
export function studySourceLabel(source: StudyDefinition['source']): string {
  return source.kind === 'file' ? basename(source.path) : source.symbol;
}

/** Reads a study's bars for each of its timeframes. */
export async function loadStudyDatasets(
  definition: Pick<StudyDefinition, 'source' | 'timeframes' | 'start' | 'end' | 'session' | 'holdout'>,
  repo: BarsReader | null,
): Promise<StudyDatasets> {
  const { source } = definition;
  const range = {
    start: definition.start ?? undefined,
    end: definition.end ?? undefined,
    // The same session for every timeframe, as a backtest reads it.
    ...(definition.session === undefined ? {} : { session: definition.session }),
  };
  // A study's symbol and range are under `data` in its request.
  const loaded = await loadDatasets(source, definition.timeframes, range, repo).catch((error: unknown) => {
    throw error instanceof RequestError ? error.nestedIn('data.') : error;
  });
  const label = studySourceLabel(source);
  const datasets = loaded.map((dataset, i) => ({
    timeframe: definition.timeframes[i]!,
    ref: { id: dataset.id, bars: dataset.bars },
  }));
  if (definition.holdout === undefined) return { label, datasets };
  const all = datasets[0]!.ref;
  const from = all.bars.t[holdoutStart(all.bars.t, definition.holdout)]!;
  return {
    label,
    // Every timeframe stops before the first held-out bar's time: no trial reads a bar from it on.
    datasets: datasets.map(({ timeframe, ref }) => ({
      timeframe,
      ref: { id: `${ref.id}:before:${from}`, bars: sliceBarsByTime(ref.bars, null, from) },
    })),
    holdout: { from, index: firstIndexAtOrAfter(all.bars.t, from), all },
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
}): Omit<BacktestOptions, 'commission' | 'slippage'> {
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
