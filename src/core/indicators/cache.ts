import type { Bars } from '../data/bars.ts';
import { rollingStd, rollingVolatility, StdState, VolatilityState } from './dispersion.ts';
import { ema, EmaState, macdLine, MacdState, sma, SmaState } from './moving-average.ts';
import { mfi, MfiState, rsi, RsiState } from './oscillators.ts';
import { adx, AdxState, atr, AtrState } from './range.ts';
import { obv, ObvState, volumeRatio, VolumeRatioState } from './volume.ts';

/** Default memory budget: about 320 arrays of 100,000 bars. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

export interface IndicatorCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  bytes: number;
  entries: number;
  /** Growing cache: indicator values computed one bar at a time (warm-ups included). */
  steps: number;
}

/** One indicator's streaming state over the live buffer: the value at bar i, called for i = 0, 1, 2... */
type Step = (i: number) => number;

interface Stream {
  readonly step: Step;
  readonly values: Float64Array;
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

  /** Set when the bars grow in place (see `refresh`), in creation order (inputs before users). */
  private readonly streams: Stream[] | null;
  /** Bars of a growing buffer every stream has stepped over. */
  private filled = 0;
  private steps = 0;

  /**
   * `growing`: the bars are a buffer filled bar by bar (the live bot); every array is kept, never
   * evicted, and carries a streaming state, so `refresh` adds each new bar's value in constant time
   * whatever the history, including to arrays a strategy still holds.
   */
  constructor(bars: Bars, maxBytes = DEFAULT_CACHE_BYTES, options: { growing?: boolean } = {}) {
    this.bars = bars;
    this.streams = options.growing ? [] : null;
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
      steps: this.steps,
    };
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  /** SMA of close (TA-Lib SMA). */
  sma(period: number): Float64Array {
    const key = `sma:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => sma(b.c, period, out),
        (b) => {
          const state = new SmaState(period);
          return (i) => state.update(b.c[i]);
        },
      )
    );
  }

  /** EMA of close (TA-Lib EMA). */
  ema(period: number): Float64Array {
    const key = `ema:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => ema(b.c, period, out),
        (b) => {
          const state = new EmaState(period);
          return (i) => state.update(b.c[i]);
        },
      )
    );
  }

  /** MACD line of close with TA-Lib's alignment, valid from index slow - 1. */
  macdLine(fast: number, slow: number): Float64Array {
    const key = `macdLine:${fast},${slow}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => macdLine(b.c, fast, slow, out),
        (b) => {
          // A one-bar signal EMA equals the line, so MacdState hides none of it: the line alone.
          const state = new MacdState(fast, slow, 1);
          return (i) => state.update(b.c[i]);
        },
      )
    );
  }

  /** MACD signal line (EMA of the MACD line), valid from index slow + signal - 2 as in TA-Lib. */
  macdSignal(fast: number, slow: number, signal: number): Float64Array {
    const key = `macdSignal:${fast},${slow},${signal}`;
    const hit = this.lookup(key);
    if (hit) return hit;
    const line = this.macdLine(fast, slow);
    return this.compute(
      key,
      (b, out) => ema(line.subarray(0, b.c.length), signal, out),
      () => {
        const state = new EmaState(signal);
        return (i) => state.update(line[i]);
      },
    );
  }

  /** Rolling population standard deviation of close (the Bollinger width before the multiplier). */
  std(period: number): Float64Array {
    const key = `std:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => rollingStd(b.c, period, out),
        (b) => {
          const state = new StdState(period);
          return (i) => state.update(b.c[i]);
        },
      )
    );
  }

  mfi(period: number): Float64Array {
    const key = `mfi:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => mfi(b.h, b.l, b.c, b.v, period, out),
        (b) => {
          const state = new MfiState(period);
          return (i) => state.update(b.h[i], b.l[i], b.c[i], b.v[i]);
        },
      )
    );
  }

  rsi(period: number): Float64Array {
    const key = `rsi:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => rsi(b.c, period, out),
        (b) => {
          const state = new RsiState(period);
          return (i) => state.update(b.c[i]);
        },
      )
    );
  }

  atr(period: number): Float64Array {
    const key = `atr:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => atr(b.h, b.l, b.c, period, out),
        (b) => {
          const state = new AtrState(period);
          return (i) => state.update(b.h[i], b.l[i], b.c[i]);
        },
      )
    );
  }

  adx(period: number): Float64Array {
    const key = `adx:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => adx(b.h, b.l, b.c, period, out),
        (b) => {
          const state = new AdxState(period);
          return (i) => state.update(b.h[i], b.l[i], b.c[i]);
        },
      )
    );
  }

  obv(): Float64Array {
    return (
      this.lookup('obv') ??
      this.compute(
        'obv',
        (b, out) => obv(b.c, b.v, out),
        (b) => {
          const state = new ObvState();
          return (i) => state.update(b.c[i], b.v[i]);
        },
      )
    );
  }

  volumeRatio(period: number): Float64Array {
    const key = `volumeRatio:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => volumeRatio(b.v, period, out),
        (b) => {
          const state = new VolumeRatioState(period);
          return (i) => state.update(b.v[i]);
        },
      )
    );
  }

  volatility(period: number): Float64Array {
    const key = `volatility:${period}`;
    return (
      this.lookup(key) ??
      this.compute(
        key,
        (b, out) => rollingVolatility(b.c, period, out),
        (b) => {
          const state = new VolatilityState(period);
          return (i) => state.update(b.c[i]);
        },
      )
    );
  }

  /**
   * Live bars (the bot's buffer fills one bar at a time): steps every array this cache has handed out
   * over the bars added since the last refresh, in place, so a strategy holding them sees the new bar
   * without being re-created, at a cost per bar that does not grow with the history. Only a cache built
   * with `growing` keeps the states this needs.
   */
  refresh(length: number): void {
    const streams = this.streams;
    if (streams === null) throw new Error('refresh needs an IndicatorCache built with growing: true');
    const end = Math.min(length, this.length);
    if (end < this.filled) {
      throw new RangeError(`refresh(${length}): the buffer already holds ${this.filled} bars; it only grows`);
    }
    for (let i = this.filled; i < end; i++) for (const stream of streams) stream.values[i] = stream.step(i);
    this.steps += (end - this.filled) * streams.length;
    this.filled = end;
  }

  /**
   * The live buffer dropped its oldest `count` bars and moved the rest to its start (a sliding window):
   * every array moves with it and every streaming state carries on, so the values stay exactly those of
   * an unbroken history. Only an indicator first asked for after the slide warms over the window alone.
   */
  slide(count: number): void {
    const streams = this.streams;
    if (streams === null) throw new Error('slide needs an IndicatorCache built with growing: true');
    if (!(Number.isInteger(count) && count >= 0 && count <= this.filled)) {
      throw new RangeError(`slide(${count}): must be an integer in [0, ${this.filled}] (the bars filled)`);
    }
    for (const { values } of streams) values.copyWithin(0, count, this.filled).fill(NaN, this.filled - count);
    this.filled -= count;
  }

  /**
   * A throwaway cache over the same bars for trying a strategy's `init` (the live bot's check of a
   * pushed set): it hands out this cache's arrays, and what it computes (warmed over the same bars, so
   * the strategy sees what it would here) stays in it. This cache is left exactly as it was, whatever
   * the strategy asked for or threw: no entry, stream, step or count is added.
   */
  scratch(): IndicatorCache {
    const copy = new IndicatorCache(this.bars, this.maxBytes, { growing: this.streams !== null });
    for (const [key, values] of this.entries) copy.entries.set(key, values);
    copy.bytes = this.bytes;
    copy.filled = this.filled;
    return copy;
  }

  /**
   * Computes a new entry. A growing cache starts its streaming state instead and warms it over the bars
   * already filled (once, when a strategy first asks), leaving the rest NaN until they arrive.
   */
  private compute(
    key: string,
    kernel: (bars: Bars, out: Float64Array) => Float64Array,
    stream: (bars: Bars) => Step,
  ): Float64Array {
    if (this.streams === null)
      return this.store(key, kernel(this.bars, new Float64Array(this.bars.c.length)));
    const values = new Float64Array(this.bars.c.length).fill(NaN);
    const step = stream(this.bars);
    for (let i = 0; i < this.filled; i++) values[i] = step(i);
    this.steps += this.filled;
    this.streams.push({ step, values });
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
