import { checkState, type Features, type ModelState, type Transformer } from '../base.ts';

const KIND = 'standard-scaler';
const VERSION = 1;

interface Moments {
  count: number;
  mean: number;
  /** Sum of squared deviations (Welford's M2). */
  m2: number;
}

/**
 * River's `preprocessing.StandardScaler`: per feature, a running count, mean and population variance
 * (Welford, ddof 0) updated by `learnOne`; `transformOne` centres and scales each feature by what has been
 * learned so far, giving 0 where the variance is still 0 (a feature seen once, or constant). Learning and
 * transforming are separate steps, as in River since 0.19: a pipeline decides whether to learn before it
 * predicts, which matters for the learner's no-look-ahead rule.
 */
export class StandardScaler implements Transformer {
  private moments = new Map<string, Moments>();

  learnOne(x: Features): void {
    for (const key in x) {
      const value = x[key]!;
      if (!Number.isFinite(value)) throw new RangeError(`StandardScaler: feature "${key}" is ${value}`);
      let m = this.moments.get(key);
      if (!m) {
        m = { count: 0, mean: 0, m2: 0 };
        this.moments.set(key, m);
      }
      m.count += 1;
      const delta = value - m.mean;
      m.mean += delta / m.count;
      m.m2 += delta * (value - m.mean);
    }
  }

  transformOne(x: Features): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key in x) {
      const m = this.moments.get(key);
      const variance = m && m.count > 0 ? m.m2 / m.count : 0;
      out[key] = variance > 0 ? (x[key]! - m!.mean) / Math.sqrt(variance) : 0;
    }
    return out;
  }

  /** The running mean and population variance of a feature (undefined if never seen). */
  statistics(key: string): { mean: number; variance: number } | undefined {
    const m = this.moments.get(key);
    return m ? { mean: m.mean, variance: m.m2 / m.count } : undefined;
  }

  toState(): ModelState<typeof KIND> {
    return { kind: KIND, version: VERSION, moments: [...this.moments].map(([k, m]) => [k, { ...m }]) };
  }

  static fromState(state: ModelState): StandardScaler {
    checkState(state, KIND, VERSION);
    const scaler = new StandardScaler();
    scaler.moments = new Map((state.moments as [string, Moments][]).map(([k, m]) => [k, { ...m }]));
    return scaler;
  }
}
