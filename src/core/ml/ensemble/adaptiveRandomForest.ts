import { deriveSeed } from '../../math/random.ts';
import { checkState, type Features, type ModelState, type Regressor } from '../base.ts';
import { Adwin } from '../drift/adwin.ts';
import { type FeatureSampler, HoeffdingTreeRegressor } from '../trees/hoeffdingTreeRegressor.ts';

/**
 * River's `forest.ARFRegressor` (Gomes et al. 2018, "Adaptive random forests for data stream
 * regression") with River's defaults: 10 Hoeffding trees (grace period 50, delta 0.01, tau 0.05,
 * adaptive leaves), each learning every observation k ~ Poisson(6) times (online bagging) and splitting
 * on √(features) sampled per leaf; per tree an ADWIN on its absolute error, a warning one (delta 0.01)
 * that starts a background tree and a drift one (delta 0.001) that swaps the background tree in; the
 * forest predicts the median of its trees.
 *
 * Randomness comes from a counter hashed with the seed (deriveSeed), so the whole state, RNG included,
 * is plain data and a restored forest continues exactly as the original.
 */
export interface ArfOptions {
  readonly seed: number;
  readonly models?: number;
  readonly lambda?: number;
  readonly gracePeriod?: number;
  readonly delta?: number;
  readonly tau?: number;
  readonly warningDelta?: number;
  readonly driftDelta?: number;
}

const KIND = 'arf-regressor';
const VERSION = 1;

interface Member {
  tree: HoeffdingTreeRegressor;
  background: HoeffdingTreeRegressor | null;
  warning: Adwin;
  drift: Adwin;
}

export class AdaptiveRandomForestRegressor implements Regressor {
  readonly seed: number;
  readonly size: number;
  readonly lambda: number;
  readonly gracePeriod: number;
  readonly delta: number;
  readonly tau: number;
  readonly warningDelta: number;
  readonly driftDelta: number;
  private draws = 0;
  private members: Member[];
  /** Drifts each member has been replaced for, and warnings that started a background tree. */
  private driftCount = 0;
  private warningCount = 0;

  constructor(options: ArfOptions) {
    this.seed = options.seed;
    this.size = options.models ?? 10;
    this.lambda = options.lambda ?? 6;
    this.gracePeriod = options.gracePeriod ?? 50;
    this.delta = options.delta ?? 0.01;
    this.tau = options.tau ?? 0.05;
    this.warningDelta = options.warningDelta ?? 0.01;
    this.driftDelta = options.driftDelta ?? 0.001;
    if (!Number.isInteger(this.size) || this.size < 1)
      throw new RangeError(`ARF: models must be >= 1, got ${this.size}`);
    this.members = Array.from({ length: this.size }, () => this.newMember());
  }

  get drifts(): number {
    return this.driftCount;
  }

  get warnings(): number {
    return this.warningCount;
  }

  predictOne(x: Features): number {
    const predictions = this.members.map((m) => m.tree.predictOne(x)).sort((a, b) => a - b);
    const mid = predictions.length >> 1;
    return predictions.length % 2 ? predictions[mid]! : (predictions[mid - 1]! + predictions[mid]!) / 2;
  }

  learnOne(x: Features, y: number, weight = 1): void {
    if (!Number.isFinite(y)) throw new RangeError(`ARF: target is ${y}`);
    for (const member of this.members) {
      const error = Math.abs(y - member.tree.predictOne(x));
      const k = this.poisson(this.lambda) * weight;
      if (k <= 0) continue;
      member.background?.learnOne(x, y, k);
      member.tree.learnOne(x, y, k);
      member.warning.update(error);
      if (member.warning.driftDetected) {
        member.background = this.newTree();
        member.warning = new Adwin({ delta: this.warningDelta });
        this.warningCount++;
      }
      member.drift.update(error);
      if (member.drift.driftDetected) {
        member.tree = member.background ?? this.newTree();
        member.background = null;
        member.warning = new Adwin({ delta: this.warningDelta });
        member.drift = new Adwin({ delta: this.driftDelta });
        this.driftCount++;
      }
    }
  }

  learnMany(xs: readonly Features[], ys: readonly number[]): void {
    if (xs.length !== ys.length)
      throw new RangeError(`learnMany: ${xs.length} inputs but ${ys.length} targets`);
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i]!, ys[i]!);
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      options: {
        seed: this.seed,
        models: this.size,
        lambda: this.lambda,
        gracePeriod: this.gracePeriod,
        delta: this.delta,
        tau: this.tau,
        warningDelta: this.warningDelta,
        driftDelta: this.driftDelta,
      },
      draws: this.draws,
      driftCount: this.driftCount,
      warningCount: this.warningCount,
      members: this.members.map((m) => ({
        tree: m.tree.toState(),
        background: m.background?.toState() ?? null,
        warning: m.warning.toState(),
        drift: m.drift.toState(),
      })),
    };
  }

  static fromState(state: ModelState): AdaptiveRandomForestRegressor {
    checkState(state, KIND, VERSION);
    const forest = new AdaptiveRandomForestRegressor(state.options as ArfOptions);
    forest.draws = state.draws as number;
    forest.driftCount = state.driftCount as number;
    forest.warningCount = state.warningCount as number;
    const sampler = forest.featureSampler();
    forest.members = (
      state.members as {
        tree: ModelState;
        background: ModelState | null;
        warning: ModelState;
        drift: ModelState;
      }[]
    ).map((m) => ({
      tree: HoeffdingTreeRegressor.fromState(m.tree, sampler),
      background: m.background ? HoeffdingTreeRegressor.fromState(m.background, sampler) : null,
      warning: Adwin.fromState(m.warning),
      drift: Adwin.fromState(m.drift),
    }));
    return forest;
  }

  private newMember(): Member {
    return {
      tree: this.newTree(),
      background: null,
      warning: new Adwin({ delta: this.warningDelta }),
      drift: new Adwin({ delta: this.driftDelta }),
    };
  }

  private newTree(): HoeffdingTreeRegressor {
    return new HoeffdingTreeRegressor(
      { gracePeriod: this.gracePeriod, delta: this.delta, tau: this.tau },
      this.featureSampler(),
    );
  }

  /** √(features) of them per leaf, drawn from the forest's stream (River's max_features="sqrt"). */
  private featureSampler(): FeatureSampler {
    return (features) => {
      const pool = [...features];
      const k = Math.max(1, Math.round(Math.sqrt(pool.length)));
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(this.uniform() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      return pool.slice(0, k).sort();
    };
  }

  private uniform(): number {
    return deriveSeed(this.seed, this.draws++) / 4294967296;
  }

  /** Knuth's method, as River's utils.random.poisson. */
  private poisson(rate: number): number {
    const limit = Math.exp(-rate);
    let k = 0;
    let product = this.uniform();
    while (product > limit) {
      k++;
      product *= this.uniform();
    }
    return k;
  }
}
