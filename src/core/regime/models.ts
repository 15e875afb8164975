/**
 * One-dimensional state models fitted on a window of past feature values and run forward bar by bar.
 * Each model orders its states after every fit (lowest first) by what its axis measures, so state 0 is
 * always the calmest volatility, the weakest trend, the thinnest volume: identities stay put across refits.
 * All scratch space is allocated once per model for the largest window; fit and step allocate nothing.
 */

/** A model of one axis: fitted on a window, then filtered forward one observation at a time. */
export interface AxisModel {
  readonly states: number;
  /** Fits on window[0..n) (oldest first) and resets the forward state. */
  fit(window: Float64Array, n: number): void;
  /** Consumes one observation; writes each state's probability (in state order) into `probability`. */
  step(x: number, probability: Float64Array): void;
  /**
   * Steps through window[0..n) from the state `fit` left, with the probabilities of the last value in
   * `probability`: what n calls of `step` do, which a model may do without the probabilities in between.
   */
  replay(window: Float64Array, n: number, probability: Float64Array): void;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Mean and variance of window[0..n). */
function moments(x: Float64Array, n: number): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (x[i] - mean) ** 2;
  return { mean, variance: variance / n };
}

/** Starting centres at the (2k + 1) / 2K quantiles of the window: deterministic, spread over the data. */
function quantileCentres(x: Float64Array, n: number, sorted: Float64Array, centres: Float64Array): void {
  const k = centres.length;
  sorted.set(x.subarray(0, n));
  sorted.subarray(0, n).sort();
  for (let j = 0; j < k; j++) centres[j] = sorted[Math.min(n - 1, Math.floor(((2 * j + 1) / (2 * k)) * n))];
}

/** Reorders per-state arrays so that `by` ascends (insertion sort: K is 2 or 3). */
function orderStates(by: Float64Array, order: Int32Array): void {
  const k = by.length;
  for (let j = 0; j < k; j++) order[j] = j;
  for (let j = 1; j < k; j++) {
    const o = order[j];
    let m = j - 1;
    while (m >= 0 && by[order[m]] > by[o]) {
      order[m + 1] = order[m];
      m--;
    }
    order[m + 1] = o;
  }
}

export interface GaussianHmmOptions {
  readonly states: number;
  readonly maxWindow: number;
  /**
   * What orders the states after a fit: their means (trend, volume), or their variances about one mean
   * they share (volatility: a switching-variance model, so a state is told by the size of a move alone).
   */
  readonly orderBy: 'mean' | 'variance';
  /** EM stops after this many iterations or when the log-likelihood gains less than `tolerance` per bar. */
  readonly iterations?: number;
  readonly tolerance?: number;
}

/**
 * Gaussian hidden Markov model, EM (Baum-Welch) as hmmlearn's GaussianHMM does it with one feature:
 * scaled forward-backward E-step; M-step means and variances weighted by the state posteriors, a variance
 * floor (hmmlearn's min_covar, here 1e-3 of the window's variance) and a Dirichlet pseudo-count on the
 * transitions (hmmlearn's transmat_prior) so a state unseen in the window keeps a valid row. Unlike
 * hmmlearn it starts from quantiles rather than k-means (deterministic without a seed), ordered by
 * variance it ties the means (hmmlearn's means_ are free), and labelling uses the forward filter only:
 * hmmlearn's predict (Viterbi) and predict_proba (smoothing) look ahead.
 */
export class GaussianHmm implements AxisModel {
  readonly states: number;
  readonly means: Float64Array;
  readonly variances: Float64Array;
  /** Row-major K x K transition matrix. */
  readonly transition: Float64Array;
  private readonly initial: Float64Array;
  private readonly alpha: Float64Array;
  private readonly beta: Float64Array;
  private readonly emission: Float64Array;
  private readonly scale: Float64Array;
  private readonly sorted: Float64Array;
  private readonly gammaSum: Float64Array;
  private readonly xiSum: Float64Array;
  private readonly weightedX: Float64Array;
  private readonly weightedSquare: Float64Array;
  private readonly order: Int32Array;
  private readonly copy: Float64Array;
  private readonly filter: Float64Array;
  private readonly inverseVariance: Float64Array;
  private readonly logNorm: Float64Array;
  private readonly iterations: number;
  private readonly tolerance: number;
  private readonly orderBy: 'mean' | 'variance';
  private started = false;

