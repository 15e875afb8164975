import { describe, expect, it } from 'vitest';
import type { Timeframe } from '../core/data/bars.ts';
import { keepAvailable, TIMEFRAME_CHOICES, timeframeReasons, timeframesNote } from './timeframes.ts';

const datasets = [
  { symbol: 'BTCUSD', timeframe: '1mo' },
  { symbol: 'GOOG', timeframe: '1d' },
  { symbol: 'SPY', timeframe: '1m' },
];

const offered = (symbol: string): string[] =>
  Object.entries(timeframeReasons(datasets, symbol))
    .filter(([, reason]) => reason === null)
    .map(([tf]) => tf);

describe('the timeframes a symbol offers (Backtest picker and Optimize form)', () => {
  it('are its stored one, weeks and months of days, and everything from minutes', () => {
    expect(offered('BTCUSD')).toEqual(['1mo']);
    expect(offered('GOOG')).toEqual(['1d', '1w', '1mo']);
    expect(offered('SPY')).toEqual(['1m', '5m', '15m', '1h', '4h', '1d', '1w', '1mo']);
    // An FX symbol stored hourly (EURUSD) gives 4h, days, weeks and months: no session to cut its hours to.
    expect(
      TIMEFRAME_CHOICES.filter(
        (tf) =>
          timeframeReasons([{ symbol: 'EURUSD', timeframe: '1h', calendar: 'fx' }], 'EURUSD')[tf] === null,
      ),
    ).toEqual(['1h', '4h', '1d', '1w', '1mo']);
    expect(timeframeReasons(datasets, 'BTCUSD')['1w']).toBe(
      'BTCUSD is stored as 1mo only: 1w is derived from daily or 1-minute bars',
    );
  });

  it('keep the chosen ones the symbol can have, else its finest', () => {
    const same: Timeframe[] = ['1d', '1w'];
    expect(keepAvailable(same, timeframeReasons(datasets, 'GOOG'))).toBe(same);
    expect(keepAvailable(['1h', '1w'], timeframeReasons(datasets, 'GOOG'))).toEqual(['1w']);
    expect(keepAvailable(['1h'], timeframeReasons(datasets, 'BTCUSD'))).toEqual(['1mo']);
  });
});

describe("the pickers' note on the timeframes a symbol cannot be shown in", () => {
  it('names every one and why, not only the first', () => {
    expect(timeframesNote(datasets, 'GOOG')).toBe(
      'GOOG is stored as 1d only: 1m, 5m, 15m, 1h, 4h are derived from 1-minute bars',
    );
    expect(timeframesNote(datasets, 'BTCUSD')).toBe(
      'BTCUSD is stored as 1mo only: 1m, 5m, 15m, 1h, 4h, 1d are derived from 1-minute bars; 1w is ' +
        'derived from daily or 1-minute bars',
    );
    expect(timeframesNote(datasets, 'SPY')).toBeNull();
    expect(timeframesNote(datasets, 'NOPE')).toBeNull();
  });
});
