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
  Level,
  NO_LABEL,
  REGIME_AXES,
  Trend,
  type RegimeAxis,
  type RegimeOutput,
} from './labels.ts';

export interface RegimeLabelSummary {
  readonly label: string;
  /** Labelled bars with this label. */
  readonly bars: number;
  /** Share of labelled bars with this label. */
  readonly share: number;
  /** Mean log return per bar (close to close) over the label's bars. */
  readonly meanReturn: number;
  /** Standard deviation of those log returns per bar (not annualised), as meanReturn is per bar. */
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
          bars: count[k],
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

/** Label codes in the order the table's figure should ascend: calm to rough, bear to bull (none for volume). */
const ASCENDING: Readonly<Record<RegimeAxis, readonly number[] | null>> = {
  trend: [Trend.Bear, Trend.Sideways, Trend.Bull],
  volatility: [Level.Low, Level.Normal, Level.High],
  // The table has no volume column to hold against the labels.
  volume: null,
};

/** A gap of more than this many standard errors is more than chance. */
const CHANCE_ERRORS = 2;

const bp = (x: number): string => `${(x * 1e4).toFixed(1)} bp`;

/**
 * What a trader should know when an axis's table runs against its labels' order ("low" bars moving more
 * than "normal" ones, "bull" bars returning less than "bear" ones), or null when it does not. The table
 * measures each bar's own return, while a label is set from the bars up to it, held until the evidence is
 * clear and judged against the detector's trailing history: some of that is how labels work, some is
 * chance on few bars, and the note says which of the two the largest gap is.
 */
export function orderNote(summary: RegimeAxisSummary): string | null {
  const order = ASCENDING[summary.axis];
  if (order === null) return null;
  const volatility = summary.axis === 'volatility';
  const rows = order.map((code) => summary.labels[code]!).filter((row) => row.bars >= 2);
  // Standard error of a mean return (sd / sqrt n) or of a volatility (about sd / sqrt 2n, for normal returns).
  const figure = (row: RegimeLabelSummary): number => (volatility ? row.volatility : row.meanReturn);
  const error = (row: RegimeLabelSummary): number =>
    row.volatility / Math.sqrt(volatility ? 2 * row.bars : row.bars);
  let worst: { lower: RegimeLabelSummary; upper: RegimeLabelSummary; errors: number } | null = null;
  for (let a = 0; a < rows.length; a++) {
    for (let b = a + 1; b < rows.length; b++) {
      const [lower, upper] = [rows[a]!, rows[b]!];
      const gap = figure(lower) - figure(upper);
      if (!(gap > 0)) continue;
      const errors = gap / Math.hypot(error(lower), error(upper));
      if (worst === null || errors > worst.errors) worst = { lower, upper, errors };
    }
  }
  if (worst === null) return null;
  const { lower, upper, errors } = worst;
  const chance = errors > CHANCE_ERRORS ? 'a gap beyond chance' : 'a gap within chance';
  const figures = `${bp(figure(lower))} vs ${bp(figure(upper))} a bar; ${lower.bars} and ${upper.bars} bars, ${chance}`;
  return volatility
    ? `Out of order: "${lower.label}" bars moved more than "${upper.label}" bars (${figures}). Labels ` +
        'trail the market: each is set from the bars up to it, held until the evidence is clear and judged ' +
        "against the detector's trailing history, so a lone jump or overnight gap in a calm spell, and the " +
        'first bars of a rough one, count as calm, and calm bars just after a rough spell as rough.'
    : `Out of order: "${lower.label}" bars returned more than "${upper.label}" bars (${figures}). A trend ` +
        "label names the move over its trend window, not each bar's own return: a trend that turns still " +
        "counts under its old label until the move shows, and one bar's return is mostly noise.";
}
