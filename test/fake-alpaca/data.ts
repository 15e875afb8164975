/**
 * The fake Alpaca's market: deterministic 1-minute bars over NYSE regular sessions from the core
 * synthetic generator (one synthetic market per symbol, seeded by the symbol's name, so any ticker a
 * test asks for exists and never depends on which other tickers were asked for), plus the coarser
 * timeframes Alpaca serves, aggregated here independently of the cache's DuckDB resampler so tests can
 * compare the two.
 */
import { allocateBars, firstIndexAtOrAfter, type Bars } from '../../src/core/data/bars.ts';
import { etDateKey, etMidnight, etMinuteOfDay, SESSION_OPEN_MINUTE } from '../../src/core/data/calendar.ts';
import {
  createSyntheticMarket,
  DEFAULT_SYNTHETIC_SYMBOLS,
  type SyntheticSymbolSpec,
} from '../../src/core/data/synthetic.ts';
import { deriveSeed } from '../../src/core/math/random.ts';

export const FAKE_TIMEFRAMES = ['1Min', '5Min', '15Min', '1Hour', '1Day'] as const;
export type FakeTimeframe = (typeof FAKE_TIMEFRAMES)[number];
const MINUTES: Record<FakeTimeframe, number> = { '1Min': 1, '5Min': 5, '15Min': 15, '1Hour': 60, '1Day': 0 };

/** Bars plus the per-bar vwap and trade count Alpaca sends. */
export interface FakeSeries {
  readonly bars: Bars;
  readonly vwap: Float64Array;
  readonly tradeCount: Float64Array;
}

export interface FakeMarketOptions {
  readonly seed?: number;
  /** Sessions whose open is in [start, end) exist; outside, Alpaca has no bars. */
  readonly start?: number;
  readonly end?: number;
}

export const DEFAULT_FAKE_START = Date.UTC(2023, 0, 1);
export const DEFAULT_FAKE_END = Date.UTC(2025, 0, 1);

function nameHash(symbol: string): number {
  let h = 0;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193);
  return h;
}

function specFor(symbol: string): SyntheticSymbolSpec {
  const known = DEFAULT_SYNTHETIC_SYMBOLS.find((s) => s.symbol === symbol);
  if (known) return known;
  const h = nameHash(symbol) >>> 0;
  return {
    symbol,
    startPrice: 20 + (h % 480),
    beta: 0.5 + ((h >>> 9) % 100) / 100,
    idiosyncraticVolatility: 0.1 + ((h >>> 16) % 20) / 100,
    dailyVolume: 2_000_000 + (h % 50) * 1_000_000,
  };
}

export class FakeMarket {
  readonly seed: number;
  readonly start: number;
  readonly end: number;
  private readonly cache = new Map<string, FakeSeries>();

  constructor(options: FakeMarketOptions = {}) {
    this.seed = options.seed ?? 7;
    this.start = options.start ?? DEFAULT_FAKE_START;
    this.end = options.end ?? DEFAULT_FAKE_END;
  }

  /** A symbol's whole series in one timeframe (cached). */
  series(symbol: string, timeframe: FakeTimeframe): FakeSeries {
    const id = `${symbol}/${timeframe}`;
    let series = this.cache.get(id);
    if (!series) {
      series =
        timeframe === '1Min' ? this.minutes(symbol) : aggregate(this.series(symbol, '1Min'), timeframe);
      this.cache.set(id, series);
    }
    return series;
  }

  /**
   * Opens the 1-minute bar of `symbol` at `t` away from the previous close by `fraction` (-0.01: a 1 %
   * gap down), its high and low widened to hold the open; the coarser timeframes are aggregated anew.
   * Returns false when there is no such bar.
   */
  gap(symbol: string, t: number, fraction: number): boolean {
    const { bars } = this.series(symbol, '1Min');
    const i = firstIndexAtOrAfter(bars.t, t);
    if (i === 0 || bars.t[i] !== t) return false;
    const open = bars.c[i - 1]! * (1 + fraction);
    bars.o[i] = open;
    bars.h[i] = Math.max(bars.h[i]!, open);
    bars.l[i] = Math.min(bars.l[i]!, open);
    for (const timeframe of FAKE_TIMEFRAMES)
      if (timeframe !== '1Min') this.cache.delete(`${symbol}/${timeframe}`);
    return true;
  }

  private minutes(symbol: string): FakeSeries {
    const market = createSyntheticMarket({
      seed: deriveSeed(this.seed, nameHash(symbol)),
      start: this.start,
      end: this.end,
      symbols: [specFor(symbol)],
    });
    const { bars } = market.generate(0);
    const n = bars.t.length;
    const vwap = new Float64Array(n);
    const tradeCount = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      vwap[i] = Math.round(((bars.h[i]! + bars.l[i]! + bars.c[i]!) / 3) * 10_000) / 10_000;
      tradeCount[i] = Math.max(1, Math.round(bars.v[i]! / 150));
    }
    return { bars, vwap, tradeCount };
  }
}

/**
 * Session-aligned aggregation: intraday buckets start at the 09:30 ET open (a 1Hour bar covers
 * 09:30-10:30), a day bar is stamped at midnight ET of its session. Real Alpaca aligns intraday bars to
 * the clock; Regimen's cache aligns to the session, and the fake serves what the cache is meant to equal.
 */
function aggregate(source: FakeSeries, timeframe: FakeTimeframe): FakeSeries {
  const { t, o, h, l, c, v } = source.bars;
  const n = t.length;
  const bucketOf = (time: number): number => {
    if (timeframe === '1Day') return etMidnight(etDateKey(time));
    const minutes = MINUTES[timeframe];
    const fromOpen = etMinuteOfDay(time) - SESSION_OPEN_MINUTE;
    return time - (fromOpen - Math.floor(fromOpen / minutes) * minutes) * 60_000;
  };
  const starts: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || bucketOf(t[i]!) !== bucketOf(t[i - 1]!)) starts.push(i);
  const m = starts.length;
  const out = allocateBars(m);
  const vwap = new Float64Array(m);
  const tradeCount = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const a = starts[k]!;
    const b = k + 1 < m ? starts[k + 1]! : n;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let notional = 0;
    let trades = 0;
    for (let i = a; i < b; i++) {
      if (h[i]! > high) high = h[i]!;
      if (l[i]! < low) low = l[i]!;
      volume += v[i]!;
      notional += source.vwap[i]! * v[i]!;
      trades += source.tradeCount[i]!;
    }
    out.t[k] = bucketOf(t[a]!);
    out.o[k] = o[a]!;
    out.h[k] = high;
    out.l[k] = low;
    out.c[k] = c[b - 1]!;
    out.v[k] = volume;
    vwap[k] = Math.round((notional / volume) * 10_000) / 10_000;
    tradeCount[k] = trades;
  }
  return { bars: out, vwap, tradeCount };
}
