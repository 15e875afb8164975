import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../../../test/support/sharedData.ts';
import { allocateBars, type Bars } from '../../core/data/bars.ts';
import { parseBarsCsv } from '../../core/data/csv/read.ts';
import { IndicatorCache } from '../../core/indicators/cache.ts';
import { demoBars } from './referenceBot.ts';

const goog = sharedDataFile('GOOG.csv');

/** Every indicator the cache serves, by name, so the streaming and batch caches are asked the same. */
const INDICATORS: ReadonlyArray<readonly [string, (cache: IndicatorCache) => Float64Array]> = [
  ['sma 10', (c) => c.sma(10)],
  ['ema 20', (c) => c.ema(20)],
  ['macd line 12/26', (c) => c.macdLine(12, 26)],
  ['macd signal 12/26/9', (c) => c.macdSignal(12, 26, 9)],
  ['std 20', (c) => c.std(20)],
  ['mfi 14', (c) => c.mfi(14)],
  ['rsi 14', (c) => c.rsi(14)],
  ['atr 14', (c) => c.atr(14)],
  ['adx 14', (c) => c.adx(14)],
  ['obv', (c) => c.obv()],
  ['volume ratio 20', (c) => c.volumeRatio(20)],
  ['volatility 20', (c) => c.volatility(20)],
];

function prefix(bars: Bars, n: number): Bars {
  const { t, o, h, l, c, v } = bars;
  return {
    t: t.subarray(0, n),
    o: o.subarray(0, n),
    h: h.subarray(0, n),
    l: l.subarray(0, n),
    c: c.subarray(0, n),
    v: v.subarray(0, n),
  };
}

function expectClose(name: string, live: Float64Array, batch: Float64Array): void {
  for (let i = 0; i < batch.length; i++) {
    const a = live[i];
    const b = batch[i];
    if (Number.isNaN(b) || Number.isNaN(a)) {
      expect(`${name}[${i}] ${a}`).toBe(`${name}[${i}] ${b}`);
      continue;
    }
    if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(b)))
      expect(`${name}[${i}] ${a}`).toBe(`${name}[${i}] ${b}`);
  }
}

/**
 * Feeds `source` bar by bar into a growing cache; half the indicators are asked for before the first bar,
 * the other half mid-stream (warmed over the bars already there, as a strategy created by a later push
 * or after a restart). At checkpoints every array equals the batch indicator over the bars so far.
 */
function checkStreamingEqualsBatch(source: Bars): void {
  const n = source.c.length;
  const buffer = allocateBars(n);
  const live = new IndicatorCache(buffer, undefined, { growing: true });
  const arrays = new Map<string, Float64Array>();
  const early = INDICATORS.filter((_, k) => k % 2 === 0);
  const late = INDICATORS.filter((_, k) => k % 2 === 1);
  for (const [name, get] of early) arrays.set(name, get(live));
  const checkpoints = new Set([Math.floor(n / 3), Math.floor((2 * n) / 3), n]);
  for (let k = 1; k <= n; k++) {
    for (const column of ['t', 'o', 'h', 'l', 'c', 'v'] as const)
      buffer[column][k - 1] = source[column][k - 1];
    live.refresh(k);
    if (k === Math.floor(n / 2)) for (const [name, get] of late) arrays.set(name, get(live));
    if (!checkpoints.has(k)) continue;
    const batch = new IndicatorCache(prefix(source, k));
    for (const [name, get] of INDICATORS) {
      const held = arrays.get(name);
      if (held !== undefined) expectClose(`${name} at ${k} bars`, held.subarray(0, k), get(batch));
    }
  }
  expect(arrays.size).toBe(INDICATORS.length);
}

describe('streaming indicators (growing IndicatorCache): equal to the batch indicators', () => {
  it.skipIf(!goog.present)(`on GOOG, every indicator to 1e-9 bar by bar${goog.skipReason}`, () => {
    checkStreamingEqualsBatch(parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars);
  });

  it('on the demo market (ALFA), every indicator to 1e-9 bar by bar', () => {
    checkStreamingEqualsBatch(demoBars('ALFA'));
  });

  it('a bar costs one step per indicator whatever the history (the old path recomputed the buffer)', () => {
    const source = demoBars('ALFA');
    const n = source.c.length;
    const buffer = allocateBars(n);
    const live = new IndicatorCache(buffer, undefined, { growing: true });
    for (const [, get] of INDICATORS) get(live);
    const stepsOfBar = (k: number): number => {
      for (const column of ['t', 'o', 'h', 'l', 'c', 'v'] as const)
        buffer[column][k - 1] = source[column][k - 1];
      const before = live.stats().steps;
      live.refresh(k);
      return live.stats().steps - before;
    };
    const perBar: number[] = [];
    for (let k = 1; k <= n; k++) perBar.push(stepsOfBar(k));
    expect(new Set(perBar)).toEqual(new Set([INDICATORS.length]));
    expect(() => live.refresh(n - 1)).toThrow('only grows');
  });
});
