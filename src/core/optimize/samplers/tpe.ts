/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), in its multivariate form (Falkner et al.
 * 2018, as in Optuna's `multivariate=True`): finished trials are split into a good group (the best
 * gamma fraction) and the rest; each group becomes a mixture of product kernels, one component per
 * trial plus a broad prior; candidates are drawn from the good mixture l(x) and the one maximising
 * l(x)/g(x) is proposed. Numeric parameters use truncated Gaussians on the unit interval (log-aware via
 * the space's unit map), categorical ones a smoothed one-hot kernel.
 *
 * Parallel batches: trials of the same generation do not see each other's results, so each is added
 * to the bad group with its parameters only (a constant liar with the worst value), which pushes the
 * next proposal away from points already in flight; a final duplicate check rejects exact repeats.
 */
import { normalCdf } from '../../math/normal.ts';
import {
  proposeUnique,
  rankedHistory,
  type SampleContext,
  type Sampler,
  type SamplerConfig,
  type TpeOptions,
} from '../sampler.ts';
import {
  fromUnit,
  satisfiesConstraints,
  sampleUniform,
  toUnit,
  valueCount,
  type CategoricalParam,
  type NumericParam,
  type Params,
  type ParamValue,
  type SearchSpace,
} from '../space.ts';
import type { Rng } from '../../math/random.ts';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const PRIOR_SIGMA = 1;

/** A mixture of product kernels; component 0 is the prior. Flat arrays, component-major. */
interface Mixture {
  readonly count: number;
  /** Unnormalised log weight of each component. */
  readonly logWeight: Float64Array;
  readonly logTotalWeight: number;
  /** numeric dims: mean, 1/sigma and log normaliser (log sigma + log sqrt(2 pi) + log truncated mass). */
  readonly mu: Float64Array;
  readonly invSigma: Float64Array;
  readonly logNorm: Float64Array;
  readonly sigma: Float64Array;
  /** categorical dims: log probability of each choice, per component (offsets per dim in `catOffset`). */
  readonly catLogP: Float64Array;
}

interface Layout {
  readonly numeric: readonly NumericParam[];
  readonly categorical: readonly CategoricalParam[];
  /** Start of each categorical dim's block inside one component's categorical slice. */
  readonly catOffset: readonly number[];
  readonly catWidth: number;
}

function layoutOf(space: SearchSpace): Layout {
  const numeric: NumericParam[] = [];
  const categorical: CategoricalParam[] = [];
  for (const p of space.params) {
    if (p.kind === 'categorical') categorical.push(p);
    else numeric.push(p);
  }
  const catOffset: number[] = [];
  let width = 0;
  for (const p of categorical) {
    catOffset.push(width);
    width += p.choices.length;
  }
  return { numeric, categorical, catOffset, catWidth: width };
}

/** Scott-like bandwidth shared by all components (Optuna's multivariate rule), floored for discrete cells. */
function bandwidths(layout: Layout, n: number): Float64Array {
  const dims = layout.numeric.length + layout.categorical.length;
  const base = 0.2 * Math.pow(Math.max(n, 1), -1 / (dims + 4));
  const out = new Float64Array(layout.numeric.length);
  for (let d = 0; d < layout.numeric.length; d++) {
    const count = valueCount(layout.numeric[d]!);
    const floor = Math.max(1 / Math.min(100, n + 1), Number.isFinite(count) ? 0.5 / count : 0);
    out[d] = Math.min(1, Math.max(floor, base));
  }
  return out;
}

/** Unit coordinates of each observed parameter set, kept across generations (finished trials never change). */
const unitCache = new WeakMap<Layout, WeakMap<Params, Float64Array>>();

function unitsOf(layout: Layout, params: Params): Float64Array {
  let byParams = unitCache.get(layout);
  if (byParams === undefined) {
    byParams = new WeakMap();
    unitCache.set(layout, byParams);
  }
  let u = byParams.get(params);
  if (u === undefined) {
    u = new Float64Array(layout.numeric.length);
    for (let d = 0; d < layout.numeric.length; d++)
      u[d] = toUnit(layout.numeric[d]!, params[layout.numeric[d]!.name] as number);
    byParams.set(params, u);
  }
  return u;
}

function buildMixture(
  layout: Layout,
  observations: readonly Params[],
  sigmas: Float64Array,
  priorWeight: number,
): Mixture {
  const count = observations.length + 1;
  const nd = layout.numeric.length;
  const mu = new Float64Array(count * nd);
  const sigma = new Float64Array(count * nd);
  const invSigma = new Float64Array(count * nd);
  const logNorm = new Float64Array(count * nd);
  const catLogP = new Float64Array(count * layout.catWidth);
  const logWeight = new Float64Array(count);
  logWeight[0] = Math.log(priorWeight);
  // Stepped parameters repeat the same few means: the truncated normaliser is computed once per (dim, mean).
  const normCache: Map<number, number>[] = layout.numeric.map(() => new Map());
  for (let c = 0; c < count; c++) {
    const obs = c === 0 ? null : observations[c - 1]!;
    const units = obs === null ? null : unitsOf(layout, obs);
    for (let d = 0; d < nd; d++) {
      const m = units === null ? 0.5 : units[d]!;
      const s = units === null ? PRIOR_SIGMA : sigmas[d]!;
      const i = c * nd + d;
      mu[i] = m;
      sigma[i] = s;
      invSigma[i] = 1 / s;
      let norm = units === null ? undefined : normCache[d]!.get(m);
      if (norm === undefined) {
        const mass = normalCdf((1 - m) / s) - normalCdf((0 - m) / s);
        norm = Math.log(s) + LOG_SQRT_2PI + Math.log(Math.max(mass, 1e-300));
        if (units !== null) normCache[d]!.set(m, norm);
      }
      logNorm[i] = norm;
    }
    for (let k = 0; k < layout.categorical.length; k++) {
      const p = layout.categorical[k]!;
      const K = p.choices.length;
      const base = c * layout.catWidth + layout.catOffset[k]!;
      if (obs === null) {
        for (let j = 0; j < K; j++) catLogP[base + j] = -Math.log(K);
      } else {
        const observed = p.choices.indexOf(obs[p.name]!);
        const total = priorWeight + 1;
        for (let j = 0; j < K; j++)
          catLogP[base + j] = Math.log((priorWeight / K + (j === observed ? 1 : 0)) / total);
      }
    }
  }
  return {
    count,
    logWeight,
    logTotalWeight: Math.log(priorWeight + observations.length),
    mu,
    sigma,
    invSigma,
    logNorm,
    catLogP,
  };
}

/** A point in the estimator's coordinates: unit values for numeric dims, choice indices for categorical. */
interface Point {
  readonly u: Float64Array;
  readonly cat: Int32Array;
}

/** log of the mixture density at `x`, combining several mixtures that share one normalisation. */
function logDensity(
  layout: Layout,
  mixtures: readonly Mixture[],
  logTotal: number,
  x: Point,
  scratch: Float64Array,
): number {
  const nd = layout.numeric.length;
  let n = 0;
  let max = -Infinity;
  for (const m of mixtures) {
    for (let c = 0; c < m.count; c++) {
      let lp = m.logWeight[c]!;
      const off = c * nd;
      for (let d = 0; d < nd; d++) {
        const z = (x.u[d]! - m.mu[off + d]!) * m.invSigma[off + d]!;
        lp -= 0.5 * z * z + m.logNorm[off + d]!;
      }
      const coff = c * layout.catWidth;
      for (let k = 0; k < layout.categorical.length; k++)
        lp += m.catLogP[coff + layout.catOffset[k]! + x.cat[k]!]!;
      scratch[n++] = lp;
      if (lp > max) max = lp;
    }
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(scratch[i]! - max);
  return max + Math.log(sum) - logTotal;
}

function drawFrom(layout: Layout, m: Mixture, rng: Rng): Record<string, ParamValue> {
  // Pick a component in proportion to its weight.
  const target = rng.float() * Math.exp(m.logTotalWeight);
  let c = 0;
  let acc = Math.exp(m.logWeight[0]!);
  while (acc < target && c < m.count - 1) {
    c++;
    acc += Math.exp(m.logWeight[c]!);
  }
  const out: Record<string, ParamValue> = {};
  const nd = layout.numeric.length;
  for (let d = 0; d < nd; d++) {
    const mu = m.mu[c * nd + d]!;
    const s = m.sigma[c * nd + d]!;
    let u = NaN;
    // Rejection sampling of the truncated normal; the fallback clip is rare with these bandwidths.
    for (let t = 0; t < 20; t++) {
      const v = mu + s * rng.normal();
      if (v >= 0 && v <= 1) {
        u = v;
        break;
      }
    }
    if (Number.isNaN(u)) u = Math.min(1, Math.max(0, mu));
    out[layout.numeric[d]!.name] = fromUnit(layout.numeric[d]!, u);
  }
  for (let k = 0; k < layout.categorical.length; k++) {
    const p = layout.categorical[k]!;
    const base = c * layout.catWidth + layout.catOffset[k]!;
    let r = rng.float();
    let j = 0;
    for (; j < p.choices.length - 1; j++) {
      r -= Math.exp(m.catLogP[base + j]!);
      if (r < 0) break;
    }
    out[p.name] = p.choices[j]!;
  }
  return out;
}

function pointOf(layout: Layout, params: Params): Point {
  const u = new Float64Array(layout.numeric.length);
  for (let d = 0; d < layout.numeric.length; d++)
    u[d] = toUnit(layout.numeric[d]!, params[layout.numeric[d]!.name] as number);
  const cat = new Int32Array(layout.categorical.length);
  for (let k = 0; k < layout.categorical.length; k++)
    cat[k] = layout.categorical[k]!.choices.indexOf(params[layout.categorical[k]!.name]!);
  return { u, cat };
}

interface Split {
  readonly good: Mixture;
  readonly bad: Mixture;
  readonly badObservations: number;
  readonly sigmas: Float64Array;
}

export class TpeSampler implements Sampler {
  readonly name = 'tpe' as const;
  readonly generationSize: number;
  readonly config: SamplerConfig;
  private readonly startupTrials: number;
  private readonly candidates: number;
  private readonly gamma: number;
  private readonly maxGood: number;
  private readonly priorWeight: number;

  constructor(options: TpeOptions = {}) {
    this.startupTrials = options.startupTrials ?? 10;
    this.candidates = options.candidates ?? 24;
    this.gamma = options.gamma ?? 0.1;
    this.maxGood = options.maxGood ?? 25;
    this.priorWeight = options.priorWeight ?? 1;
    this.generationSize = options.batchSize ?? 8;
    if (!(this.gamma > 0 && this.gamma < 1))
      throw new Error(`tpe: gamma must be in (0, 1) (got ${this.gamma})`);
    if (!Number.isInteger(this.generationSize) || this.generationSize < 1) {
      throw new Error(`tpe: batchSize must be a positive integer (got ${this.generationSize})`);
    }
    if (
      !(this.candidates >= 1) ||
      !(this.priorWeight > 0) ||
      !(this.maxGood >= 1) ||
      !(this.startupTrials >= 0)
    ) {
      throw new Error(
        'tpe: candidates, maxGood and priorWeight must be positive and startupTrials non-negative',
      );
    }
    this.config = {
      kind: 'tpe',
      startupTrials: this.startupTrials,
      candidates: this.candidates,
      gamma: this.gamma,
      maxGood: this.maxGood,
      priorWeight: this.priorWeight,
      batchSize: this.generationSize,
    };
  }

  sample(ctx: SampleContext): Params {
    const layout = ctx.studyMemo('tpe-layout', () => layoutOf(ctx.space));
    const split = ctx.memo('tpe-split', () => this.split(ctx, layout));
    if (split === null) return proposeUnique(ctx, () => sampleUniform(ctx.space, ctx.rng), 50);

    const pending = ctx.pending();
    const liars = pending.length > 0 ? [buildMixture(layout, pending, split.sigmas, this.priorWeight)] : [];
    // The liars' own prior component must not count twice: zero its weight.
    for (const m of liars) m.logWeight[0] = -Infinity;
    const badMixtures = [split.bad, ...liars];
    const badTotal = Math.log(Math.exp(split.bad.logTotalWeight) + pending.length);
    const scratch = new Float64Array(split.good.count + split.badObservations + 1 + pending.length + 1);

    const scored: { params: Record<string, ParamValue>; score: number }[] = [];
    for (let i = 0; i < this.candidates; i++) {
      const params = drawFrom(layout, split.good, ctx.rng);
      if (!satisfiesConstraints(ctx.space, params)) continue;
      const x = pointOf(layout, params);
      const score =
        logDensity(layout, [split.good], split.good.logTotalWeight, x, scratch) -
        logDensity(layout, badMixtures, badTotal, x, scratch);
      scored.push({ params, score });
    }
    scored.sort((a, b) => b.score - a.score);
    let next = 0;
    return proposeUnique(
      ctx,
      () => {
        if (next < scored.length) return scored[next++]!.params;
        return drawFrom(layout, split.good, ctx.rng);
      },
      scored.length + 20,
    );
  }

  private split(ctx: SampleContext, layout: Layout): Split | null {
    if (ctx.history.length < this.startupTrials) return null;
    const ranked = rankedHistory(ctx);
    const feasible = ranked.filter((t) => t.status === 'complete' && t.feasible).length;
    if (feasible === 0) return null;
    const complete = ranked.filter((t) => t.status === 'complete').length;
    const nGood = Math.max(1, Math.min(feasible, this.maxGood, Math.ceil(this.gamma * complete)));
    const good = ranked.slice(0, nGood).map((t) => t.params);
    const bad = ranked.slice(nGood).map((t) => t.params);
    // The liars join the bad group, so they share its bandwidths.
    const sigmas = bandwidths(layout, Math.max(1, bad.length));
    return {
      good: buildMixture(layout, good, bandwidths(layout, good.length), this.priorWeight),
      bad: buildMixture(layout, bad, sigmas, this.priorWeight),
      badObservations: bad.length,
      sigmas,
    };
  }
}
