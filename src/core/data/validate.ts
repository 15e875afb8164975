/**
 * The one definition of a usable bar, applied at every edge where bars enter Regimen (CSV and Parquet
 * imports, Alpaca REST pages and stream bars) and by the quality report and repair, so that every edge
 * gives the same verdict on the same row.
 *
 * A row is checked in the order of BAR_PROBLEMS and the first failing check is its verdict; then its time
 * against the previous row's. High >= max(open, close) and low <= min(open, close) together imply
 * high >= low, so "high below low" is reported as whichever of the two it breaks.
 */
import type { Bars } from './bars.ts';

/**
 * The instants Regimen accepts, in bars and in requests: 1900-01-01 (inclusive) to 2200-01-01 (exclusive)
 * UTC. Wide enough for any market history, narrow enough that an epoch in the wrong unit (years 5138 or
 * 1) or an overflow is refused instead of stored.
 */
export const TIME_RANGE = {
  min: Date.UTC(1900, 0, 1),
  max: Date.UTC(2200, 0, 1),
  text: 'between 1900-01-01 and 2200-01-01',
} as const;

/** Data refused at an edge; the message names the source, where in it (line or row) and the column. */
export class DataValidationError extends Error {
  override readonly name = 'DataValidationError';
  /** The bar check that failed, when the problem is one of BAR_PROBLEMS. */
  readonly problem: BarProblemCode | null;
  /** Where in the source when it is not a file line: "row 42", "bar 2024-01-02T14:30:00.000Z". */
  readonly at: string | null;
  constructor(
    readonly source: string,
    readonly line: number | null,
    readonly column: string | null,
    readonly detail: string,
    options: { readonly at?: string; readonly problem?: BarProblemCode } = {},
  ) {
    const where = `${line === null ? '' : ` line ${line}`}${options.at === undefined ? '' : ` ${options.at}`}`;
    super(`${source}${where}${column === null ? '' : `, column "${column}"`}: ${detail}`);
    this.at = options.at ?? null;
    this.problem = options.problem ?? null;
  }
}

/** The columns of a bar as the checks name them. */
export type BarColumn = 't' | 'o' | 'h' | 'l' | 'c' | 'v';

/**
 * What a check requires of its column, as data, so that an edge that checks in another language (the
 * Parquet import's SQL) derives its conditions from this table instead of restating them.
 */
export type BarRule =
  | { readonly kind: 'finite'; readonly column: BarColumn }
  | { readonly kind: 'within'; readonly column: BarColumn; readonly min: number; readonly max: number }
  | { readonly kind: 'positive'; readonly column: BarColumn }
  | { readonly kind: 'non-negative'; readonly column: BarColumn }
  | { readonly kind: 'at-least-max'; readonly column: BarColumn; readonly of: readonly BarColumn[] }
  | { readonly kind: 'at-most-min'; readonly column: BarColumn; readonly of: readonly BarColumn[] }
  | { readonly kind: 'differs-from-previous'; readonly column: BarColumn }
  | { readonly kind: 'not-before-previous'; readonly column: BarColumn };

/** The kinds the quality report counts a problem under (its report predates the per-check codes). */
export type BarProblemCategory =
  'bad-time' | 'non-positive-price' | 'ohlc' | 'bad-volume' | 'duplicate' | 'unsorted';

/** One bar's values and how the edge shows them in a message. */
export interface BarValues {
  readonly t: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
}

export interface BarProblemContext {
  /** The time as the source wrote it (a CSV cell) or as ISO text. */
  readonly time: string;
  /** Where the previous row is, for the order checks ("line 4", "row 3", "bar 2024-...Z"). */
  readonly previous: string;
}

interface BarProblemDefinition {
  readonly rule: BarRule;
  readonly category: BarProblemCategory;
  readonly describe: (bar: BarValues, context: BarProblemContext) => string;
}

/** Years past 275760 have no Date: the raw number then. */
const isoOrNumber = (t: number): string => {
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? `${t} ms` : date.toISOString();
};

const price =
  (name: string, column: 'o' | 'h' | 'l' | 'c') =>
  (bar: BarValues): string =>
    `${name} ${bar[column]} is not a positive price`;

