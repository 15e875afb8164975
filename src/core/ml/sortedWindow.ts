/**
 * The last `capacity` values in arrival order, mirrored in ascending order so a quantile or a rank is a
 * binary search: what conformal residual quantiles and the applicability domain's percentiles need, each
 * update O(capacity) at worst (one splice), no sort.
 */
export class SortedWindow {
  private readonly arrival: number[] = [];
  private readonly ascending: number[] = [];

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`a sorted window needs a positive integer capacity, got ${capacity}`);
  }

  get size(): number {
    return this.arrival.length;
  }

  push(value: number): void {
    this.arrival.push(value);
    this.ascending.splice(lowerBound(this.ascending, value), 0, value);
    if (this.arrival.length > this.capacity)
      this.ascending.splice(lowerBound(this.ascending, this.arrival.shift()!), 1);
  }

  /** The k-th smallest value, 1-based. */
  kth(k: number): number {
    return this.ascending[k - 1]!;
  }

  /** Share of the values at or below `value` (0 for an empty window). */
  rank(value: number): number {
    const n = this.ascending.length;
    if (n === 0) return 0;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ascending[mid]! <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo / n;
  }

  /** The values in arrival order (for a state). */
  values(): number[] {
    return [...this.arrival];
  }

  static of(capacity: number, values: readonly number[]): SortedWindow {
    const window = new SortedWindow(capacity);
    for (const value of values) window.push(value);
    return window;
  }
}

/** The first index whose value is >= x in an ascending array. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
