/**
 * A generational genetic algorithm with elitism. Generation 0 is uniform random; the parents of
 * generation g are the told trials of generation g-1 plus the `eliteCount` best trials ever found
 * (elites survive without being re-evaluated). Each child: tournament selection of two parents,
 * blend crossover with probability `crossoverRate`, Gaussian mutation per gene, then constraint and
 * duplicate checks (retrying, finally a uniform draw).
 *
 * Everything a child depends on is the finished history of earlier generations and its own stream,
 * so a generation's children are the same however many are evaluated at once.
 */
import {
  proposeUnique,
  rankedHistory,
  type GaOptions,
  type HistoryTrial,
  type SampleContext,
  type Sampler,
  type SamplerConfig,
} from '../sampler.ts';
import { sampleUniform, type Params } from '../space.ts';
import type { Rng } from '../../math/random.ts';
import { blendCrossover, gaussianMutation } from './variation.ts';

interface Parent {
  readonly params: Params;
  /** Position in the study's quality order (lower is better). */
  readonly rank: number;
}

export class GeneticSampler implements Sampler {
  readonly name = 'ga' as const;
  readonly generationSize: number;
  readonly config: SamplerConfig;
  private readonly eliteCount: number;
  private readonly tournamentSize: number;
  private readonly crossoverRate: number;
  private readonly mutationRate: number | null;
  private readonly mutationScale: number;

  constructor(options: GaOptions = {}) {
    this.generationSize = options.populationSize ?? 20;
    this.eliteCount = options.eliteCount ?? 2;
    this.tournamentSize = options.tournamentSize ?? 3;
    this.crossoverRate = options.crossoverRate ?? 0.9;
    this.mutationRate = options.mutationRate ?? null;
    this.mutationScale = options.mutationScale ?? 0.1;
    if (!Number.isInteger(this.generationSize) || this.generationSize < 2) {
      throw new Error(`ga: populationSize must be an integer >= 2 (got ${this.generationSize})`);
    }
    if (!Number.isInteger(this.eliteCount) || this.eliteCount < 0 || this.eliteCount >= this.generationSize) {
      throw new Error(`ga: eliteCount must be an integer in [0, populationSize) (got ${this.eliteCount})`);
    }
    if (!Number.isInteger(this.tournamentSize) || this.tournamentSize < 1) {
      throw new Error(`ga: tournamentSize must be a positive integer (got ${this.tournamentSize})`);
    }
    this.config = {
      kind: 'ga',
      populationSize: this.generationSize,
      eliteCount: this.eliteCount,
      tournamentSize: this.tournamentSize,
      crossoverRate: this.crossoverRate,
      ...(this.mutationRate === null ? {} : { mutationRate: this.mutationRate }),
      mutationScale: this.mutationScale,
    };
  }

  sample(ctx: SampleContext): Params {
    const parents = ctx.memo('ga-parents', () => this.parents(ctx));
    if (parents.length === 0) return proposeUnique(ctx, () => sampleUniform(ctx.space, ctx.rng), 50);
    const rate = this.mutationRate ?? 1 / Math.max(1, ctx.space.params.length);
    return proposeUnique(ctx, () => {
      const a = this.tournament(parents, ctx.rng);
      const b = this.tournament(parents, ctx.rng);
      const child =
        ctx.rng.float() < this.crossoverRate ? blendCrossover(ctx.space, a, b, ctx.rng) : { ...a };
      return gaussianMutation(ctx.space, child, rate, this.mutationScale, ctx.rng);
    });
  }

  private parents(ctx: SampleContext): Parent[] {
    const ranked = rankedHistory(ctx);
    const rankOf = new Map<HistoryTrial, number>();
    ranked.forEach((t, i) => rankOf.set(t, i));
    const lastStart = ctx.generationStart - this.generationSize;
    if (lastStart < 0 || !ranked.some((t) => t.status === 'complete')) return [];
    const chosen = new Set<HistoryTrial>();
    for (const t of ranked.slice(0, this.eliteCount))
      if (t.status === 'complete' && t.feasible) chosen.add(t);
    for (let n = lastStart; n < ctx.generationStart; n++) {
      const t = ctx.history[n]!;
      // Failed trials have no fitness to select on; infeasible ones stay, ranked last, to keep diversity.
      if (t.status === 'complete') chosen.add(t);
    }
    return [...chosen].map((t) => ({ params: t.params, rank: rankOf.get(t)! }));
  }

  private tournament(parents: readonly Parent[], rng: Rng): Params {
    let best = parents[rng.int(parents.length)]!;
    for (let i = 1; i < this.tournamentSize; i++) {
      const other = parents[rng.int(parents.length)]!;
      if (other.rank < best.rank) best = other;
    }
    return best.params;
  }
}
