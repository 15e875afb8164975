/**
 * The sampler plug-in point (Optuna-style): a sampler proposes the parameters of one trial from what
 * the study shows it, and keeps no state of its own that matters. Everything it may depend on is in the
 * SampleContext, which the study builds only from (seed, trial number, trials numbered before it);
 * that is what makes a study reproducible whatever the batch size or the number of workers, and
 * resumable from its persisted trials alone.
 */
import type { Rng } from '../math/random.ts';
import { crowdingDistances, nonDominatedFronts } from './pareto.ts';
import {
  sampleUniform,
  satisfiesConstraints,
  type Params,
  type ParamValue,
  type SearchSpace,
} from './space.ts';

/** A finished trial as a sampler sees it. */
export interface HistoryTrial {
  readonly number: number;
  readonly params: Params;
  readonly status: 'complete' | 'failed' | 'pruned';
  /** One per objective, lower is better; null unless complete. */
  readonly losses: readonly number[] | null;
  /** Complete and passing the study's feasibility rules (e.g. the minimum trade count). */
  readonly feasible: boolean;
}

export interface SampleContext {
  readonly space: SearchSpace;
  /** The study's seed (samplers derive per-generation streams from it). */
  readonly seed: number;
  readonly trialNumber: number;
  /** This trial's own stream, derived from (seed, trial number) only. */
  readonly rng: Rng;
  /** First trial number of this trial's generation; every trial below it is finished. */
  readonly generationStart: number;
  /** Finished trials numbered below `generationStart`, ascending, so `history[i].number === i`. */
  readonly history: readonly HistoryTrial[];
  /** Parameters of the trials of this generation numbered below this one (not yet told, by design). */
  pending(): readonly Params[];
  readonly objectiveCount: number;
  /** Collapses losses to one number (lower is better) in 'single'/'weighted' mode; null in 'pareto' mode. */
  readonly scalarize: ((losses: readonly number[]) => number) | null;
  /** Whether a trial with exactly these parameters already exists in the study. */
  isDuplicate(params: Params): boolean;
  /**
   * Study-owned cache for state derived from this generation's history (which never changes), emptied
   * when the study moves to the next generation. Recomputed on a miss, so a restored study rebuilds it.
   */
  memo<T>(key: string, compute: () => T): T;
  /** Like `memo` but kept for the study's lifetime: key it by generation when it depends on one. */
  studyMemo<T>(key: string, compute: () => T): T;
}

export interface Sampler {
  readonly name: SamplerKind;
  /**
   * How many consecutive trials are proposed from the same history snapshot. Trial n belongs to
   * generation floor(n / generationSize) and sees only finished trials of earlier generations, so the
   * study cannot hand out trials of the next generation until the current one is fully told.
   * Infinity for samplers that ignore history (grid, random): they never wait.
   */
  readonly generationSize: number;
  /** Plain data from which `createSampler` rebuilds an identical sampler (persisted with the study). */
  readonly config: SamplerConfig;
  /** Parameters for `ctx.trialNumber`, or null when the sampler has nothing left to propose. */
  sample(ctx: SampleContext): Params | null;
}

export type SamplerKind = 'grid' | 'random' | 'tpe' | 'ga' | 'nsga2';

export interface GridOptions {
  /** Points for a continuous float (evenly spaced, log-spaced for log). */
  readonly floatPoints?: number;
}
export interface TpeOptions {
  /** Trials drawn at random before the model is used. */
  readonly startupTrials?: number;
  /** Candidates drawn from l(x) per trial; the best l(x)/g(x) wins. */
  readonly candidates?: number;
  /** Fraction of finished trials in the "good" group (capped at `maxGood`). */
  readonly gamma?: number;
  readonly maxGood?: number;
  /** Weight of the uniform prior component in each estimator. */
  readonly priorWeight?: number;
  /** Trials proposed per history snapshot (the generation size): more parallelism, fewer model updates. */
  readonly batchSize?: number;
}
export interface GaOptions {
  readonly populationSize?: number;
  /** Best trials ever found carried into every parent population. */
  readonly eliteCount?: number;
  readonly tournamentSize?: number;
  readonly crossoverRate?: number;
  /** Per-gene mutation probability; default 1 / number of parameters. */
  readonly mutationRate?: number;
  /** Standard deviation of a numeric mutation, as a fraction of the parameter's (log) range. */
  readonly mutationScale?: number;
}
export interface Nsga2Options {
  readonly populationSize?: number;
  readonly crossoverRate?: number;
  readonly mutationRate?: number;
  /** SBX crossover distribution index (larger: children closer to parents). */
  readonly crossoverEta?: number;
  /** Polynomial mutation distribution index. */
  readonly mutationEta?: number;
}

