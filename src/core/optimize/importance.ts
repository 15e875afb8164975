/**
 * Parameter importance of a study (issue 15 item 7): fANOVA as Optuna's FanovaImportanceEvaluator does it
 * (Hutter, Hoos & Leyton-Brown 2014). A random forest is fitted to the trials (objective from
 * parameters; Optuna's defaults: 64 trees, bootstrap, every feature tried at each split, depth 64, leaves
 * of one sample), and each tree's prediction is decomposed by variance: a parameter's importance is the
 * variance of the tree's prediction marginalised over every other parameter, as a share of the tree's
 * total variance, averaged over the trees and normalised to sum to 1.
 *
 * Differences from Optuna, each to keep one definition in this codebase or the figure in budget:
 * - parameters are placed on the unit interval by the search space's own `toUnit` (log parameters on
 *   their log scale, stepped ones with half a step of margin), where Optuna uses raw bounds;
 * - a categorical parameter is one ordinal feature (choice i in [i, i+1) / k), where Optuna one-hot
 *   encodes it; the trees can still isolate any single choice, with up to two splits instead of one;
 * - the single-parameter marginal is computed in one pass over a tree's leaves (each leaf adds its value,
 *   weighted by its volume across the other parameters, to the split intervals it spans) instead of one
 *   tree walk per interval: the same sums, in O(leaves) per parameter.
 *
 * The forest is grown with presorted index arrays (one per parameter, partitioned stably at each split),
 * so the only allocation is a fixed set of typed arrays per call, reused by every tree.
 */
import { createRng, type Rng } from '../math/random.ts';
import { toUnit, type Params, type SearchSpace } from './space.ts';

export interface ImportanceOptions {
  /** Trees in the forest (Optuna: 64). */
  readonly trees?: number;
  /** Deepest split level (Optuna: 64). */
  readonly maxDepth?: number;
  /** Seed of the bootstrap resampling. */
  readonly seed?: number;
}

export interface ParamImportance {
  readonly name: string;
  /** Share of the explained variance, 0..1; the study's parameters sum to 1 (0 each when nothing varies). */
  readonly importance: number;
  /** Standard deviation of the share across trees, before normalising: how much the forest agrees. */
  readonly spread: number;
}

export interface ImportanceResult {
  /** Every parameter of the space, most important first (ties in space order). */
  readonly params: readonly ParamImportance[];
  /** Trials the forest was fitted to (those with a finite value). */
  readonly trialsUsed: number;
  /** Why every importance is 0, when it is. */
  readonly note: string | null;
}

export interface ScoredParams {
  readonly params: Params;
  /** The objective (any direction: importance is about variance). Non-finite values are left out. */
  readonly value: number;
}

const DEFAULTS = { trees: 64, maxDepth: 64, seed: 1 } as const;

/** A parameter's value on the unit interval, or NaN when the trial lacks it or it is not a choice. */
function encode(space: SearchSpace, f: number, params: Params): number {
  const p = space.params[f]!;
  const v = params[p.name];
  if (p.kind === 'categorical') {
    const i = p.choices.indexOf(v as never);
    return i < 0 ? NaN : (i + 0.5) / p.choices.length;
  }
  return typeof v === 'number' ? Math.min(1, Math.max(0, toUnit(p, v))) : NaN;
}

function varies(space: SearchSpace, f: number): boolean {
  const p = space.params[f]!;
  return p.kind === 'categorical' ? p.choices.length > 1 : p.low < p.high;
}

