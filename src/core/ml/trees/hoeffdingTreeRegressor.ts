import { checkState, type Features, type ModelState, type Regressor } from '../base.ts';
import { LinearRegression } from '../linear/linearRegression.ts';

/**
 * River's `tree.HoeffdingTreeRegressor` (FIMT-DD style), with the settings its adaptive random forest
 * uses: leaves keep the target's running mean and variance and, per feature, the target statistics of
 * each observed value rounded to `digits` decimals (River's TEBSTSplitter); every `gracePeriod` units of
 * weight a leaf ranks candidate thresholds by variance reduction (both sides holding at least
 * `minSamplesSplit`), and splits when the second best's merit over the best's is below 1 - ε (Hoeffding
 * bound with range 1 and confidence `delta`) or ε < `tau`. Leaves predict "adaptively": the mean or a
 * linear model, whichever has the lower faded squared error (decay 0.95), as River's LeafAdaptive. A leaf
 * can be restricted to a subset of features (`featureSubset`), which is how the forest decorrelates.
 */
export interface HoeffdingTreeOptions {
  readonly gracePeriod?: number;
  readonly delta?: number;
  readonly tau?: number;
  readonly minSamplesSplit?: number;
  readonly maxDepth?: number;
  readonly digits?: number;
  readonly modelSelectorDecay?: number;
}

/** Weighted running count, mean and sum of squared deviations (River's stats.Var, ddof 1). */
interface Moments {
  n: number;
  mean: number;
  m2: number;
}

interface Leaf {
  readonly kind: 'leaf';
  readonly depth: number;
  stats: Moments;
  /** Per feature: rounded value → target moments of the observations with that value. */
  observers: Record<string, [number, Moments][]>;
  /** The features this leaf may split on (all when null). */
  features: string[] | null;
  lastAttemptAt: number;
  model: ModelState;
  fmseMean: number;
  fmseModel: number;
}

interface Branch {
  readonly kind: 'branch';
  readonly feature: string;
  readonly threshold: number;
  left: Node;
  right: Node;
  /** Weight that went left and right, for inputs that lack the feature. */
  leftWeight: number;
  rightWeight: number;
}

type Node = Leaf | Branch;

const KIND = 'hoeffding-tree-regressor';
const VERSION = 1;

/** Chooses a leaf's feature subset when the leaf is created (the forest samples; a lone tree does not). */
export type FeatureSampler = (features: readonly string[]) => string[] | null;

export class HoeffdingTreeRegressor implements Regressor {
  readonly gracePeriod: number;
  readonly delta: number;
  readonly tau: number;
  readonly minSamplesSplit: number;
  readonly maxDepth: number;
  readonly digits: number;
  readonly modelSelectorDecay: number;
  private root: Node;
  /** Leaf models are held as live objects beside their serialised state (see `model`). */
  private readonly models = new WeakMap<Leaf, LinearRegression>();

  constructor(
    options: HoeffdingTreeOptions = {},
    private readonly sampleFeatures: FeatureSampler = () => null,
  ) {
    this.gracePeriod = options.gracePeriod ?? 200;
    this.delta = options.delta ?? 1e-7;
    this.tau = options.tau ?? 0.05;
    this.minSamplesSplit = options.minSamplesSplit ?? 5;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.digits = options.digits ?? 1;
    this.modelSelectorDecay = options.modelSelectorDecay ?? 0.95;
    this.root = this.newLeaf(0, { n: 0, mean: 0, m2: 0 }, new LinearRegression().toState(), 0, 0);
  }

  predictOne(x: Features): number {
    const leaf = this.leafOf(x);
    if (leaf.stats.n === 0) return 0;
    return leaf.fmseMean < leaf.fmseModel ? leaf.stats.mean : this.model(leaf).predictOne(x);
  }

