/**
 * Point-in-time percentile rank of a value within the last `window` values before it: the rolling
 * quantile kernel the rule detector judges volatility and volume with. Values are bucketed on a fixed
 * grid (BINS bins over [MIN, MAX], a resolution of about 0.004 for log-scaled inputs) and counted in a
 * Fenwick tree, so a bar costs O(log BINS) whatever the window, allocates nothing, and the answer never
 * depends on values outside the window (the grid is fixed, not fitted to the data).
 * Ties within a bin count half (mid-rank), so a constant series ranks at 0.5.
 */
const BINS = 1 << 14;
const MIN = -40;
const MAX = 40;
const SCALE = BINS / (MAX - MIN);

function binOf(x: number): number {
  const b = Math.floor((x - MIN) * SCALE);
  return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
}

export class RollingRank {
  private readonly tree = new Int32Array(BINS + 1);
  private readonly ring: Int32Array;
  private count = 0;

  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 1)
      throw new RangeError(`RollingRank: window must be >= 1, got ${window}`);
    this.ring = new Int32Array(window);
  }

  /** True once `window` values have been added, so `rank` judges against a full window. */
  get full(): boolean {
    return this.count >= this.window;
  }

  /** Fraction of the window below x (ties in x's bin count half); NaN before any value. */
  rank(x: number): number {
    const size = this.count < this.window ? this.count : this.window;
    if (size === 0 || Number.isNaN(x)) return NaN;
    const b = binOf(x);
    const below = this.prefix(b);
    const within = this.prefix(b + 1) - below;
    return (below + 0.5 * within) / size;
  }

  /** Adds x to the window (dropping the oldest value once full); NaN is ignored. */
  add(x: number): void {
    if (Number.isNaN(x)) return;
    const slot = this.count % this.window;
    if (this.count >= this.window) this.change(this.ring[slot], -1);
    const b = binOf(x);
    this.ring[slot] = b;
    this.change(b, 1);
    this.count++;
  }

  /** Count of values in bins [0, bin). */
  private prefix(bin: number): number {
    let sum = 0;
    for (let i = bin; i > 0; i -= i & -i) sum += this.tree[i];
    return sum;
  }

  private change(bin: number, delta: number): void {
    for (let i = bin + 1; i <= BINS; i += i & -i) this.tree[i] += delta;
  }
}
