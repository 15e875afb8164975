/**
 * The online statistical jump model as Shu, Yu & Mulvey (2024) run it with their `jumpmodels` package, for
 * the bench's planted-volatility figures only (issue 11 item 4): several exponentially weighted features
 * of the returns, standardised over the fit window; two states fitted by alternating centre updates and a
 * dynamic programme with backtracking over the window (their coordinate descent, loss half the squared
 * distance, a penalty per switch); labels from the forward recursion alone, the argmin of the costs at
 * each bar (their `predict_online`), so a label at t uses bars 0..t and is never revised. Point in time
 * as the detectors are: refitted every `refit` bars on the last `history` bars, the recursion carried
 * across refits. Not a detector: it measured no better than the one the app ships (docs/regime-switches.md).
 */
import { Level, NO_LABEL } from '../src/core/regime/labels.ts';
import type { PlantedSeries } from '../src/core/regime/quality.ts';

/** Feature columns from the log returns; `order` is the column whose higher centre is "turbulent". */
export interface FeatureSet {
  readonly columns: (returns: Float64Array) => Float64Array[];
  readonly order: number;
}

/** Exponentially weighted mean with the bias correction of pandas' `ewm(adjust=True)`. */
function ewm(x: Float64Array, halflife: number): Float64Array {
  const a = 1 - 0.5 ** (1 / halflife);
  const out = new Float64Array(x.length);
  let mean = 0;
  let weight = 0;
  for (let i = 0; i < x.length; i++) {
    mean = (1 - a) * mean + a * x[i]!;
    weight = (1 - a) * weight + a;
    out[i] = mean / weight;
  }
  return out;
}

/**
 * Their features per half-life: the exponentially weighted return, the log of the downside deviation and
 * the Sortino ratio (`drift` false: the downside deviation alone).
 */
export function shuFeatures(halflives: readonly number[], drift = true): FeatureSet {
  return {
    order: drift ? 1 : 0,
    columns(r) {
      const down = r.map((x) => (x < 0 ? x * x : 0));
      return halflives.flatMap((h) => {
        const deviation = ewm(down, h).map((v) => Math.sqrt(v) + 1e-12);
        const logDeviation = deviation.map(Math.log);
        if (!drift) return [logDeviation];
        const mean = ewm(r, h);
        return [mean, logDeviation, mean.map((m, i) => m / deviation[i]!)];
      });
    },
  };
}

/** Log exponentially weighted volatility (root mean square) per half-life. */
export function volatilityFeatures(halflives: readonly number[]): FeatureSet {
  return {
    order: 0,
    columns: (r) =>
      halflives.map((h) =>
        ewm(
          r.map((x) => x * x),
          h,
        ).map((v) => 0.5 * Math.log(v + 1e-20)),
      ),
  };
}

/** Exponentially weighted absolute return per half-life. */
export function absoluteReturnFeatures(halflives: readonly number[]): FeatureSet {
  return { order: 0, columns: (r) => halflives.map((h) => ewm(r.map(Math.abs), h)) };
}

interface Fitted {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** centres[k][f], state 1 the higher on the ordering column. */
  readonly centres: readonly [Float64Array, Float64Array];
}

/** Two-state fit on rows [from, to) of the columns, standardised over those rows. */
function fit(columns: Float64Array[], from: number, to: number, penalty: number, order: number): Fitted {
  const f = columns.length;
  const n = to - from;
  const mean = new Float64Array(f);
  const scale = new Float64Array(f);
  const z = columns.map(() => new Float64Array(n));
  for (let c = 0; c < f; c++) {
    const x = columns[c]!.subarray(from, to);
    const m = x.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / n) + 1e-12;
    mean[c] = m;
    scale[c] = sd;
    for (let t = 0; t < n; t++) z[c]![t] = (x[t]! - m) / sd;
  }
  // One start, split at the ordering column's median: deterministic, and on the axis the states differ.
  const median = Float64Array.from(z[order]!).sort()[n >> 1]!;
  let assigned = Uint8Array.from(z[order]!, (v) => (v > median ? 1 : 0));
  const centres: [Float64Array, Float64Array] = [new Float64Array(f), new Float64Array(f)];
  const loss = (t: number, k: number): number => {
    let s = 0;
    for (let c = 0; c < f; c++) s += (z[c]![t]! - centres[k]![c]!) ** 2;
    return 0.5 * s;
  };
  const choice = new Uint8Array(2 * n);
  for (let iteration = 0; iteration < 30; iteration++) {
    for (const k of [0, 1]) {
      centres[k]!.fill(0);
      let count = 0;
      for (let t = 0; t < n; t++) {
        if (assigned[t] !== k) continue;
        count++;
        for (let c = 0; c < f; c++) centres[k]![c]! += z[c]![t]!;
      }
      if (count > 0) for (let c = 0; c < f; c++) centres[k]![c]! /= count;
    }
    let value = [loss(0, 0), loss(0, 1)];
    for (let t = 1; t < n; t++) {
      const next = [0, 0];
      for (const k of [0, 1]) {
        const jump = value[1 - k]! + penalty;
        choice[2 * t + k] = value[k]! <= jump ? k : 1 - k;
        next[k] = Math.min(value[k]!, jump) + loss(t, k);
      }
      value = next;
    }
    const path = new Uint8Array(n);
    let state = value[0]! <= value[1]! ? 0 : 1;
    for (let t = n - 1; t >= 0; t--) {
      path[t] = state;
      if (t > 0) state = choice[2 * t + state]!;
    }
    const same = path.every((s, t) => s === assigned[t]);
    assigned = path;
    if (same) break;
  }
  if (centres[0][order]! > centres[1][order]!) centres.reverse();
  return { mean, scale, centres };
}

/**
 * Volatility labels (high for the turbulent state) from the online recursion; a switch needs the other
 * state's cost lower by more than `threshold` (0: the plain argmin). NO_LABEL before the first fit.
 */
export function multiFeatureJumpLabels(
  series: PlantedSeries,
  features: FeatureSet,
  penalty: number,
  threshold: number,
  { history, refit }: { history: number; refit: number },
): Int8Array {
  const c = series.bars.c;
  const n = c.length;
  const r = new Float64Array(n);
  for (let i = 1; i < n; i++) r[i] = Math.log(c[i]! / c[i - 1]!);
  const columns = features.columns(r);
  const labels = new Int8Array(n).fill(NO_LABEL);
  let model: Fitted | null = null;
  let value = [0, 0];
  let state = 0;
  const advance = (m: Fitted, t: number): void => {
    const next = [0, 0];
    for (const k of [0, 1]) {
      let s = 0;
      for (let f = 0; f < columns.length; f++)
        s += ((columns[f]![t]! - m.mean[f]!) / m.scale[f]! - m.centres[k]![f]!) ** 2;
      next[k] = Math.min(value[k]!, value[1 - k]! + penalty) + 0.5 * s;
    }
    const low = Math.min(next[0]!, next[1]!);
    value = [next[0]! - low, next[1]! - low];
  };
  for (let t = history; t < n; t++) {
    if ((t - history) % refit === 0) {
      model = fit(columns, t - history, t, penalty, features.order);
      // The costs carried over are another model's: run the new one over the window's last bars first.
      value = [0, 0];
      for (let i = t - 200; i < t; i++) advance(model, i);
    }
    advance(model!, t);
    if (value[1 - state]! + threshold < value[state]!) state = 1 - state;
    labels[t] = state === 1 ? Level.High : Level.Low;
  }
  return labels;
}
