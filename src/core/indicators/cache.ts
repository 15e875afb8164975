import { sliceBars, type Bars } from '../data/bars.ts';
import { rollingStd, rollingVolatility } from './dispersion.ts';
import { ema, macdLine, sma } from './moving-average.ts';
import { mfi, rsi } from './oscillators.ts';
import { adx, atr } from './range.ts';
import { obv, volumeRatio } from './volume.ts';

/** Default memory budget: about 320 arrays of 100,000 bars. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

export interface IndicatorCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  bytes: number;
  entries: number;
}

/**
 * Indicator arrays of one dataset, computed on first request and shared by every later trial that asks
 * for the same indicator and parameters (keyed by name + parameters). Optimizer trials mostly differ in a
 * few periods, so most requests are hits and a trial's cost drops to its bar loop.
 *
 * Returned arrays are shared: callers must treat them as read-only. Memory is bounded by a byte budget
 * with least-recently-used eviction; an evicted array stays valid for whoever still holds it.
 * Indicators that are cheap to derive are cached in their reusable parts: Bollinger Bands as SMA + std
 * (so every bb_std shares one array pair), MACD as the line per (fast, slow) + the signal per triple.
 */
export class IndicatorCache {
  readonly bars: Bars;
  readonly maxBytes: number;
  private readonly entries = new Map<string, Float64Array>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  /** Set when the bars grow in place (see `refresh`); null for a fixed dataset. */
  private readonly refreshers: Array<(bars: Bars) => void> | null;

  /**
   * `growing`: the bars are a buffer filled bar by bar (the live bot); every array is kept, never
   * evicted, so `refresh` can bring each one up to date, including those a strategy still holds.
   */
  constructor(bars: Bars, maxBytes = DEFAULT_CACHE_BYTES, options: { growing?: boolean } = {}) {
    this.bars = bars;
    this.refreshers = options.growing ? [] : null;
    this.maxBytes = options.growing ? Infinity : maxBytes;
  }

  get length(): number {
    return this.bars.c.length;
  }

  stats(): IndicatorCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      bytes: this.bytes,
      entries: this.entries.size,
    };
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  /** SMA of close (TA-Lib SMA). */
  sma(period: number): Float64Array {
    const key = `sma:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => sma(b.c, period, out));
  }

  /** EMA of close (TA-Lib EMA). */
  ema(period: number): Float64Array {
    const key = `ema:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => ema(b.c, period, out));
  }

  /** MACD line of close with TA-Lib's alignment, valid from index slow - 1. */
  macdLine(fast: number, slow: number): Float64Array {
    const key = `macdLine:${fast},${slow}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => macdLine(b.c, fast, slow, out));
  }

  /** MACD signal line (EMA of the MACD line), valid from index slow + signal - 2 as in TA-Lib. */
  macdSignal(fast: number, slow: number, signal: number): Float64Array {
    const key = `macdSignal:${fast},${slow},${signal}`;
    const hit = this.lookup(key);
    if (hit) return hit;
    const line = this.macdLine(fast, slow);
    return this.compute(key, (b, out) => ema(line.subarray(0, b.c.length), signal, out));
  }

  /** Rolling population standard deviation of close (the Bollinger width before the multiplier). */
  std(period: number): Float64Array {
    const key = `std:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => rollingStd(b.c, period, out));
  }

  mfi(period: number): Float64Array {
    const key = `mfi:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => mfi(b.h, b.l, b.c, b.v, period, out));
  }

  rsi(period: number): Float64Array {
    const key = `rsi:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => rsi(b.c, period, out));
  }

  atr(period: number): Float64Array {
    const key = `atr:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => atr(b.h, b.l, b.c, period, out));
  }

  adx(period: number): Float64Array {
    const key = `adx:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => adx(b.h, b.l, b.c, period, out));
  }

  obv(): Float64Array {
    return this.lookup('obv') ?? this.compute('obv', (b, out) => obv(b.c, b.v, out));
  }

  volumeRatio(period: number): Float64Array {
    const key = `volumeRatio:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => volumeRatio(b.v, period, out));
  }

  volatility(period: number): Float64Array {
    const key = `volatility:${period}`;
    return this.lookup(key) ?? this.compute(key, (b, out) => rollingVolatility(b.c, period, out));
  }

  /**
   * Live bars (the bot's buffer fills one bar at a time): recomputes every array this cache has handed
   * out over the first `length` bars, in place, so a strategy holding them sees the new bar without being
   * re-created. Only a cache built with `growing` keeps what refreshing needs.
   */
  refresh(length: number): void {
    if (this.refreshers === null) throw new Error('refresh needs an IndicatorCache built with growing: true');
    const bars = sliceBars(this.bars, 0, Math.min(length, this.length));
    for (const refresh of this.refreshers) refresh(bars);
  }

  /** Computes a new entry; a growing cache also remembers how, in creation order (inputs before users). */
  private compute(key: string, kernel: (bars: Bars, out: Float64Array) => Float64Array): Float64Array {
    const values = kernel(this.bars, new Float64Array(this.bars.c.length));
    this.refreshers?.push((bars) => kernel(bars, values.subarray(0, bars.c.length)));
    return this.store(key, values);
  }

  private lookup(key: string): Float64Array | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert so Map order doubles as recency order for eviction.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  private store(key: string, values: Float64Array): Float64Array {
    this.entries.set(key, values);
    this.bytes += values.byteLength;
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.maxBytes || oldKey === key) break;
      this.entries.delete(oldKey);
      this.bytes -= old.byteLength;
      this.evictions++;
    }
    return values;
  }
}
