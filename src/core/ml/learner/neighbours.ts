import type { Features } from '../base.ts';

/**
 * The last `capacity` inputs the learner was taught, raw, each with the absolute residual the learner
 * made on it before learning it. Distances are standardised at query time by the caller's current
 * per-feature scale, so a scaler that was reset (after drift) still measures old points correctly.
 *
 * It answers the two local questions confidence needs: how far an input is from what was seen (mean
 * distance to its k nearest neighbours: an applicability domain) and how large the errors were around it
 * (their mean residual: the local scale of a normalised conformal interval, Papadopoulos et al. 2008).
 */
export class NeighbourMemory {
  private keys: string[] = [];
  private readonly keyIndex = new Map<string, number>();
  private points: Float64Array[] = [];
  private residuals: number[] = [];
  private next = 0;

  constructor(
    readonly capacity: number,
    readonly k: number,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1 && Number.isInteger(k) && k >= 1))
      throw new RangeError(
        `neighbour memory: capacity and k must be positive integers, got ${capacity}, ${k}`,
      );
  }

  get size(): number {
    return this.points.length;
  }

  get featureNames(): readonly string[] {
    return this.keys;
  }

  /**
   * The input as a dense vector over the features seen so far; with `grow`, names not seen before are
   * added, without it they are left out (a query must not change the memory).
   */
  vector(x: Features, grow: boolean): Float64Array {
    if (grow) {
      for (const key in x) {
        if (!this.keyIndex.has(key)) {
          this.keyIndex.set(key, this.keys.length);
          this.keys.push(key);
        }
      }
    }
    const v = new Float64Array(this.keys.length);
    for (const key in x) {
      const i = this.keyIndex.get(key);
      if (i !== undefined) v[i] = x[key]!;
    }
    return v;
  }

  add(v: Float64Array, absResidual: number): void {
    if (this.points.length < this.capacity) {
      this.points.push(v);
      this.residuals.push(absResidual);
    } else {
      this.points[this.next] = v;
      this.residuals[this.next] = absResidual;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  /**
   * Mean distance to and mean residual of the k nearest stored inputs, with `inverseScale[i]` the
   * reciprocal standard deviation of feature i (0 ignores it). A vector shorter than the feature list
   * (stored before a feature first appeared) reads 0 there, as a model does.
   */
  query(v: Float64Array, inverseScale: Float64Array): { distance: number; residual: number } {
    const k = Math.min(this.k, this.points.length);
    if (k === 0) return { distance: Infinity, residual: Infinity };
    const bestD = new Float64Array(k).fill(Infinity);
    const bestR = new Float64Array(k);
    for (let p = 0; p < this.points.length; p++) {
      const point = this.points[p]!;
      let d2 = 0;
      for (let i = 0; i < inverseScale.length; i++) {
        const diff = ((v[i] ?? 0) - (point[i] ?? 0)) * inverseScale[i]!;
        d2 += diff * diff;
      }
      if (d2 >= bestD[k - 1]!) continue;
      let j = k - 1;
      while (j > 0 && bestD[j - 1]! > d2) {
        bestD[j] = bestD[j - 1]!;
        bestR[j] = bestR[j - 1]!;
        j--;
      }
      bestD[j] = d2;
      bestR[j] = this.residuals[p]!;
    }
    let distance = 0;
    let residual = 0;
    for (let j = 0; j < k; j++) {
      distance += Math.sqrt(bestD[j]!);
      residual += bestR[j]!;
    }
    return { distance: distance / k, residual: residual / k };
  }

  toState(): { keys: string[]; points: number[][]; residuals: number[]; next: number } {
    return {
      keys: [...this.keys],
      points: this.points.map((p) => Array.from(p)),
      residuals: [...this.residuals],
      next: this.next,
    };
  }

  static fromState(
    capacity: number,
    k: number,
    state: { keys: string[]; points: number[][]; residuals: number[]; next: number },
  ): NeighbourMemory {
    const memory = new NeighbourMemory(capacity, k);
    state.keys.forEach((key, i) => memory.keyIndex.set(key, i));
    memory.keys = [...state.keys];
    memory.points = state.points.map((p) => Float64Array.from(p));
    memory.residuals = [...state.residuals];
    memory.next = state.next;
    return memory;
  }
}
