import brain from 'brain.js';
import { checkState, type Features, type ModelState, type Regressor } from '../../core/ml/base.ts';
import { createRng } from '../../core/math/random.ts';

/**
 * The optional neural regressor: a small brain.js feed-forward network (sigmoid units, brain.js's own
 * backpropagation with its learning rate and momentum) trained online, one `trainPattern` per
 * observation, behind core's Regressor interface. It lives in main because core imports no package.
 *
 * What brain.js leaves to its caller, done here: weights are drawn from a seeded generator instead of
 * Math.random (so a seed gives the same network), targets are standardised by a running mean and
 * deviation and squashed into the sigmoid's (0, 1) (brain.js's output unit is a sigmoid too), the
 * feature order is fixed at the first observation (new features later are ignored, absent ones read 0),
 * and the state, momentum included, is copied out and back into brain.js's Float32Arrays, so a restored
 * network predicts and goes on learning bit for bit as the original.
 */
export interface NeuralRegressorOptions {
  readonly seed: number;
  readonly hiddenLayers?: readonly number[];
  readonly learningRate?: number;
  readonly momentum?: number;
}

const KIND = 'brainjs-regressor';
const VERSION = 1;

interface Network {
  sizes: number[];
  weights: Float32Array[][];
  biases: Float32Array[];
  changes: Float32Array[][];
  outputLayer: number;
  initialize(): void;
  trainPattern(value: { input: number[]; output: number[] }): void;
  run(input: number[]): Float32Array;
}

export class NeuralRegressor implements Regressor {
  readonly seed: number;
  readonly hiddenLayers: readonly number[];
  readonly learningRate: number;
  readonly momentum: number;
  private features: string[] | null = null;
  private net: Network | null = null;
  private count = 0;
  private mean = 0;
  private m2 = 0;

  constructor(options: NeuralRegressorOptions) {
    this.seed = options.seed;
    this.hiddenLayers = options.hiddenLayers ?? [8];
    this.learningRate = options.learningRate ?? 0.3;
    this.momentum = options.momentum ?? 0.1;
  }

  predictOne(x: Features): number {
    if (!this.net || !this.features) return this.mean;
    const out = Math.min(1 - 1e-9, Math.max(1e-9, this.net.run(this.vector(x))[0]!));
    return this.mean + this.scale() * Math.log(out / (1 - out));
  }

  learnOne(x: Features, y: number, weight = 1): void {
    if (!Number.isFinite(y)) throw new RangeError(`NeuralRegressor: target is ${y}`);
    this.features ??= Object.keys(x).sort();
    this.net ??= this.createNetwork(this.features.length);
    for (let repeat = 0; repeat < Math.round(weight); repeat++) {
      this.count += 1;
      const delta = y - this.mean;
      this.mean += delta / this.count;
      this.m2 += delta * (y - this.mean);
      const z = (y - this.mean) / this.scale();
      this.net.trainPattern({ input: this.vector(x), output: [1 / (1 + Math.exp(-z))] });
    }
  }

  learnMany(xs: readonly Features[], ys: readonly number[]): void {
    if (xs.length !== ys.length)
      throw new RangeError(`learnMany: ${xs.length} inputs but ${ys.length} targets`);
    for (let i = 0; i < xs.length; i++) this.learnOne(xs[i]!, ys[i]!);
  }

  toState(): ModelState<typeof KIND> {
    const net = this.net;
    return {
      kind: KIND,
      version: VERSION,
      options: {
        seed: this.seed,
        hiddenLayers: [...this.hiddenLayers],
        learningRate: this.learningRate,
        momentum: this.momentum,
      },
      features: this.features,
      target: { count: this.count, mean: this.mean, m2: this.m2 },
      network: net && {
        sizes: [...net.sizes],
        weights: net.weights.map((layer) => layer.map((node) => Array.from(node))),
        biases: net.biases.map((layer) => Array.from(layer)),
        changes: net.changes.map((layer) => layer.map((node) => Array.from(node))),
      },
    };
  }

  static fromState(state: ModelState): NeuralRegressor {
    checkState(state, KIND, VERSION);
    const model = new NeuralRegressor(state.options as NeuralRegressorOptions);
    const target = state.target as { count: number; mean: number; m2: number };
    model.features = state.features as string[] | null;
    model.count = target.count;
    model.mean = target.mean;
    model.m2 = target.m2;
    const saved = state.network as {
      weights: number[][][];
      biases: number[][];
      changes: number[][][];
    } | null;
    if (saved && model.features) {
      const net = model.createNetwork(model.features.length);
      for (let layer = 1; layer <= net.outputLayer; layer++) {
        net.biases[layer]!.set(saved.biases[layer]!);
        net.weights[layer]!.forEach((node, k) => node.set(saved.weights[layer]![k]!));
        net.changes[layer]!.forEach((node, k) => node.set(saved.changes[layer]![k]!));
      }
      model.net = net;
    }
    return model;
  }

  private scale(): number {
    const sd = this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0;
    return sd > 0 ? sd : 1;
  }

  private vector(x: Features): number[] {
    return this.features!.map((name) => {
      const value = x[name];
      return value !== undefined && Number.isFinite(value) ? value : 0;
    });
  }

  private createNetwork(inputs: number): Network {
    // Training options are set on trainOpts directly: trainPattern reads them there, and train() is never called.
    const net = new brain.NeuralNetwork({ hiddenLayers: [...this.hiddenLayers] }) as unknown as Network & {
      trainOpts: { learningRate: number; momentum: number };
    };
    net.trainOpts.learningRate = this.learningRate;
    net.trainOpts.momentum = this.momentum;
    net.sizes = [inputs, ...this.hiddenLayers, 1];
    net.initialize();
    // brain.js draws initial weights with Math.random; a seeded draw in the same range (±0.2) replaces them.
    const rng = createRng(this.seed);
    for (let layer = 1; layer <= net.outputLayer; layer++) {
      const biases = net.biases[layer]!;
      for (let i = 0; i < biases.length; i++) biases[i] = rng.float() * 0.4 - 0.2;
      for (const node of net.weights[layer]!)
        for (let i = 0; i < node.length; i++) node[i] = rng.float() * 0.4 - 0.2;
    }
    return net;
  }
}