  constructor(options: GaussianHmmOptions) {
    const k = (this.states = options.states);
    const t = options.maxWindow;
    this.means = new Float64Array(k);
    this.variances = new Float64Array(k);
    this.transition = new Float64Array(k * k);
    this.initial = new Float64Array(k);
    this.alpha = new Float64Array(t * k);
    this.beta = new Float64Array(t * k);
    this.emission = new Float64Array(t * k);
    this.scale = new Float64Array(t);
    this.sorted = new Float64Array(t);
    this.gammaSum = new Float64Array(k);
    this.xiSum = new Float64Array(k * k);
    this.weightedX = new Float64Array(k);
    this.weightedSquare = new Float64Array(k);
    this.order = new Int32Array(k);
    this.copy = new Float64Array(k * k);
    this.filter = new Float64Array(k);
    this.inverseVariance = new Float64Array(k);
    this.logNorm = new Float64Array(k);
    this.iterations = options.iterations ?? 20;
    this.tolerance = options.tolerance ?? 1e-4;
    this.orderBy = options.orderBy;
  }

  /** Caches 1 / variance and the log normalising constant of each state after the variances change. */
  private prepare(): void {
    for (let j = 0; j < this.states; j++) {
      this.inverseVariance[j] = 1 / this.variances[j];
      this.logNorm[j] = -0.5 * Math.log(this.variances[j]) - LOG_SQRT_2PI;
    }
  }

  /** Emission densities of x (relative to the largest, whose log is returned). */
  private emit(x: number, out: Float64Array, at: number): number {
    const k = this.states;
    let top = -Infinity;
    for (let j = 0; j < k; j++) {
      const d = x - this.means[j];
      const log = this.logNorm[j] - 0.5 * d * d * this.inverseVariance[j];
      out[at + j] = log;
      if (log > top) top = log;
    }
    for (let j = 0; j < k; j++) out[at + j] = Math.exp(out[at + j] - top);
    return top;
  }