/** Every check, in the order a row is checked; the first failing one is the row's verdict. */
export const BAR_PROBLEMS = {
  'time-not-finite': {
    rule: { kind: 'finite', column: 't' },
    category: 'bad-time',
    describe: (_, context) => `timestamp ${context.time} is missing or not a finite time`,
  },
  'time-out-of-range': {
    rule: { kind: 'within', column: 't', min: TIME_RANGE.min, max: TIME_RANGE.max },
    category: 'bad-time',
    describe: (bar, context) =>
      `timestamp ${context.time} (${isoOrNumber(bar.t)}) is not ${TIME_RANGE.text}: is the epoch in another unit?`,
  },
  'open-not-positive': {
    rule: { kind: 'positive', column: 'o' },
    category: 'non-positive-price',
    describe: price('open', 'o'),
  },
  'high-not-positive': {
    rule: { kind: 'positive', column: 'h' },
    category: 'non-positive-price',
    describe: price('high', 'h'),
  },
  'low-not-positive': {
    rule: { kind: 'positive', column: 'l' },
    category: 'non-positive-price',
    describe: price('low', 'l'),
  },
  'close-not-positive': {
    rule: { kind: 'positive', column: 'c' },
    category: 'non-positive-price',
    describe: price('close', 'c'),
  },
  'high-below-open-close': {
    rule: { kind: 'at-least-max', column: 'h', of: ['o', 'c'] },
    category: 'ohlc',
    describe: (bar) => `high ${bar.h} is below max(open, close) ${Math.max(bar.o, bar.c)}`,
  },
  'low-above-open-close': {
    rule: { kind: 'at-most-min', column: 'l', of: ['o', 'c'] },
    category: 'ohlc',
    describe: (bar) => `low ${bar.l} is above min(open, close) ${Math.min(bar.o, bar.c)}`,
  },
  'volume-invalid': {
    rule: { kind: 'non-negative', column: 'v' },
    category: 'bad-volume',
    describe: (bar) => `volume ${bar.v} is ${bar.v < 0 ? 'negative' : 'not finite'}`,
  },
  'time-duplicate': {
    rule: { kind: 'differs-from-previous', column: 't' },
    category: 'duplicate',
    describe: (_, context) => `timestamp ${context.time} repeats ${context.previous}`,
  },
  'time-unsorted': {
    rule: { kind: 'not-before-previous', column: 't' },
    category: 'unsorted',
    describe: (_, context) => `timestamp ${context.time} is earlier than ${context.previous}'s`,
  },
} as const satisfies Record<string, BarProblemDefinition>;

export type BarProblemCode = keyof typeof BAR_PROBLEMS;

/** The codes in checking order (row checks first, then the order checks against the previous row). */
export const BAR_PROBLEM_CODES = Object.keys(BAR_PROBLEMS) as BarProblemCode[];

/**
 * The verdict on one bar's own values (not its order): null when usable. The scalar form of the table
 * above, for the CSV reader's row loop and the quality report, which must not allocate per row; a test
 * checks that each code here is the table's rule failing first.
 */
export function barProblem(
  t: number,
  o: number,
  h: number,
  l: number,
  c: number,
  v: number,
): BarProblemCode | null {
  // `x > 0 && x < Infinity` is false for NaN, so each line also refuses missing values.
  if (!(t > -Infinity && t < Infinity)) return 'time-not-finite';
  if (!(t >= TIME_RANGE.min && t < TIME_RANGE.max)) return 'time-out-of-range';
  if (!(o > 0 && o < Infinity)) return 'open-not-positive';
  if (!(h > 0 && h < Infinity)) return 'high-not-positive';
  if (!(l > 0 && l < Infinity)) return 'low-not-positive';
  if (!(c > 0 && c < Infinity)) return 'close-not-positive';
  if (h < (o > c ? o : c)) return 'high-below-open-close';
  if (l > (o < c ? o : c)) return 'low-above-open-close';
  if (!(v >= 0 && v < Infinity)) return 'volume-invalid';
  return null;
}

/** The verdict on a time against the previous row's (NaN previous: the first row). */
export function orderProblem(t: number, previous: number): BarProblemCode | null {
  if (t === previous) return 'time-duplicate';
  if (t < previous) return 'time-unsorted';
  return null;
}

/** Column labels in messages; an edge passes its own header names. */
export type BarColumnLabels = Readonly<Record<BarColumn, string>>;

export const DEFAULT_COLUMN_LABELS: BarColumnLabels = {
  t: 'time',
  o: 'open',
  h: 'high',
  l: 'low',
  c: 'close',
  v: 'volume',
};

/** The message for a failed check, from the one table. */
export function describeBarProblem(code: BarProblemCode, bar: BarValues, context: BarProblemContext): string {
  const definition: BarProblemDefinition = BAR_PROBLEMS[code];
  return definition.describe(bar, context);
}

/** The error an edge throws for a failed check: source, where, the column's label and the table's message. */
export function barProblemError(
  code: BarProblemCode,
  bar: BarValues,
  where: { readonly source: string; readonly line?: number; readonly at?: string },
  context: BarProblemContext,
  labels: BarColumnLabels = DEFAULT_COLUMN_LABELS,
): DataValidationError {
  return new DataValidationError(
    where.source,
    where.line ?? null,
    labels[BAR_PROBLEMS[code].rule.column],
    describeBarProblem(code, bar, context),
    { ...(where.at === undefined ? {} : { at: where.at }), problem: code },
  );
}

/**
 * Checks whole bars as an edge receives them (an Alpaca page, a stream bar): every row's values, then
 * strictly increasing times. Throws a DataValidationError for the first bad row, naming `source`, the row
 * (`rowLabel(i)`, e.g. its time) and the column.
 */
export function validateBars(
  bars: Bars,
  source: string,
  rowLabel: (row: number) => string,
  labels: BarColumnLabels = DEFAULT_COLUMN_LABELS,
): void {
  const { t, o, h, l, c, v } = bars;
  for (let i = 0; i < t.length; i++) {
    const code =
      barProblem(t[i]!, o[i]!, h[i]!, l[i]!, c[i]!, v[i]!) ?? (i > 0 ? orderProblem(t[i]!, t[i - 1]!) : null);
    if (code === null) continue;
    const bar = { t: t[i]!, o: o[i]!, h: h[i]!, l: l[i]!, c: c[i]!, v: v[i]! };
    const time = Number.isFinite(bar.t) ? new Date(bar.t).toISOString() : String(bar.t);
    throw barProblemError(
      code,
      bar,
      { source, at: rowLabel(i) },
      { time, previous: i > 0 ? rowLabel(i - 1) : '' },
      labels,
    );
  }
}