  learnOne(x: Features, y: number, weight = 1): void {
    if (!Number.isFinite(y)) throw new RangeError(`HoeffdingTreeRegressor: target is ${y}`);
    if (!(weight > 0)) return;
    const path: Branch[] = [];
    let node = this.root;
    while (node.kind === 'branch') {
      path.push(node);
      const goLeft = this.goesLeft(node, x);
      if (goLeft) node.leftWeight += weight;
      else node.rightWeight += weight;
      node = goLeft ? node.left : node.right;
    }
    const leaf = node;
    const model = this.model(leaf);
    // LeafAdaptive: the faded errors are measured before the leaf learns this observation.
    leaf.fmseMean = this.modelSelectorDecay * leaf.fmseMean + (y - leaf.stats.mean) ** 2;
    leaf.fmseModel = this.modelSelectorDecay * leaf.fmseModel + (y - model.predictOne(x)) ** 2;
    addTo(leaf.stats, y, weight);
    if (leaf.features === null) leaf.features = this.sampleFeatures(Object.keys(x).sort());
    const scale = 10 ** this.digits;
    for (const feature of leaf.features ?? Object.keys(x)) {
      const value = x[feature];
      if (value === undefined || !Number.isFinite(value)) continue;
      const key = Math.round(value * scale) / scale;
      const observer = (leaf.observers[feature] ??= []);
      let entry = observer.find(([k]) => k === key);
      if (!entry) {
        entry = [key, { n: 0, mean: 0, m2: 0 }];
        observer.push(entry);
      }
      addTo(entry[1], y, weight);
    }
    model.learnOne(x, y, weight);
    if (leaf.depth < this.maxDepth && leaf.stats.n - leaf.lastAttemptAt >= this.gracePeriod) {
      leaf.lastAttemptAt = leaf.stats.n;
      const split = this.bestSplit(leaf);
      if (split) this.replace(leaf, split, path[path.length - 1]);
    }
  }