export function paramImportance(
  space: SearchSpace,
  trials: readonly ScoredParams[],
  options: ImportanceOptions = {},
): ImportanceResult {
  const trees = options.trees ?? DEFAULTS.trees;
  const maxDepth = options.maxDepth ?? DEFAULTS.maxDepth;
  const features: number[] = [];
  for (let f = 0; f < space.params.length; f++) if (varies(space, f)) features.push(f);
  const P = features.length;

  // Column-major design matrix of the usable trials.
  const rows: number[] = [];
  for (let i = 0; i < trials.length; i++) {
    const t = trials[i]!;
    if (!Number.isFinite(t.value)) continue;
    let ok = true;
    for (const f of features) if (Number.isNaN(encode(space, f, t.params))) ok = false;
    if (ok) rows.push(i);
  }
  const n = rows.length;
  const zeros = (note: string): ImportanceResult => ({
    params: space.params.map((p) => ({ name: p.name, importance: 0, spread: 0 })),
    trialsUsed: n,
    note,
  });
  if (P === 0) return zeros('no parameter of the space varies');
  if (n < 2) return zeros(`importance needs at least 2 trials with a finite value (have ${n})`);
  const X = new Float64Array(P * n);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const t = trials[rows[r]!]!;
    y[r] = t.value;
    for (let j = 0; j < P; j++) X[j * n + r] = encode(space, features[j]!, t.params);
  }

  const forest = new Forest(X, y, n, P, maxDepth);
  const rng = createRng(options.seed ?? DEFAULTS.seed);
  const sums = new Float64Array(P);
  const squares = new Float64Array(P);
  let counted = 0;
  const fractions = new Float64Array(P);
  for (let t = 0; t < trees; t++) {
    forest.grow(rng);
    if (!forest.marginalFractions(fractions)) continue;
    counted++;
    for (let j = 0; j < P; j++) {
      sums[j] += fractions[j]!;
      squares[j] += fractions[j]! * fractions[j]!;
    }
  }
  if (counted === 0) return zeros('every trial has the same value: nothing to explain');
  let total = 0;
  for (let j = 0; j < P; j++) total += sums[j]! / counted;
  const byFeature = new Map<number, ParamImportance>();
  for (let j = 0; j < P; j++) {
    const mean = sums[j]! / counted;
    const spread = Math.sqrt(Math.max(0, squares[j]! / counted - mean * mean));
    byFeature.set(features[j]!, {
      name: space.params[features[j]!]!.name,
      importance: total > 0 ? mean / total : 0,
      spread,
    });
  }
  const out = space.params.map((p, f) => byFeature.get(f) ?? { name: p.name, importance: 0, spread: 0 });
  const order = out.map((_, i) => i).sort((a, b) => out[b]!.importance - out[a]!.importance || a - b);
  return { params: order.map((i) => out[i]!), trialsUsed: n, note: null };
}

/**
 * One regression tree at a time over a fixed design matrix: `grow` fits a new bootstrap tree into the
 * reused buffers, `marginalFractions` decomposes it. Nodes are stored flat; a node's box (its bounds in
 * every feature) is kept so leaves know their volume.
 */
class Forest {
  private readonly order: Int32Array; // P blocks of the in-bag samples, each sorted by its feature
  private readonly sortedAll: Int32Array; // P blocks of all samples sorted by feature (built once)
  private readonly scratch: Int32Array;
  private readonly weight: Float64Array;
  private readonly goesLeft: Uint8Array;
  // Nodes (capacity 2n: a binary tree with at most n leaves).
  private readonly nodeLo: Float64Array;
  private readonly nodeHi: Float64Array;
  private readonly stackStart: Int32Array;
  private readonly stackEnd: Int32Array;
  private readonly stackDepth: Int32Array;
  private readonly stackNode: Int32Array;
  private nodes = 0;
  // Leaves and split thresholds of the current tree.
  private readonly leafNode: Int32Array;
  private readonly leafValue: Float64Array;
  private readonly leafVolume: Float64Array;
  private leaves = 0;
  private readonly thresholds: Float64Array; // P blocks of capacity n
  private readonly thresholdCount: Int32Array;
  private readonly boundaries: Float64Array;
  private readonly intervalSum: Float64Array;
  private readonly intervalWeight: Float64Array;

