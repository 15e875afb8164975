import { describe, expect, it } from 'vitest';
import { SMA_CROSS } from '../../../test/support/fakeRegimenClient.ts';
import { checkSetup, defaultSpace, emptySetup } from './optimizeSetup.ts';
import { keptSetup, setupFromApp } from './setupSlice.ts';
import type { AppState } from './appStore.ts';
import { checkParams } from './params.ts';

describe('backtest parameter form', () => {
  it('runs any valid value: a 50/200 crossover beyond the default search range is accepted', () => {
    const slow = SMA_CROSS.params.find((p) => p.name === 'slow')!;
    const beyond = slow.max + 100;
    expect(checkParams(SMA_CROSS, { fast: '50', slow: String(beyond) })).toEqual({
      values: { fast: 50, slow: beyond },
      errors: {},
    });
  });

  it('still refuses what no run accepts, saying the limits', () => {
    const { errors } = checkParams(SMA_CROSS, { fast: '0', slow: '20000' });
    expect(errors).toEqual({ fast: 'between 1 and 10000', slow: 'between 2 and 10000' });
  });
});

describe('the parameter form', () => {
  it('checks the strategy constraints by their kind, with core’s rule and message', () => {
    expect(SMA_CROSS.constraints).toEqual([{ kind: 'less-than', left: 'fast', right: 'slow' }]);
    expect(checkParams(SMA_CROSS, { fast: '10', slow: '30' }).errors).toEqual({});
    expect(checkParams(SMA_CROSS, { fast: '30', slow: '30' }).errors).toEqual({
      fast: 'parameter fast (30) must be less than slow (30)',
    });
  });

  it('refuses a search space no point of which meets a constraint, in the constraint’s own words', () => {
    const setup = {
      ...emptySetup(),
      strategy: 'sma-cross',
      symbol: 'DEMO',
      space: defaultSpace(SMA_CROSS).map((p) =>
        p.name === 'fast'
          ? { ...p, ranged: true, min: '40', max: '50', step: '5' }
          : p.name === 'slow'
            ? { ...p, ranged: true, min: '20', max: '30', step: '5' }
            : p,
      ),
    };
    expect(checkSetup(setup, SMA_CROSS).errors['fast']).toBe('no value in the range meets fast<slow');
  });

  it("asks for one set per regime only when ticked, with the detector, trades per regime and the sets' dwell", () => {
    const setup = { ...emptySetup(), strategy: 'sma-cross', symbol: 'DEMO', space: defaultSpace(SMA_CROSS) };
    expect(checkSetup(setup, SMA_CROSS).request).not.toHaveProperty('perRegime');
    const ticked = { ...setup, perRegime: true, regimeDetector: 'jump' as const, regimeMinTrades: '12' };
    // The sets' dwell starts at the contract's 5 bars and goes as typed.
    expect(checkSetup(ticked, SMA_CROSS).request?.perRegime).toEqual({
      detector: 'jump',
      minTrades: 12,
      minDwell: 5,
    });
    expect(checkSetup({ ...ticked, regimeMinDwell: '20' }, SMA_CROSS).request?.perRegime).toEqual({
      detector: 'jump',
      minTrades: 12,
      minDwell: 20,
    });
    const bad = checkSetup({ ...ticked, regimeMinTrades: '2.5' }, SMA_CROSS);
    expect(bad.request).toBeNull();
    expect(bad.errors['regimeMinTrades']).toBe('a whole number ≥ 0');
    const noDwell = checkSetup({ ...ticked, regimeMinDwell: '0' }, SMA_CROSS);
    expect(noDwell.request).toBeNull();
    expect(noDwell.errors['regimeMinDwell']).toBe('a whole number of bars ≥ 1');
  });
});

