import type { Database } from '../store/database.ts';
import type { Adjustment, Feed } from './types.ts';

/** A half-open time range [start, end), epoch ms. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export interface CoverageKey {
  readonly symbol: string;
  /** The cache's timeframe name (1m, 5m, 15m, 1h, 1d). */
  readonly timeframe: string;
  readonly adjustment: Adjustment;
  readonly feed: Feed;
}

export interface CoverageRow extends CoverageKey, Interval {}

/** Sorts and merges touching or overlapping intervals. */
function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const next of sorted) {
    const last = out[out.length - 1];
    if (last && next.start <= last.end)
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, next.end) };
    else out.push({ start: next.start, end: next.end });
  }
  return out;
}

/** The parts of `range` not inside any of `covered`. */
function subtractIntervals(range: Interval, covered: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let cursor = range.start;
  for (const c of mergeIntervals(covered)) {
    if (c.end <= cursor) continue;
    if (c.start >= range.end) break;
    if (c.start > cursor) out.push({ start: cursor, end: Math.min(c.start, range.end) });
    cursor = Math.max(cursor, c.end);
    if (cursor >= range.end) break;
  }
  if (cursor < range.end) out.push({ start: cursor, end: range.end });
  return out;
}

/**
 * Which ranges were fetched, per symbol, timeframe, adjustment and feed. The bars table keeps one row
 * per (symbol, timeframe, time), so fetching a range again with another adjustment or feed replaces
 * those bars: recording it takes the range away from the other settings' coverage, which keeps the
 * record honest about what the stored bars are.
 */
export class CoverageRepository {
  constructor(private readonly db: Database) {}

  async ranges(key: CoverageKey): Promise<Interval[]> {
    const rows = await this.db.all<{ start: number; end: number }>(
      `SELECT start_ms::DOUBLE AS start, end_ms::DOUBLE AS "end" FROM bar_coverage
       WHERE symbol = $symbol AND timeframe = $timeframe AND adjustment = $adjustment AND feed = $feed
       ORDER BY start_ms`,
      { ...key },
    );
    return rows;
  }

  async missing(key: CoverageKey, range: Interval): Promise<Interval[]> {
    return subtractIntervals(range, await this.ranges(key));
  }

  /** Every coverage row (for the Data view and `regimen data list`). */
  async list(symbol?: string): Promise<CoverageRow[]> {
    return this.db.all<{
      symbol: string;
      timeframe: string;
      adjustment: Adjustment;
      feed: Feed;
      start: number;
      end: number;
    }>(
      `SELECT symbol, timeframe, adjustment, feed, start_ms::DOUBLE AS start, end_ms::DOUBLE AS "end"
       FROM bar_coverage ${symbol === undefined ? '' : 'WHERE symbol = $symbol'}
       ORDER BY symbol, timeframe, adjustment, feed, start_ms`,
      symbol === undefined ? {} : { symbol },
    );
  }

  /**
   * Records [start, end) as fetched for `key`. Must run inside the transaction that stored the bars
   * (BarsRepository.writeBatch's alsoInTransaction), so the record never claims bars that are not there.
   */
  async addInTransaction(key: CoverageKey, interval: Interval): Promise<void> {
    if (!(interval.end > interval.start)) return;
    const rows = await this.db.all<{ adjustment: Adjustment; feed: Feed; start: number; end: number }>(
      `SELECT adjustment, feed, start_ms::DOUBLE AS start, end_ms::DOUBLE AS "end" FROM bar_coverage
       WHERE symbol = $symbol AND timeframe = $timeframe`,
      { symbol: key.symbol, timeframe: key.timeframe },
    );
    const bySetting = new Map<string, { adjustment: Adjustment; feed: Feed; intervals: Interval[] }>();
    const settingOf = (adjustment: Adjustment, feed: Feed): { intervals: Interval[] } => {
      const id = `${adjustment}/${feed}`;
      let entry = bySetting.get(id);
      if (!entry) bySetting.set(id, (entry = { adjustment, feed, intervals: [] }));
      return entry;
    };
    for (const row of rows)
      settingOf(row.adjustment, row.feed).intervals.push({ start: row.start, end: row.end });
    settingOf(key.adjustment, key.feed);
    await this.db.run('DELETE FROM bar_coverage WHERE symbol = $symbol AND timeframe = $timeframe', {
      symbol: key.symbol,
      timeframe: key.timeframe,
    });
    for (const entry of bySetting.values()) {
      const same = entry.adjustment === key.adjustment && entry.feed === key.feed;
      const intervals = same
        ? mergeIntervals([...entry.intervals, interval])
        : entry.intervals.flatMap((i) => subtractIntervals(i, [interval]));
      for (const i of intervals) {
        await this.db.run(
          `INSERT INTO bar_coverage VALUES ($symbol, $timeframe, $adjustment, $feed, $start, $end, now())`,
          {
            symbol: key.symbol,
            timeframe: key.timeframe,
            adjustment: entry.adjustment,
            feed: entry.feed,
            start: i.start,
            end: i.end,
          },
        );
      }
    }
  }
}
