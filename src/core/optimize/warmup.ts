import { sliceBars } from '../data/bars.ts';
import { prepareDataset, strategyPlots, type PreparedDataset } from '../engine/backtest.ts';
import type { BacktestOptions } from '../engine/options.ts';
import type { StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import type { SamplerConfig } from './sampler.ts';
import { satisfiesConstraints, stepValue, valueCount, type Params, type SearchSpace } from './space.ts';
import { Study } from './study.ts';

/** Sets of a space sampled beside its upper corner when its longest warm-up is measured (seeded). */
export const WARMUP_SAMPLE = 16;

/**
 * The parameter sets of a search space, in order, whose trials do not depend on results (a grid or a
 * random sampler): the first `count` the sampler asks for.
 */
export function sampleSpace(
  space: SearchSpace,
  sampler: Extract<SamplerConfig, { kind: 'grid' | 'random' }>,
  count: number,
  seed: number,
): Params[] {
  const study = new Study({
    space,
    sampler,
    objectives: [{ metric: 'score', direction: 'maximize' }],
    seed,
    maxTrials: count,
  });
  const sets: Params[] = [];
  for (let batch = study.ask(count); batch.length > 0; batch = study.ask(count)) {
    for (const request of batch) {
      sets.push(request.params);
      study.tell(request.number, { status: 'complete', values: [0] });
    }
  }
  return sets;
}

/**
 * The parameter sets whose warm-ups make a space's longest warm-up: the one definition a walk-forward's
 * 'warm-up' purge, the regime comparison's purge and a study's history before its range all measure
 * (each set's StrategyPlots startIndex on the bars, the largest of them).
 *
 * A strategy's warm-up is a function of its parameters (its `init` returns it: for the built-ins the
 * longest of its periods and their sums, which grows with each parameter), so the space's upper corner,
 * every parameter at its largest value, has the longest one: exact, for one run. The corner leads when
 * it satisfies the space's constraints; `WARMUP_SAMPLE` seeded random sets follow, for a strategy whose
 * warm-up does not grow with its parameters (a user's) or a corner the constraints exclude.
 */
export function warmupProbes(space: SearchSpace, seed: number): Params[] {
  const corner: Record<string, number | string | boolean> = {};
  for (const p of space.params) {
    if (p.kind === 'categorical') {
      const numbers = p.choices.filter((c): c is number => typeof c === 'number');
      corner[p.name] = numbers.length > 0 ? Math.max(...numbers) : p.choices[0]!;
    } else {
      const n = valueCount(p);
      corner[p.name] = Number.isFinite(n) ? stepValue(p, n - 1) : p.high;
    }
  }
  const sample = sampleSpace(space, { kind: 'random' }, WARMUP_SAMPLE, seed);
  return satisfiesConstraints(space, corner) ? [corner, ...sample] : sample;
}

/** Bars the longest warm-up is first measured on (doubled while a set's warm-up reaches their end). */
export const WARMUP_PREFIX_BARS = 4_096;

/**
 * The longest warm-up of `sets` on a dataset: the latest first bar any of them would trade (each one's
 * StrategyPlots startIndex, over `shared` parameters it overrides), 0 for none. A set the strategy
 * refuses, or with a value that is not a number, is left out: its trial fails on its own.
 *
 * Measured on the dataset's first WARMUP_PREFIX_BARS bars, doubled until every set's warm-up ends
 * before the prefix does: each `init` computes its indicators over every bar it is given, which on a
 * year of 1m bars held a study's start (on the server's thread) for a second per slice, while the
 * first bar `onBar` needs is point-in-time (onBar reads bars <= i only), so a warm-up shorter than the
 * prefix is the one the whole dataset gives.
 */
export function longestWarmup(
  dataset: PreparedDataset,
  definition: StrategyDefinition,
  sets: readonly Params[],
  options: BacktestOptions = {},
  shared: StrategyParams = {},
): number {
  const n = dataset.bars.t.length;
  for (let length = Math.min(n, WARMUP_PREFIX_BARS); ; length = Math.min(n, 2 * length)) {
    const prefix = length === n ? dataset : prepareDataset(sliceBars(dataset.bars, 0, length));
    const longest = longestWarmupOn(prefix, definition, sets, options, shared);
    if (longest < length || length === n) return longest;
  }
}

function longestWarmupOn(
  dataset: PreparedDataset,
  definition: StrategyDefinition,
  sets: readonly Params[],
  options: BacktestOptions,
  shared: StrategyParams,
): number {
  let longest = 0;
  for (const set of sets) {
    if (Object.values(set).some((v) => typeof v !== 'number')) continue;
    try {
      const params = { ...shared, ...(set as StrategyParams) };
      longest = Math.max(longest, strategyPlots(dataset, definition, params, options).startIndex);
    } catch {
      // Refused by the strategy (a constraint the space does not state): not a set a trial runs.
    }
  }
  return longest;
}
