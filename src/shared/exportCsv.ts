/**
 * Results as CSV, for a spreadsheet or another tool: a backtest's trades and equity, a study's trials,
 * a walk-forward run's windows. One header row, times as UTC ISO 8601, numbers at full precision (so a
 * file reloads to the same totals), ratios as fractions (0.05 is 5 %, as the trials' metrics, the
 * drawdown and the CLI's --json give them; so no column is named "_pct"), empty cells for undefined
 * values. The app downloads these and the CLI writes them with `--out FILE.csv`.
 */
import type { TradeRow } from './backtestContract.ts';
import type { TrialRow, WalkForwardWindowRow } from './optimizeContract.ts';

type Cell = string | number | boolean | null | undefined;

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\n') + '\n';
}

const iso = (ms: number): string => new Date(ms).toISOString();

export const TRADES_CSV_HEADER = [
  'entry_time',
  'exit_time',
  'side',
  'entry_price',
  'exit_price',
  'size',
  'pnl',
  'return',
  'exit_reason',
] as const;

/**
 * One row per trade; `size` is signed (negative: short), as the engine logs it; `return` is the trade's
 * return on its entry notional as a fraction (0.05 for 5 %).
 */
export function tradesCsv(trades: readonly TradeRow[]): string {
  return csv(
    TRADES_CSV_HEADER,
    trades.map((t) => [
      iso(t.entryTime),
      iso(t.exitTime),
      t.size >= 0 ? 'long' : 'short',
      t.entryPrice,
      t.exitPrice,
      t.size,
      t.pnl,
      t.returnPct,
      t.exitReason,
    ]),
  );
}

/** The equity curve as given (a result's is thinned for display: its deepest point per bucket kept). */
export function equityCsv(curve: {
  readonly t: readonly number[];
  readonly value: readonly number[];
  readonly drawdown?: readonly number[];
}): string {
  return csv(
    curve.drawdown === undefined ? ['time', 'equity'] : ['time', 'equity', 'drawdown'],
    curve.t.map((t, i) => [
      iso(t),
      curve.value[i],
      ...(curve.drawdown === undefined ? [] : [curve.drawdown[i]]),
    ]),
  );
}

/**
 * One row per trial: its number, status and feasibility, every parameter (`param.NAME`), every objective
 * value (`objective.N`) and every metric any trial reported, in sorted order.
 */
export function trialsCsv(trials: readonly TrialRow[]): string {
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const metrics = [...new Set(trials.flatMap((t) => Object.keys(t.metrics)))].sort();
  const objectives = Math.max(0, ...trials.map((t) => t.values?.length ?? 0));
  return csv(
    [
      'number',
      'status',
      'feasible',
      ...params.map((p) => `param.${p}`),
      ...Array.from({ length: objectives }, (_, k) => `objective.${k + 1}`),
      ...metrics,
      'error',
    ],
    trials.map((t) => [
      t.number,
      t.status,
      t.feasible,
      ...params.map((p) => t.params[p]),
      ...Array.from({ length: objectives }, (_, k) => t.values?.[k]),
      ...metrics.map((m) => t.metrics[m]),
      t.error,
    ]),
  );
}

/** One row per walk-forward window: its train and test spans, the parameters chosen, both sides' metrics. */
export function windowsCsv(windows: readonly WalkForwardWindowRow[]): string {
  const params = [...new Set(windows.flatMap((w) => Object.keys(w.params)))].sort();
  const metrics = [...new Set(windows.flatMap((w) => Object.keys(w.outOfSample)))].sort();
  return csv(
    [
      'window',
      'train_start',
      'train_end',
      'test_start',
      'test_end',
      ...params.map((p) => `param.${p}`),
      ...metrics.map((m) => `in_sample.${m}`),
      ...metrics.map((m) => `out_of_sample.${m}`),
    ],
    windows.map((w) => [
      w.index,
      iso(w.train.startTime),
      iso(w.train.endTime),
      iso(w.test.startTime),
      iso(w.test.endTime),
      ...params.map((p) => w.params[p]),
      ...metrics.map((m) => w.inSample[m]),
      ...metrics.map((m) => w.outOfSample[m]),
    ]),
  );
}

/** A pin's value of one metric in a comparison, against the reference pin's (no delta for the reference). */
export interface ComparedCell {
  readonly value: number | null;
  readonly delta: number | null;
  readonly verdict: 'better' | 'worse' | '';
}

/** One row per metric, per pin its value, the difference from the reference's and whether it is better. */
export function comparisonCsv(
  labels: readonly string[],
  rows: readonly { readonly metric: string; readonly values: readonly ComparedCell[] }[],
): string {
  return csv(
    ['metric', ...labels.flatMap((label) => [label, `${label} delta`, `${label} verdict`])],
    rows.map((row) => [row.metric, ...row.values.flatMap((v) => [v.value, v.delta, v.verdict])]),
  );
}
