/**
 * What each regime looked like: per axis and label, the share of labelled bars, the mean and spread of
 * the bars' log returns, the typical (median) spell length, and the bar-to-bar transition matrix. One
 * definition for the CLI table and the UI's regime table.
 */
import type { Bars } from '../data/bars.ts';
import { median } from '../math/statistics.ts';
import {
  AXIS_LABELS,
  LABEL_COUNT,
  NO_LABEL,
  REGIME_AXES,
  type RegimeAxis,
  type RegimeOutput,
} from './labels.ts';

export interface RegimeLabelSummary {
  readonly label: string;
  /** Share of labelled bars with this label. */
  readonly share: number;
  /** Mean log return per bar (close to close) over the label's bars. */
  readonly meanReturn: number;
  /** Standard deviation of those returns per bar (not annualised). */
  readonly volatility: number;
  /** Median length of an unbroken spell of the label, in bars. */
  readonly typicalDuration: number;
  readonly spells: number;
}

export interface RegimeAxisSummary {
  readonly axis: RegimeAxis;
  readonly labels: readonly RegimeLabelSummary[];
  /** transitions[a][b]: share of bars labelled a whose next bar is labelled b. */
  readonly transitions: readonly (readonly number[])[];
}

export function summariseRegimes(bars: Bars, out: RegimeOutput): RegimeAxisSummary[] {
  const n = bars.t.length;
  return REGIME_AXES.map((axis) => {
    const labels = out[axis].label;
    const count = new Float64Array(LABEL_COUNT);
    const sum = new Float64Array(LABEL_COUNT);
    const squares = new Float64Array(LABEL_COUNT);
    const moves = Array.from({ length: LABEL_COUNT }, () => new Float64Array(LABEL_COUNT));
    const spells: number[][] = Array.from({ length: LABEL_COUNT }, () => []);
    let labelled = 0;
    let run = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      if (a === NO_LABEL) continue;
      labelled++;
      count[a]++;
      if (i > 0) {
        const r = Math.log(bars.c[i] / bars.c[i - 1]);
        sum[a] += r;
        squares[a] += r * r;
      }
      run++;
      const next = i + 1 < n ? labels[i + 1] : NO_LABEL;
      if (next !== NO_LABEL) moves[a][next]++;
      if (next !== a) {
        spells[a].push(run);
        run = 0;
      }
    }
    const names = AXIS_LABELS[axis];
    return {
      axis,
      labels: names.map((label, k) => {
        const mean = sum[k] / count[k];
        return {
          label,
          share: labelled === 0 ? NaN : count[k] / labelled,
          meanReturn: mean,
          volatility: Math.sqrt(Math.max(0, squares[k] / count[k] - mean * mean)),
          typicalDuration: median(spells[k]),
          spells: spells[k].length,
        };
      }),
      transitions: moves.map((row) => {
        const total = row.reduce((a, b) => a + b, 0);
        return Array.from(row, (x) => (total === 0 ? NaN : x / total));
      }),
    };
  });
}
