import { checkState, type DriftDetector, type ModelState } from '../base.ts';

/**
 * ADWIN (Bifet & Gavaldà 2007, "Learning from time-changing data with adaptive windowing"), following
 * River's `drift.ADWIN` and its AdaptiveWindowing helper step for step: the same exponential histogram
 * (rows of buckets of 2^row items, `maxBuckets` per row before two merge into the next row), the same
 * check only every `clock` updates once the window is longer than `gracePeriod`, the same cut test with
 * `minWindowLength`, and, as in River, a detection resets the detector at the next update. Matching River
 * update for update is what lets a River user trust the indices this flags (see adwin.test.ts). The
 * reference is River's current implementation (rust_src/adwin.rs, a port of the older adwin_c.pyx whose
 * cut loop skipped the newest bucket of every row).
 */
export interface AdwinOptions {
  /** Confidence value (River's default 0.002): smaller means fewer, surer detections. */
  readonly delta?: number;
  /** Check for drift every `clock` updates (River: 32). */
  readonly clock?: number;
  /** Buckets per row before two are merged (River: 5). */
  readonly maxBuckets?: number;
  /** Both sub-windows must hold at least this many items for a cut (River: 5). */
  readonly minWindowLength?: number;
  /** No check until the window holds more than this many items (River: 10). */
  readonly gracePeriod?: number;
}

const KIND = 'adwin';
const VERSION = 1;

/** One row of the histogram: up to maxBuckets + 1 buckets of equal size, oldest first. */
interface Row {
  totals: number[];
  variances: number[];
}

export class Adwin implements DriftDetector {
  readonly delta: number;
  readonly clock: number;
  readonly maxBuckets: number;
  readonly minWindowLength: number;
  readonly gracePeriod: number;

  private rows: Row[] = [];
  private total = 0;
  private variance = 0;
  private width = 0;
  private tick = 0;
  private detections = 0;
  private detected = false;

  constructor(options: AdwinOptions = {}) {
    this.delta = options.delta ?? 0.002;
    this.clock = options.clock ?? 32;
    this.maxBuckets = options.maxBuckets ?? 5;
    this.minWindowLength = options.minWindowLength ?? 5;
    this.gracePeriod = options.gracePeriod ?? 10;
    if (!(this.delta > 0 && this.delta < 1))
      throw new RangeError(`ADWIN delta must be in (0, 1), got ${this.delta}`);
    for (const [name, value] of [
      ['clock', this.clock],
      ['maxBuckets', this.maxBuckets],
      ['minWindowLength', this.minWindowLength],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`ADWIN ${name} must be a positive integer, got ${value}`);
    }
    this.resetWindow();
  }

  get driftDetected(): boolean {
    return this.detected;
  }

  /** Items in the current window. */
  get windowWidth(): number {
    return this.width;
  }

  /** The window's mean (River's `estimation`; 0 for an empty window). */
  get estimation(): number {
    return this.width === 0 ? 0 : this.total / this.width;
  }

  get windowTotal(): number {
    return this.total;
  }

  /** Sum of squared deviations in the window (River's `variance`, not divided by the width). */
  get windowVariance(): number {
    return this.variance;
  }

  get detectionCount(): number {
    return this.detections;
  }