  constructor(
    private readonly X: Float64Array,
    private readonly y: Float64Array,
    private readonly n: number,
    private readonly P: number,
    private readonly maxDepth: number,
  ) {
    this.order = new Int32Array(P * n);
    this.sortedAll = new Int32Array(P * n);
    this.scratch = new Int32Array(n);
    this.weight = new Float64Array(n);
    this.goesLeft = new Uint8Array(n);
    const capacity = 2 * n;
    this.nodeLo = new Float64Array(capacity * P);
    this.nodeHi = new Float64Array(capacity * P);
    this.stackStart = new Int32Array(capacity);
    this.stackEnd = new Int32Array(capacity);
    this.stackDepth = new Int32Array(capacity);
    this.stackNode = new Int32Array(capacity);
    this.leafNode = new Int32Array(n);
    this.leafValue = new Float64Array(n);
    this.leafVolume = new Float64Array(n);
    this.thresholds = new Float64Array(P * n);
    this.thresholdCount = new Int32Array(P);
    this.boundaries = new Float64Array(n + 2);
    this.intervalSum = new Float64Array(n + 2);
    this.intervalWeight = new Float64Array(n + 2);
    const index = Array.from({ length: n }, (_, i) => i);
    for (let j = 0; j < P; j++) {
      const base = j * n;
      index.sort((a, b) => X[base + a]! - X[base + b]! || a - b);
      for (let i = 0; i < n; i++) this.sortedAll[base + i] = index[i]!;
    }
  }

  grow(rng: Rng): void {
    const { n, P, X, y, weight, order, sortedAll, goesLeft, scratch } = this;
    weight.fill(0);
    for (let i = 0; i < n; i++) weight[rng.int(n)]! += 1;
    let m = 0;
    for (let j = 0; j < P; j++) {
      m = 0; // the same in-bag count in every block
      for (let i = 0; i < n; i++) {
        const s = sortedAll[j * n + i]!;
        if (weight[s]! > 0) order[j * n + m++] = s;
      }
    }
    this.nodes = 1;
    this.leaves = 0;
    this.thresholdCount.fill(0);
    for (let j = 0; j < P; j++) {
      this.nodeLo[j] = 0;
      this.nodeHi[j] = 1;
    }
    let top = 0;
    this.stackStart[0] = 0;
    this.stackEnd[0] = m;
    this.stackDepth[0] = 0;
    this.stackNode[0] = 0;
    top = 1;
    while (top > 0) {
      top--;
      const start = this.stackStart[top]!;
      const end = this.stackEnd[top]!;
      const depth = this.stackDepth[top]!;
      const node = this.stackNode[top]!;
      let W = 0;
      let S = 0;
      let Q = 0;
      for (let k = start; k < end; k++) {
        const s = order[k]!; // feature 0's block: the node's samples in some order
        const w = weight[s]!;
        W += w;
        S += w * y[s]!;
        Q += w * y[s]! * y[s]!;
      }
      const mean = S / W;
      let bestFeature = -1;
      let bestThreshold = 0;
      let bestGain = (S * S) / W + 1e-12 * Math.max(1, Math.abs(Q));
      if (depth < this.maxDepth && end - start > 1 && Q - S * mean > 1e-12 * Math.max(1, Math.abs(Q))) {
        for (let j = 0; j < P; j++) {
          const base = j * n;
          let wl = 0;
          let sl = 0;
          for (let k = start; k < end - 1; k++) {
            const s = order[base + k]!;
            wl += weight[s]!;
            sl += weight[s]! * y[s]!;
            const here = X[base + s]!;
            const next = X[base + order[base + k + 1]!]!;
            if (here === next) continue;
            const gain = (sl * sl) / wl + ((S - sl) * (S - sl)) / (W - wl);
            if (gain > bestGain) {
              bestGain = gain;
              bestFeature = j;
              bestThreshold = 0.5 * (here + next);
            }
          }
        }
      }
      if (bestFeature < 0) {
        this.leafNode[this.leaves] = node;
        this.leafValue[this.leaves++] = mean;
        continue;
      }
      this.thresholds[bestFeature * n + this.thresholdCount[bestFeature]!++] = bestThreshold;
      const fb = bestFeature * n;
      let leftCount = 0;
      for (let k = start; k < end; k++) {
        const s = order[fb + k]!;
        const left = X[fb + s]! <= bestThreshold ? 1 : 0;
        goesLeft[s] = left;
        leftCount += left;
      }
      // Stable partition of every feature's block keeps each side sorted.
      for (let j = 0; j < P; j++) {
        const base = j * n;
        let l = start;
        let r = 0;
        for (let k = start; k < end; k++) {
          const s = order[base + k]!;
          if (goesLeft[s]) order[base + l++] = s;
          else scratch[r++] = s;
        }
        for (let k = 0; k < r; k++) order[base + l + k] = scratch[k]!;
      }
      const leftNode = this.nodes++;
      const rightNode = this.nodes++;
      for (let j = 0; j < P; j++) {
        const lo = this.nodeLo[node * P + j]!;
        const hi = this.nodeHi[node * P + j]!;
        this.nodeLo[leftNode * P + j] = lo;
        this.nodeHi[leftNode * P + j] = j === bestFeature ? bestThreshold : hi;
        this.nodeLo[rightNode * P + j] = j === bestFeature ? bestThreshold : lo;
        this.nodeHi[rightNode * P + j] = hi;
      }
      const mid = start + leftCount;
      this.stackStart[top] = start;
      this.stackEnd[top] = mid;
      this.stackDepth[top] = depth + 1;
      this.stackNode[top++] = leftNode;
      this.stackStart[top] = mid;
      this.stackEnd[top] = end;
      this.stackDepth[top] = depth + 1;
      this.stackNode[top++] = rightNode;
    }
  }