  fit(x: Float64Array, n: number): void {
    const k = this.states;
    const { alpha, beta, emission: b, scale, transition: a } = this;
    const { mean, variance } = moments(x, n);
    const floor = 1e-3 * variance + 1e-12;
    // Start states apart in what orders them: spread means, or one mean with variances from 1/2 to 2x.
    if (this.orderBy === 'mean') quantileCentres(x, n, this.sorted, this.means);
    else this.means.fill(mean);
    for (let j = 0; j < k; j++) {
      this.variances[j] =
        (this.orderBy === 'mean' ? variance / k : variance * 2 ** ((2 * j) / (k - 1) - 1)) + floor;
      this.initial[j] = 1 / k;
      for (let m = 0; m < k; m++) a[j * k + m] = j === m ? 0.9 : 0.1 / (k - 1);
    }
    let previous = -Infinity;
    for (let iteration = 0; iteration < this.iterations; iteration++) {
      this.prepare();
      // E-step: scaled forward pass.
      let logLikelihood = 0;
      for (let t = 0; t < n; t++) {
        logLikelihood += this.emit(x[t], b, t * k);
        let total = 0;
        for (let j = 0; j < k; j++) {
          let s = 0;
          if (t === 0) s = this.initial[j];
          else for (let m = 0; m < k; m++) s += alpha[(t - 1) * k + m] * a[m * k + j];
          s *= b[t * k + j];
          alpha[t * k + j] = s;
          total += s;
        }
        scale[t] = total;
        logLikelihood += Math.log(total);
        for (let j = 0; j < k; j++) alpha[t * k + j] /= total;
      }
      // Backward pass with the same scales.
      for (let j = 0; j < k; j++) beta[(n - 1) * k + j] = 1;
      for (let t = n - 2; t >= 0; t--) {
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let m = 0; m < k; m++) s += a[j * k + m] * b[(t + 1) * k + m] * beta[(t + 1) * k + m];
          beta[t * k + j] = s / scale[t + 1];
        }
      }
      // M-step sufficient statistics.
      this.gammaSum.fill(0);
      this.weightedX.fill(0);
      this.weightedSquare.fill(0);
      this.xiSum.fill(0);
      for (let t = 0; t < n; t++) {
        for (let j = 0; j < k; j++) {
          const g = alpha[t * k + j] * beta[t * k + j];
          this.gammaSum[j] += g;
          this.weightedX[j] += g * x[t];
          if (t === 0) this.initial[j] = g;
          if (t > 0) {
            const tail = (b[t * k + j] * beta[t * k + j]) / scale[t];
            for (let m = 0; m < k; m++) this.xiSum[m * k + j] += alpha[(t - 1) * k + m] * a[m * k + j] * tail;
          }
        }
      }
      // Volatility states share the window's mean (its maximum-likelihood value when they do): with a
      // mean of its own, a state is chosen by where a return lies as much as by how far, so the calm-
      // variance state could hold the big moves of one sign and out-move "normal" (issue 11).
      if (this.orderBy === 'mean') {
        for (let j = 0; j < k; j++) {
          const w = this.gammaSum[j];
          if (w > 1e-9) this.means[j] = this.weightedX[j] / w;
        }
      }
      for (let t = 0; t < n; t++) {
        for (let j = 0; j < k; j++) {
          const d = x[t] - this.means[j];
          this.weightedSquare[j] += alpha[t * k + j] * beta[t * k + j] * d * d;
        }
      }
      for (let j = 0; j < k; j++) {
        const w = this.gammaSum[j];
        this.variances[j] = (w > 1e-9 ? this.weightedSquare[j] / w : variance) + floor;
        let row = 0;
        for (let m = 0; m < k; m++) row += this.xiSum[j * k + m] + 1;
        for (let m = 0; m < k; m++) a[j * k + m] = (this.xiSum[j * k + m] + 1) / row;
      }
      if (logLikelihood - previous < this.tolerance * n) break;
      previous = logLikelihood;
    }
    this.sortStates();
    this.prepare();
    this.started = false;
  }

  private sortStates(): void {
    const k = this.states;
    const { order, copy, transition: a } = this;
    orderStates(this.orderBy === 'mean' ? this.means : this.variances, order);
    copy.set(a);
    for (let j = 0; j < k; j++) for (let m = 0; m < k; m++) a[j * k + m] = copy[order[j] * k + order[m]];
    for (const column of [this.means, this.variances, this.initial]) {
      for (let j = 0; j < k; j++) copy[j] = column[order[j]];
      for (let j = 0; j < k; j++) column[j] = copy[j];
    }
  }

  step(x: number, probability: Float64Array): void {
    const k = this.states;
    const f = this.filter;
    const b = this.copy;
    this.emit(x, b, 0);
    let total = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      if (!this.started) s = this.initial[j];
      else for (let m = 0; m < k; m++) s += f[m] * this.transition[m * k + j];
      probability[j] = s * b[j];
      total += probability[j];
    }
    this.started = true;
    for (let j = 0; j < k; j++) f[j] = probability[j] /= total;
  }

  replay(window: Float64Array, n: number, probability: Float64Array): void {
    for (let t = 0; t < n; t++) this.step(window[t], probability);
  }
}

export interface JumpModelOptions {
  readonly states: number;
  readonly maxWindow: number;
  /** Cost of a switch, in units of the window's variance (the persistence control). */
  readonly jumpPenalty: number;
  readonly iterations?: number;
}

/**
 * Statistical jump model (Nystrup, Lindstroem & Madsen 2020; Shu, Yu & Mulvey 2024): K centres, a squared
 * distance loss on the feature standardised over the fit window, and a fixed penalty per switch. Fitting
 * alternates a dynamic programme over the window (with backtracking: the window is all past) and centre
 * updates, k-means style, until the states stop changing. Labelling runs the same recursion forward
 * only, V_t(k) = loss_t(k) + min(V_{t-1}(k), min_j V_{t-1}(j) + penalty), and reads the current argmin:
 * never revised by later bars (the online inference of Shu et al., their `predict_online`).
 * Probabilities are a softmax of the cost gaps, exp(-(V_k - min V)), in variance units.
 *
 * The loss is the plain squared distance where the `jumpmodels` package halves it, so a penalty here is
 * half theirs. Unlike it, centres start at quantiles rather than k-means++ restarts: deterministic, and
 * one start suffices in one dimension.
 */
export class JumpModel implements AxisModel {
  readonly states: number;
  readonly centres: Float64Array;
  private readonly penalty: number;
  private readonly iterations: number;
  private readonly value: Float64Array;
  private readonly next: Float64Array;
  private readonly choice: Uint8Array;
  private readonly assigned: Uint8Array;
  private readonly sorted: Float64Array;
  /** The fit window standardised once, so the programme's inner loop is a subtraction and a square. */
  private readonly standard: Float64Array;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly order: Int32Array;
  private scaleMean = 0;
  private scaleInverse = 1;

