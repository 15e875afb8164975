import { readFileSync } from 'node:fs';
import { sliceBars, type Bars, type Timeframe } from '../../src/core/data/bars.ts';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { resampleBars } from '../../src/core/data/resample.ts';
import {
  createSyntheticMarket,
  type SyntheticMarket,
  type SyntheticSeries,
} from '../../src/core/data/synthetic.ts';
import type { ConformanceDataset } from '../../src/core/regime/conformance.test-util.ts';
import { sharedDataFile } from './sharedData.ts';

const spy = sharedDataFile('SPY_1min.csv');
let spyMinutes: Bars | undefined;
/** Regular-session SPY bars; on 1m the first 30 sessions, enough beyond any warm-up at a quarter the cost. */
function spyBars(timeframe: Timeframe): Bars {
  spyMinutes ??= resampleBars(
    parseBarsCsv(readFileSync(spy.path, 'utf8'), { source: 'SPY_1min.csv' }).bars,
    '1m',
  );
  return timeframe === '1m' ? sliceBars(spyMinutes, 0, 30 * 390) : resampleBars(spyMinutes, timeframe);
}

let market: SyntheticMarket | undefined;
let synthetic: SyntheticSeries | undefined;
/**
 * Eight years of the demo market's generator and seed (the demo itself spans two years, too few day bars
 * to outlast a year-long warm-up): its first symbol, which follows the market factor most closely.
 */
export function syntheticMarket(): SyntheticMarket {
  market ??= createSyntheticMarket({
    seed: 20_240_101,
    start: Date.UTC(2017, 0, 1),
    end: Date.UTC(2025, 0, 1),
    symbols: [
      { symbol: 'SYNX', startPrice: 420, beta: 1, idiosyncraticVolatility: 0.03, dailyVolume: 60_000_000 },
    ],
  });
  return market;
}

export function syntheticSeries(): SyntheticSeries {
  synthetic ??= syntheticMarket().generate(0);
  return synthetic;
}

export const REGIME_DATASETS: readonly ConformanceDataset[] = [
  { name: 'SPY 1m', timeframe: '1m', skipReason: spy.skipReason, load: () => spyBars('1m') },
  { name: 'SPY 15m', timeframe: '15m', skipReason: spy.skipReason, load: () => spyBars('15m') },
  {
    name: 'synthetic 1d',
    timeframe: '1d',
    skipReason: '',
    // Four years: past every warm-up, while each of the 1,000 prefix runs stays cheap.
    load: () => sliceBars(resampleBars(syntheticSeries().bars, '1d'), 0, 1000),
  },
];