  /**
   * Each feature's marginal variance as a share of the tree's variance (volume-weighted over the unit
   * box), into `out`; false when the tree is constant.
   */
  marginalFractions(out: Float64Array): boolean {
    const { P, n, leaves, leafNode, leafValue, leafVolume, nodeLo, nodeHi } = this;
    const { boundaries, intervalSum, intervalWeight } = this;
    let mean = 0;
    for (let l = 0; l < leaves; l++) {
      const node = leafNode[l]!;
      let v = 1;
      for (let j = 0; j < P; j++) v *= nodeHi[node * P + j]! - nodeLo[node * P + j]!;
      leafVolume[l] = v;
      mean += v * leafValue[l]!;
    }
    let variance = 0;
    for (let l = 0; l < leaves; l++) {
      const d = leafValue[l]! - mean;
      variance += leafVolume[l]! * d * d;
    }
    if (!(variance > 0)) return false;
    for (let j = 0; j < P; j++) {
      const count = this.thresholdCount[j]!;
      if (count === 0) {
        out[j] = 0;
        continue;
      }
      // Boundaries 0, sorted distinct thresholds, 1: the intervals on which the marginal is constant.
      const cuts = this.thresholds.subarray(j * n, j * n + count).sort();
      let b = 0;
      boundaries[b++] = 0;
      for (let k = 0; k < count; k++) if (cuts[k] !== boundaries[b - 1]) boundaries[b++] = cuts[k]!;
      boundaries[b++] = 1;
      const intervals = b - 1;
      intervalSum.fill(0, 0, intervals + 1);
      intervalWeight.fill(0, 0, intervals + 1);
      for (let l = 0; l < leaves; l++) {
        const node = leafNode[l]!;
        const lo = nodeLo[node * P + j]!;
        const hi = nodeHi[node * P + j]!;
        const others = leafVolume[l]! / (hi - lo);
        const from = lowerBound(boundaries, b, lo);
        const to = lowerBound(boundaries, b, hi);
        intervalSum[from] += others * leafValue[l]!;
        intervalSum[to] -= others * leafValue[l]!;
        intervalWeight[from] += others;
        intervalWeight[to] -= others;
      }
      let sum = 0;
      let weight = 0;
      let marginalVariance = 0;
      for (let k = 0; k < intervals; k++) {
        sum += intervalSum[k]!;
        weight += intervalWeight[k]!;
        const d = sum / weight - mean;
        marginalVariance += (boundaries[k + 1]! - boundaries[k]!) * d * d;
      }
      out[j] = Math.max(0, marginalVariance) / variance;
    }
    return true;
  }
}

/** First index in `values[0..length)` (ascending) holding a value >= x. */
function lowerBound(values: Float64Array, length: number, x: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