  update(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`ADWIN takes finite values, got ${x}`);
    // As River's ADWIN: the window restarts on the update after a detection (its count goes on).
    if (this.detected) this.resetWindow();
    this.insert(x);
    this.detected = this.detectChange();
    if (this.detected) this.detections++;
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      options: {
        delta: this.delta,
        clock: this.clock,
        maxBuckets: this.maxBuckets,
        minWindowLength: this.minWindowLength,
        gracePeriod: this.gracePeriod,
      },
      rows: this.rows.map((row) => ({ totals: [...row.totals], variances: [...row.variances] })),
      total: this.total,
      variance: this.variance,
      width: this.width,
      tick: this.tick,
      detections: this.detections,
      detected: this.detected,
    };
  }

  static fromState(state: ModelState): Adwin {
    checkState(state, KIND, VERSION);
    const s = state as unknown as ReturnType<Adwin['toState']> & {
      options: AdwinOptions;
      rows: Row[];
      total: number;
      variance: number;
      width: number;
      tick: number;
      detections: number;
      detected: boolean;
    };
    const adwin = new Adwin(s.options);
    adwin.rows = s.rows.map((row) => ({ totals: [...row.totals], variances: [...row.variances] }));
    adwin.total = s.total;
    adwin.variance = s.variance;
    adwin.width = s.width;
    adwin.tick = s.tick;
    adwin.detections = s.detections;
    adwin.detected = s.detected;
    return adwin;
  }

  private resetWindow(): void {
    this.rows = [{ totals: [], variances: [] }];
    this.total = 0;
    this.variance = 0;
    this.width = 0;
    this.tick = 0;
    this.detected = false;
  }

  private insert(x: number): void {
    const first = this.rows[0]!;
    first.totals.push(x);
    first.variances.push(0);
    this.width += 1;
    if (this.width > 1) {
      const previousMean = this.total / (this.width - 1);
      this.variance += ((this.width - 1) * (x - previousMean) * (x - previousMean)) / this.width;
    }
    this.total += x;
    this.compress();
  }

  /** Merges the two oldest buckets of a full row into the next row, cascading as River does. */
  private compress(): void {
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r]!;
      if (row.totals.length !== this.maxBuckets + 1) break;
      if (r + 1 === this.rows.length) this.rows.push({ totals: [], variances: [] });
      const next = this.rows[r + 1]!;
      const size = 2 ** r;
      const mean1 = row.totals[0]! / size;
      const mean2 = row.totals[1]! / size;
      const between = (size * size * (mean1 - mean2) * (mean1 - mean2)) / (size + size);
      next.totals.push(row.totals[0]! + row.totals[1]!);
      next.variances.push(row.variances[0]! + row.variances[1]! + between);
      row.totals.splice(0, 2);
      row.variances.splice(0, 2);
      if (next.totals.length <= this.maxBuckets) break;
    }
  }

  /** Drops the oldest bucket (the last row's first) and returns its size. */
  private deleteOldest(): number {
    const last = this.rows.length - 1;
    const row = this.rows[last]!;
    const n = 2 ** last;
    const u = row.totals[0]!;
    const mu = u / n;
    const v = row.variances[0]!;
    this.width -= n;
    this.total -= u;
    const windowMean = this.total / this.width;
    this.variance -= v + (n * this.width * (mu - windowMean) * (mu - windowMean)) / (n + this.width);
    row.totals.shift();
    row.variances.shift();
    if (row.totals.length === 0) this.rows.pop();
    return n;
  }

  private detectChange(): boolean {
    let changed = false;
    this.tick += 1;
    if (this.tick % this.clock !== 0 || !(this.width > this.gracePeriod)) return false;
    let reduce = true;
    while (reduce) {
      reduce = false;
      let done = false;
      let n0 = 0;
      let n1 = this.width;
      let u0 = 0;
      let u1 = this.total;
      // Oldest buckets first: W0 grows from the old end while W1 keeps the rest.
      for (let r = this.rows.length - 1; r >= 0 && !done; r--) {
        const row = this.rows[r]!;
        const size = 2 ** r;
        // As River's current (Rust) AdaptiveWindowing: every bucket is a candidate cut point except the
        // newest one of all, which would leave W1 empty.
        for (let k = 0; k < row.totals.length; k++) {
          n0 += size;
          n1 -= size;
          u0 += row.totals[k]!;
          u1 -= row.totals[k]!;
          if (r === 0 && k === row.totals.length - 1) {
            done = true;
            break;
          }
          const deltaMean = u0 / n0 - u1 / n1;
          if (n1 >= this.minWindowLength && n0 >= this.minWindowLength && this.cut(n0, n1, deltaMean)) {
            reduce = true;
            changed = true;
            if (this.width > 0) {
              n0 -= this.deleteOldest();
              done = true;
              break;
            }
          }
        }
      }
    }
    return changed;
  }

  private cut(n0: number, n1: number, deltaMean: number): boolean {
    const deltaPrime = Math.log((2 * Math.log(this.width)) / this.delta);
    const mRecip = 1 / (n0 - this.minWindowLength + 1) + 1 / (n1 - this.minWindowLength + 1);
    const epsilon =
      Math.sqrt(2 * mRecip * (this.variance / this.width) * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > epsilon;
  }
}