describe('the holdout field', () => {
  it('sends a percentage or a date as data.holdout, nothing when empty, and names a bad value', () => {
    const setup = { ...emptySetup(), strategy: 'sma-cross', symbol: 'DEMO', space: defaultSpace(SMA_CROSS) };
    const holdout = (text: string) => checkSetup({ ...setup, holdout: text }, SMA_CROSS);
    expect(holdout('').request?.data).not.toHaveProperty('holdout');
    expect(holdout('20%').request?.data).toMatchObject({ holdout: { fraction: 0.2 } });
    expect(holdout('25').request?.data).toMatchObject({ holdout: { fraction: 0.25 } });
    expect(holdout('2024-03-01').request?.data).toMatchObject({ holdout: { from: Date.UTC(2024, 2, 1) } });
    for (const bad of ['95%', '0', 'soon', '2024-13-01']) {
      const check = holdout(bad);
      expect(check.request, bad).toBeNull();
      expect(check.errors['holdout'], bad).toBe('a percentage (20%) or a date (yyyy-mm-dd)');
    }
  });
});

describe('the form defaults from the settings', () => {
  it('take the settings cash and commission in place of the built-in ones, never over a typed value', () => {
    const app = {
      strategies: { status: 'ready', data: [SMA_CROSS] },
      symbol: 'DEMO',
      strategyName: 'sma-cross',
      settings: { settings: { cash: 25_000, commissionPercent: 0.05 } },
    } as unknown as AppState;
    expect(setupFromApp(emptySetup(), app)).toMatchObject({ cash: '25000', commission: '0.05' });
    const typed = {
      ...emptySetup(),
      cash: '5000',
      strategy: 'sma-cross',
      symbol: 'DEMO',
      space: defaultSpace(SMA_CROSS),
    };
    expect(setupFromApp(typed, app)).toMatchObject({ cash: '5000', commission: '0.05' });
  });
});

describe('several symbols in the form', () => {
  const setup = { ...emptySetup(), strategy: 'sma-cross', symbol: 'GOOG', space: defaultSpace(SMA_CROSS) };

  it('sends data.symbols, the main symbol first, and data.symbol alone when no other is ticked', () => {
    expect(checkSetup(setup, SMA_CROSS).request?.data).toMatchObject({ symbol: 'GOOG' });
    expect(checkSetup(setup, SMA_CROSS).request?.data).not.toHaveProperty('symbols');
    const data = checkSetup({ ...setup, otherSymbols: ['ORCL', 'GOOG'] }, SMA_CROSS).request?.data;
    expect(data).toMatchObject({ symbols: ['GOOG', 'ORCL'], aggregation: 'worst' });
    expect(data).not.toHaveProperty('symbol');
    expect(data).not.toHaveProperty('symbolWeights');
  });

  it('sends a weight per symbol under weighted (1 when left empty) and names a bad one', () => {
    const weighted = {
      ...setup,
      otherSymbols: ['ORCL', 'NVDA'],
      aggregation: 'weighted' as const,
      symbolWeights: { GOOG: '3' },
    };
    expect(checkSetup(weighted, SMA_CROSS).request?.data).toMatchObject({
      symbols: ['GOOG', 'ORCL', 'NVDA'],
      aggregation: 'weighted',
      symbolWeights: { GOOG: 3, ORCL: 1, NVDA: 1 },
    });
    const bad = checkSetup({ ...weighted, symbolWeights: { ORCL: '0' } }, SMA_CROSS);
    expect(bad.request).toBeNull();
    expect(bad.errors).toEqual({ 'symbolWeight-ORCL': 'a number above 0' });
    const alone = checkSetup({ ...setup, aggregation: 'weighted' }, SMA_CROSS);
    expect(alone.errors).toEqual({ aggregation: 'weighted needs several symbols' });
  });
});

describe('a form kept from before a page reload', () => {
  it('keeps what the trader typed when the form has gained a field since, and drops a form of another shape', () => {
    const older: Record<string, unknown> = { ...emptySetup(), symbol: 'GOOG', regimeMinTrades: '12' };
    delete older.regimeMinDwell;
    expect(keptSetup(older)).toEqual({ ...emptySetup(), symbol: 'GOOG', regimeMinTrades: '12' });
    expect(keptSetup({ ...older, symbol: 7 })).toEqual(emptySetup());
    expect(keptSetup('not a form')).toEqual(emptySetup());
  });
});
