import { describe, expect, it } from 'vitest';
import { finestCachedNote, finestCachedTimeframe } from './cachedTimeframe.ts';

const rows = [
  { symbol: 'GOOG', timeframe: '1d' },
  { symbol: 'SYNX', timeframe: '1m' },
  { symbol: 'SYNX', timeframe: '1d' },
  { symbol: 'BOTH', timeframe: '1d' },
  { symbol: 'BOTH', timeframe: '1h' },
  { symbol: 'WEEK', timeframe: '1w' },
];

describe('finestCachedTimeframe', () => {
  it('is the finest timeframe a symbol is stored as, not a fixed 1m', () => {
    expect(finestCachedTimeframe(rows, ['GOOG'])).toBe('1d');
    expect(finestCachedTimeframe(rows, ['BOTH'])).toBe('1h');
    expect(finestCachedTimeframe(rows, ['SYNX'])).toBe('1m');
  });

  it('is the finest that all of several symbols store', () => {
    expect(finestCachedTimeframe(rows, ['SYNX', 'BOTH'])).toBe('1d');
    expect(finestCachedTimeframe(rows, ['SYNX', 'GOOG'])).toBe('1d');
  });

  it('names the symbols not cached, and what each holds when they share nothing', () => {
    expect(() => finestCachedTimeframe(rows, ['GOOG', 'NONE'])).toThrow(
      '--symbol: no bars of NONE are cached (regimen data list shows what is)',
    );
    expect(() => finestCachedTimeframe(rows, ['GOOG', 'WEEK'])).toThrow(
      '--timeframe: GOOG, WEEK share no cached timeframe (GOOG 1d; WEEK 1w); give --timeframe',
    );
  });

  it('is said as the finest cached for the symbol or for all of them', () => {
    expect(finestCachedNote('1d', ['GOOG'])).toBe('timeframe 1d: the finest cached for GOOG');
    expect(finestCachedNote('1d', ['GOOG', 'ORCL'])).toBe(
      'timeframe 1d: the finest cached for all of GOOG, ORCL',
    );
  });
});