export type SamplerConfig =
  | ({ readonly kind: 'grid' } & GridOptions)
  | { readonly kind: 'random' }
  | ({ readonly kind: 'tpe' } & TpeOptions)
  | ({ readonly kind: 'ga' } & GaOptions)
  | ({ readonly kind: 'nsga2' } & Nsga2Options);

// ---------------------------------------------------------------------------------------------------
// Helpers shared by the samplers

const MAX_CONSTRAINT_DRAWS = 10_000;

/** A uniform draw satisfying the constraints (rejection sampling); names the constraints if none is found. */
export function sampleFeasibleUniform(space: SearchSpace, rng: Rng): Record<string, ParamValue> {
  for (let i = 0; i < MAX_CONSTRAINT_DRAWS; i++) {
    const params = sampleUniform(space, rng);
    if (satisfiesConstraints(space, params)) return params;
  }
  throw new Error(
    `no parameter set satisfying the constraints (${space.constraints.map((c) => c.source).join(', ')}) found in ` +
      `${MAX_CONSTRAINT_DRAWS} uniform draws: are they satisfiable within the ranges?`,
  );
}

/**
 * Uses `propose` until it yields a feasible parameter set not already in the study; after `tries`
 * attempts falls back to uniform draws, and finally accepts a duplicate (a small space may be exhausted).
 */
export function proposeUnique(
  ctx: SampleContext,
  propose: () => Record<string, ParamValue> | null,
  tries = 20,
): Record<string, ParamValue> {
  let feasible: Record<string, ParamValue> | null = null;
  for (let i = 0; i < tries; i++) {
    const params = propose();
    if (params === null || !satisfiesConstraints(ctx.space, params)) continue;
    if (!ctx.isDuplicate(params)) return params;
    feasible ??= params;
  }
  for (let i = 0; i < tries * 5; i++) {
    const params = sampleFeasibleUniform(ctx.space, ctx.rng);
    if (!ctx.isDuplicate(params)) return params;
    feasible ??= params;
  }
  return feasible ?? sampleFeasibleUniform(ctx.space, ctx.rng);
}

/**
 * Finished trials ordered best first: feasible complete trials (by scalar loss, or in 'pareto' mode by
 * non-dominated front then crowding distance), then infeasible complete ones in the same order, then
 * failed and pruned ones (by number). Samplers treat the last two groups as the worst region.
 */
export function rankTrials(
  trials: readonly HistoryTrial[],
  scalarize: ((losses: readonly number[]) => number) | null,
): HistoryTrial[] {
  const order = (group: HistoryTrial[]): HistoryTrial[] => {
    if (group.length === 0) return group;
    if (scalarize !== null) {
      const scored = group.map((t) => ({ t, s: scalarize(t.losses!) }));
      scored.sort((a, b) => a.s - b.s || a.t.number - b.t.number);
      return scored.map((x) => x.t);
    }
    const points = group.map((t) => t.losses!);
    const out: HistoryTrial[] = [];
    for (const front of nonDominatedFronts(points)) {
      const crowd = crowdingDistances(points, front);
      const idx = front.map((i, k) => ({ i, c: crowd[k]! }));
      idx.sort((a, b) => b.c - a.c || group[a.i]!.number - group[b.i]!.number);
      for (const { i } of idx) out.push(group[i]!);
    }
    return out;
  };
  const feasible = trials.filter((t) => t.status === 'complete' && t.feasible);
  const infeasible = trials.filter((t) => t.status === 'complete' && !t.feasible);
  const rest = trials.filter((t) => t.status !== 'complete');
  return [...order(feasible), ...order(infeasible), ...rest];
}

/** rankTrials over the context's history, cached per generation. */
export function rankedHistory(ctx: SampleContext): HistoryTrial[] {
  return ctx.memo('ranked', () => rankTrials(ctx.history, ctx.scalarize));
}
