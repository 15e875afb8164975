import type { Bars } from '../data/bars.ts';
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

  constructor(bars: Bars, maxBytes = DEFAULT_CACHE_BYTES) {
    this.bars = bars;
    this.maxBytes = maxBytes;
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
    return this.lookup(key) ?? this.store(key, sma(this.bars.c, period, this.allocate()));
  }

  /** EMA of close (TA-Lib EMA). */
  ema(period: number): Float64Array {
    const key = `ema:${period}`;
    return this.lookup(key) ?? this.store(key, ema(this.bars.c, period, this.allocate()));
  }

  /** MACD line of close with TA-Lib's alignment, valid from index slow - 1. */
  macdLine(fast: number, slow: number): Float64Array {
    const key = `macdLine:${fast},${slow}`;
    return this.lookup(key) ?? this.store(key, macdLine(this.bars.c, fast, slow, this.allocate()));
  }

  /** MACD signal line (EMA of the MACD line), valid from index slow + signal - 2 as in TA-Lib. */
  macdSignal(fast: number, slow: number, signal: number): Float64Array {
    const key = `macdSignal:${fast},${slow},${signal}`;
    const hit = this.lookup(key);
    if (hit) return hit;
    return this.store(key, ema(this.macdLine(fast, slow), signal, this.allocate()));
  }

  /** Rolling population standard deviation of close (the Bollinger width before the multiplier). */
  std(period: number): Float64Array {
    const key = `std:${period}`;
    return this.lookup(key) ?? this.store(key, rollingStd(this.bars.c, period, this.allocate()));
  }

  mfi(period: number): Float64Array {
    const key = `mfi:${period}`;
    const { h, l, c, v } = this.bars;
    return this.lookup(key) ?? this.store(key, mfi(h, l, c, v, period, this.allocate()));
  }

  rsi(period: number): Float64Array {
    const key = `rsi:${period}`;
    return this.lookup(key) ?? this.store(key, rsi(this.bars.c, period, this.allocate()));
  }

  atr(period: number): Float64Array {
    const key = `atr:${period}`;
    const { h, l, c } = this.bars;
    return this.lookup(key) ?? this.store(key, atr(h, l, c, period, this.allocate()));
  }

  adx(period: number): Float64Array {
    const key = `adx:${period}`;
    const { h, l, c } = this.bars;
    return this.lookup(key) ?? this.store(key, adx(h, l, c, period, this.allocate()));
  }

  obv(): Float64Array {
    return this.lookup('obv') ?? this.store('obv', obv(this.bars.c, this.bars.v, this.allocate()));
  }

  volumeRatio(period: number): Float64Array {
    const key = `volumeRatio:${period}`;
    return this.lookup(key) ?? this.store(key, volumeRatio(this.bars.v, period, this.allocate()));
  }

  volatility(period: number): Float64Array {
    const key = `volatility:${period}`;
    return this.lookup(key) ?? this.store(key, rollingVolatility(this.bars.c, period, this.allocate()));
  }

  private allocate(): Float64Array {
    return new Float64Array(this.bars.c.length);
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
