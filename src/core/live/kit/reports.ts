import type { Bars } from '../../data/bars.ts';
import type { RecentLog } from '../recentLog.ts';
import type { LiveFill } from '../runner.ts';

/**
 * The most fills and bars one reports answer carries: a bot that ran for months, asked from 0, answers
 * in pages (the caller asks again from `nextFill` and from the bars it has).
 */
export const MAX_REPORT_FILLS = 1_000;
export const MAX_REPORT_BARS = 5_000;

/**
 * What a bot keeps of the bars it saw, numbered since it first started (a LiveRunner is one): a window
 * of columns whose index 0 is bar number `bufferStart`, up to bar `barsSeen` - 1.
 */
export interface ReportedBars {
  readonly bars: Bars;
  /** Equity at each bar's close. */
  readonly equity: ArrayLike<number>;
  /** The set version active at each bar (0: none). */
  readonly versions: ArrayLike<number>;
  /** The active set's ramp budget at each bar (1 outside a ramp). */
  readonly budgets: ArrayLike<number>;
  /** Units held at each bar's close (absent: not reported, and a shadow after a gap starts flat). */
  readonly positions?: ArrayLike<number>;
  readonly bufferStart: number;
  readonly barsSeen: number;
}

/** One bar of a reports answer (the protocol's `bars[]`). */
export interface ReportBar {
  readonly time: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly version: number;
  readonly budget: number;
  readonly position?: number;
}

/** A reports answer (the protocol's `GET /v1/reports` body). */
export interface ReportsPage {
  readonly fills: LiveFill[];
  readonly nextFill: number;
  readonly firstFill: number;
  readonly firstBar: number;
  readonly equity: { time: number; equity: number }[];
  readonly bars: ReportBar[];
  readonly barsSeen: number;
}

/**
 * The reports answer for `GET /v1/reports?fillsFrom=&barsFrom=`, paged and numbered as the protocol
 * says: fills and bars from the numbers asked (from the oldest held when older ones are gone), at most
 * MAX_REPORT_FILLS and MAX_REPORT_BARS, each page saying the number it starts at (firstFill, firstBar)
 * and where to ask next (nextFill). A bot that numbered its pages by counting what it sent would
 * misplace everything once its windows dropped old entries: this is the one place that numbers them.
 */
export function buildReports(
  held: ReportedBars,
  fills: RecentLog<LiveFill>,
  fillsFrom: number,
  barsFrom: number,
): ReportsPage {
  const equity: ReportsPage['equity'] = [];
  const bars: ReportBar[] = [];
  const { t, o, h, l, c, v } = held.bars;
  const start = held.bufferStart;
  const count = held.barsSeen - start;
  const from = Math.min(Math.max(barsFrom, start) - start, count);
  const to = Math.min(count, from + MAX_REPORT_BARS);
  for (let i = from; i < to; i++) {
    equity.push({ time: t[i], equity: held.equity[i] });
    const bar = { time: t[i], o: o[i], h: h[i], l: l[i], c: c[i], v: v[i] };
    const version = held.versions[i];
    const budget = held.budgets[i];
    bars.push(
      held.positions === undefined
        ? { ...bar, version, budget }
        : { ...bar, version, budget, position: held.positions[i] },
    );
  }
  const page = fills.since(fillsFrom, MAX_REPORT_FILLS);
  const firstFill = Math.min(Math.max(fillsFrom, fills.first), fills.total);
  return {
    fills: page.map((fill) => ({ ...fill })),
    nextFill: firstFill + page.length,
    firstFill,
    firstBar: start + from,
    equity,
    bars,
    barsSeen: held.barsSeen,
  };
}