  learnMany(xs: readonly Features[], ys: readonly number[]): void {
    if (xs.length !== ys.length)
      throw new RangeError(`learnMany: ${xs.length} inputs but ${ys.length} targets`);
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i]!, ys[i]!);
  }

  /** Leaves and branches, for the tests and for memory accounting. */
  size(): { leaves: number; branches: number; depth: number } {
    const walk = (node: Node): { leaves: number; branches: number; depth: number } => {
      if (node.kind === 'leaf') return { leaves: 1, branches: 0, depth: node.depth };
      const l = walk(node.left);
      const r = walk(node.right);
      return {
        leaves: l.leaves + r.leaves,
        branches: l.branches + r.branches + 1,
        depth: Math.max(l.depth, r.depth),
      };
    };
    return walk(this.root);
  }

  toState(): ModelState<typeof KIND> {
    this.syncModels(this.root);
    return {
      kind: KIND,
      version: VERSION,
      options: {
        gracePeriod: this.gracePeriod,
        delta: this.delta,
        tau: this.tau,
        minSamplesSplit: this.minSamplesSplit,
        maxDepth: Number.isFinite(this.maxDepth) ? this.maxDepth : null,
        digits: this.digits,
        modelSelectorDecay: this.modelSelectorDecay,
      },
      root: JSON.parse(JSON.stringify(this.root)) as unknown,
    };
  }

  static fromState(state: ModelState, sampleFeatures?: FeatureSampler): HoeffdingTreeRegressor {
    checkState(state, KIND, VERSION);
    const options = state.options as HoeffdingTreeOptions & { maxDepth: number | null };
    const tree = new HoeffdingTreeRegressor(
      { ...options, maxDepth: options.maxDepth ?? undefined },
      sampleFeatures,
    );
    tree.root = JSON.parse(JSON.stringify(state.root)) as Node;
    return tree;
  }

  /** Writes each leaf's live model into its serialisable state. */
  private syncModels(node: Node): void {
    if (node.kind === 'branch') {
      this.syncModels(node.left);
      this.syncModels(node.right);
    } else {
      const live = this.models.get(node);
      if (live) node.model = live.toState();
    }
  }

  private model(leaf: Leaf): LinearRegression {
    let model = this.models.get(leaf);
    if (!model) {
      model = LinearRegression.fromState(leaf.model);
      this.models.set(leaf, model);
    }
    return model;
  }

  private newLeaf(
    depth: number,
    stats: Moments,
    model: ModelState,
    fmseMean: number,
    fmseModel: number,
  ): Leaf {
    return {
      kind: 'leaf',
      depth,
      stats,
      observers: {},
      features: null,
      lastAttemptAt: stats.n,
      model,
      fmseMean,
      fmseModel,
    };
  }

  private goesLeft(branch: Branch, x: Features): boolean {
    const value = x[branch.feature];
    if (value === undefined || !Number.isFinite(value)) return branch.leftWeight >= branch.rightWeight;
    return value <= branch.threshold;
  }

  private leafOf(x: Features): Leaf {
    let node = this.root;
    while (node.kind === 'branch') node = this.goesLeft(node, x) ? node.left : node.right;
    return node;
  }

  /** The winning split of a leaf, or undefined when the Hoeffding test does not yet decide. */
  private bestSplit(
    leaf: Leaf,
  ): { feature: string; threshold: number; left: Moments; right: Moments } | undefined {
    const parentVariance = variance(leaf.stats);
    const candidates: { feature: string; threshold: number; merit: number; left: Moments; right: Moments }[] =
      [];
    for (const feature of Object.keys(leaf.observers).sort()) {
      const observer = [...leaf.observers[feature]!].sort((a, b) => a[0] - b[0]);
      let best: (typeof candidates)[number] | undefined;
      const left: Moments = { n: 0, mean: 0, m2: 0 };
      for (let i = 0; i < observer.length - 1; i++) {
        merge(left, observer[i]![1]);
        const right = subtract(leaf.stats, left);
        if (left.n < this.minSamplesSplit || right.n < this.minSamplesSplit) continue;
        const merit =
          parentVariance -
          (left.n / leaf.stats.n) * variance(left) -
          (right.n / leaf.stats.n) * variance(right);
        if (!best || merit > best.merit)
          best = { feature, threshold: observer[i]![0], merit, left: { ...left }, right };
      }
      if (best) candidates.push(best);
    }
    // River ranks every feature's best against a "no split" candidate of merit 0.
    candidates.sort((a, b) => b.merit - a.merit);
    const first = candidates[0];
    if (!first || !(first.merit > 0)) return undefined;
    const secondMerit = candidates[1]?.merit ?? 0;
    const epsilon = Math.sqrt(Math.log(1 / this.delta) / (2 * leaf.stats.n));
    return secondMerit / first.merit < 1 - epsilon || epsilon < this.tau ? first : undefined;
  }

  private replace(
    leaf: Leaf,
    split: { feature: string; threshold: number; left: Moments; right: Moments },
    parent: Branch | undefined,
  ): void {
    // Children start from the parent's statistics split by the threshold, and from its leaf model.
    const model = this.model(leaf).toState();
    const child = (stats: Moments): Leaf =>
      this.newLeaf(leaf.depth + 1, { ...stats }, model, leaf.fmseMean, leaf.fmseModel);
    const branch: Branch = {
      kind: 'branch',
      feature: split.feature,
      threshold: split.threshold,
      left: child(split.left),
      right: child(split.right),
      leftWeight: split.left.n,
      rightWeight: split.right.n,
    };
    if (!parent) this.root = branch;
    else if (parent.left === leaf) parent.left = branch;
    else parent.right = branch;
  }
}

function addTo(m: Moments, y: number, weight: number): void {
  m.n += weight;
  const delta = y - m.mean;
  m.mean += (weight * delta) / m.n;
  m.m2 += weight * delta * (y - m.mean);
}

/** Combines moments b into a (Chan et al.'s parallel update). */
function merge(a: Moments, b: Moments): void {
  if (b.n === 0) return;
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  a.m2 += b.m2 + (delta * delta * a.n * b.n) / n;
  a.mean += (delta * b.n) / n;
  a.n = n;
}

/** The moments of `all` without `part`. */
function subtract(all: Moments, part: Moments): Moments {
  const n = all.n - part.n;
  if (n <= 0) return { n: 0, mean: 0, m2: 0 };
  const mean = (all.n * all.mean - part.n * part.mean) / n;
  const m2 = all.m2 - part.m2 - ((part.mean - mean) ** 2 * part.n * n) / all.n;
  return { n, mean, m2: Math.max(0, m2) };
}

function variance(m: Moments): number {
  return m.n > 1 ? m.m2 / (m.n - 1) : 0;
}