  constructor(options: JumpModelOptions) {
    const k = (this.states = options.states);
    this.penalty = options.jumpPenalty;
    this.iterations = options.iterations ?? 20;
    this.centres = new Float64Array(k);
    this.value = new Float64Array(k);
    this.next = new Float64Array(k);
    this.choice = new Uint8Array(options.maxWindow * k);
    this.assigned = new Uint8Array(options.maxWindow);
    this.sorted = new Float64Array(options.maxWindow);
    this.standard = new Float64Array(options.maxWindow);
    this.sums = new Float64Array(k);
    this.counts = new Float64Array(k);
    this.order = new Int32Array(k);
  }

  fit(x: Float64Array, n: number): void {
    const k = this.states;
    const { mean, variance } = moments(x, n);
    this.scaleMean = mean;
    const inverse = (this.scaleInverse = 1 / Math.sqrt(variance + 1e-24));
    const { value, next, choice, assigned, centres, standard: z, penalty } = this;
    for (let t = 0; t < n; t++) z[t] = (x[t] - mean) * inverse;
    quantileCentres(z, n, this.sorted, centres);
    for (let iteration = 0; iteration < this.iterations; iteration++) {
      // Dynamic programme with backpointers: choice[t, j] is the state at t - 1 on the best path to j at t.
      for (let j = 0; j < k; j++) value[j] = (z[0] - centres[j]) ** 2;
      for (let t = 1; t < n; t++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (value[j] < value[best]) best = j;
        const jump = value[best] + penalty;
        const zt = z[t];
        for (let j = 0; j < k; j++) {
          const stay = value[j] <= jump;
          choice[t * k + j] = stay ? j : best;
          const d = zt - centres[j];
          next[j] = (stay ? value[j] : jump) + d * d;
        }
        for (let j = 0; j < k; j++) value[j] = next[j];
      }
      let state = 0;
      for (let j = 1; j < k; j++) if (value[j] < value[state]) state = j;
      let changed = iteration === 0;
      for (let t = n - 1; t >= 0; t--) {
        if (assigned[t] !== state) changed = true;
        assigned[t] = state;
        if (t > 0) state = choice[t * k + state];
      }
      this.sums.fill(0);
      this.counts.fill(0);
      for (let t = 0; t < n; t++) {
        this.sums[assigned[t]] += z[t];
        this.counts[assigned[t]]++;
      }
      for (let j = 0; j < k; j++) if (this.counts[j] > 0) centres[j] = this.sums[j] / this.counts[j];
      if (!changed) break;
    }
    orderStates(centres, this.order);
    for (let j = 0; j < k; j++) next[j] = centres[this.order[j]];
    centres.set(next);
    value.fill(0);
  }

  /** One forward step of the costs; returns the lowest, which the caller subtracts. */
  private advance(x: number): number {
    const k = this.states;
    const { value, next, centres } = this;
    let best = 0;
    for (let j = 1; j < k; j++) if (value[j] < value[best]) best = j;
    const jump = value[best] + this.penalty;
    const z = (x - this.scaleMean) * this.scaleInverse;
    let low = Infinity;
    for (let j = 0; j < k; j++) {
      const d = z - centres[j];
      const v = (value[j] <= jump ? value[j] : jump) + d * d;
      next[j] = v;
      if (v < low) low = v;
    }
    return low;
  }

  step(x: number, probability: Float64Array): void {
    const k = this.states;
    const value = this.value;
    const low = this.advance(x);
    // Only the gaps matter; subtracting the minimum keeps the costs bounded over any number of bars.
    let total = 0;
    for (let j = 0; j < k; j++) {
      value[j] = this.next[j] - low;
      probability[j] = Math.exp(-value[j]);
      total += probability[j];
    }
    for (let j = 0; j < k; j++) probability[j] /= total;
  }

  replay(x: Float64Array, n: number, probability: Float64Array): void {
    const k = this.states;
    const { value, next } = this;
    for (let t = 0; t < n - 1; t++) {
      const low = this.advance(x[t]);
      for (let j = 0; j < k; j++) value[j] = next[j] - low;
    }
    if (n > 0) this.step(x[n - 1], probability);
  }
}
