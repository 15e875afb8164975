/**
 * NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002) for one or several objectives. Generation 0 is
 * uniform random. The parents of generation g are chosen from (parents of g-1) + (told trials of
 * g-1): feasible trials first by non-dominated front, the last front cut by crowding distance
 * (Deb's constraint-domination puts infeasible trials after every feasible one, failed ones last).
 * Children come from binary tournaments on (front, crowding), SBX crossover and polynomial mutation.
 *
 * The parent populations are a pure function of the finished history, rebuilt generation by
 * generation (and cached per generation in the study), so a restored study continues identically.
 */
import {
  proposeUnique,
  type HistoryTrial,
  type Nsga2Options,
  type SampleContext,
  type Sampler,
  type SamplerConfig,
} from '../sampler.ts';
import { crowdingDistances, nonDominatedFronts } from '../pareto.ts';
import { sampleUniform, type Params } from '../space.ts';
import type { Rng } from '../../math/random.ts';
import { polynomialMutation, sbxCrossover } from './variation.ts';

interface Member {
  readonly trial: HistoryTrial;
  readonly rank: number;
  readonly crowding: number;
}

export class Nsga2Sampler implements Sampler {
  readonly name = 'nsga2' as const;
  readonly generationSize: number;
  readonly config: SamplerConfig;
  private readonly crossoverRate: number;
  private readonly mutationRate: number | null;
  private readonly crossoverEta: number;
  private readonly mutationEta: number;

  constructor(options: Nsga2Options = {}) {
    this.generationSize = options.populationSize ?? 20;
    this.crossoverRate = options.crossoverRate ?? 0.9;
    this.mutationRate = options.mutationRate ?? null;
    this.crossoverEta = options.crossoverEta ?? 15;
    this.mutationEta = options.mutationEta ?? 20;
    if (!Number.isInteger(this.generationSize) || this.generationSize < 2) {
      throw new Error(`nsga2: populationSize must be an integer >= 2 (got ${this.generationSize})`);
    }
    this.config = {
      kind: 'nsga2',
      populationSize: this.generationSize,
      crossoverRate: this.crossoverRate,
      ...(this.mutationRate === null ? {} : { mutationRate: this.mutationRate }),
      crossoverEta: this.crossoverEta,
      mutationEta: this.mutationEta,
    };
  }

  sample(ctx: SampleContext): Params {
    const generation = ctx.generationStart / this.generationSize;
    const parents = generation === 0 ? [] : this.parentsAt(ctx, generation);
    if (!parents.some((m) => m.trial.status === 'complete')) {
      return proposeUnique(ctx, () => sampleUniform(ctx.space, ctx.rng), 50);
    }
    const rate = this.mutationRate ?? 1 / Math.max(1, ctx.space.params.length);
    return proposeUnique(ctx, () => {
      const a = tournament(parents, ctx.rng);
      const b = tournament(parents, ctx.rng);
      const child =
        ctx.rng.float() < this.crossoverRate
          ? sbxCrossover(ctx.space, a, b, this.crossoverEta, ctx.rng)
          : { ...a };
      return polynomialMutation(ctx.space, child, rate, this.mutationEta, ctx.rng);
    });
  }

  private parentsAt(ctx: SampleContext, generation: number): Member[] {
    return ctx.studyMemo(`nsga2-parents:${generation}`, () => {
      const previous = generation > 1 ? this.parentsAt(ctx, generation - 1).map((m) => m.trial) : [];
      const size = this.generationSize;
      const offspring = ctx.history.slice((generation - 1) * size, generation * size);
      return survivors([...previous, ...offspring], size, ctx.scalarize);
    });
  }
}

function tournament(parents: readonly Member[], rng: Rng): Params {
  const a = parents[rng.int(parents.length)]!;
  const b = parents[rng.int(parents.length)]!;
  if (a.rank !== b.rank) return (a.rank < b.rank ? a : b).trial.params;
  return (a.crowding >= b.crowding ? a : b).trial.params;
}

/** NSGA-II environmental selection of `size` members, with ranks and crowding for the tournaments. */
export function survivors(
  candidates: readonly HistoryTrial[],
  size: number,
  scalarize: ((losses: readonly number[]) => number) | null,
): Member[] {
  const lossesOf = (t: HistoryTrial): readonly number[] =>
    scalarize === null ? t.losses! : [scalarize(t.losses!)];
  const out: Member[] = [];
  let rankBase = 0;
  const groups = [
    candidates.filter((t) => t.status === 'complete' && t.feasible),
    candidates.filter((t) => t.status === 'complete' && !t.feasible),
  ];
  for (const group of groups) {
    const points = group.map(lossesOf);
    const fronts = nonDominatedFronts(points);
    for (let f = 0; f < fronts.length && out.length < size; f++) {
      const front = fronts[f]!;
      const crowd = crowdingDistances(points, front);
      const members = front.map((i, k) => ({ trial: group[i]!, rank: rankBase + f, crowding: crowd[k]! }));
      members.sort((a, b) => b.crowding - a.crowding || a.trial.number - b.trial.number);
      for (const m of members) {
        if (out.length >= size) break;
        out.push(m);
      }
    }
    rankBase += fronts.length;
  }
  for (const t of candidates) {
    if (out.length >= size) break;
    if (t.status !== 'complete') out.push({ trial: t, rank: rankBase, crowding: 0 });
  }
  return out;
}
