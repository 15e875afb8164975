import { describe, expect, it } from 'vitest';
import { FakeRegimenClient, studyDetail, trialRow } from '../../../test/support/fakeRegimenClient.ts';
import { contourGrid, parallelOption, sliceOption } from '../charts/optimizeCharts.ts';
import {
  createAnalysisSlice,
  filterTrials,
  importanceMeasure,
  parseFilterBound,
  type AnalysisContext,
  type AnalysisSlice,
} from './analysisSlice.ts';
import { studyMeasures } from './studyMeasures.ts';

/** Trials 0..19: trades 0..19, drawdown 1 %..20 %. */
const trials = Array.from({ length: 20 }, (_, i) =>
  trialRow(i, { metrics: { sharpeRatio: i / 10, numTrades: i, maxDrawdown: -(i + 1) / 100 } }),
);
const measure = studyMeasures(studyDetail('s1').summary)[0]!;

describe('the trial filter', () => {
  it('keeps the complete trials within every bound, and every trial without one', () => {
    expect(filterTrials(trials, { minTrades: null, maxDrawdown: null })).toBe(trials);
    const kept = filterTrials(trials, { minTrades: 5, maxDrawdown: 0.1 });
    expect(kept.map((t) => t.number)).toEqual([5, 6, 7, 8, 9]);
    const running = trialRow(20, { status: 'running', values: null, metrics: {} });
    expect(filterTrials([...trials, running], { minTrades: 0, maxDrawdown: null })).toHaveLength(20);
  });

  it('reads a bound as typed: empty is none, a drawdown is a percentage, anything else is refused', () => {
    expect(parseFilterBound('minTrades', ' ')).toBeNull();
    expect(parseFilterBound('minTrades', '12')).toBe(12);
    expect(parseFilterBound('minTrades', '1.5')).toBeUndefined();
    expect(parseFilterBound('minTrades', '-1')).toBeUndefined();
    expect(parseFilterBound('maxDrawdown', '25')).toBe(0.25);
    expect(parseFilterBound('maxDrawdown', '0')).toBeUndefined();
    expect(parseFilterBound('maxDrawdown', '120')).toBeUndefined();
  });

  it('asks for the importance of the chart measure over the filtered trials, and for the neighbourhood', async () => {
    const client = new FakeRegimenClient().handle('optimize:importance', ({ studyId }) => ({
      studyId,
      params: [{ name: 'fast', importance: 1, spread: 0 }],
      trialsUsed: 5,
      note: null,
    }));
    let state = {} as AnalysisSlice & AnalysisContext;
    const set = (patch: Partial<AnalysisSlice> | ((s: AnalysisSlice) => Partial<AnalysisSlice>)): void => {
      state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
    };
    state = { ...createAnalysisSlice(client, set, () => state), study: { id: 's1', detail: null } };
    state.setFilter({ minTrades: 5 });
    await state.loadImportance('objective-0');
    expect(client.callsTo('optimize:importance')).toEqual([
      { studyId: 's1', measure: 0, filter: { minTrades: 5, maxDrawdown: null } },
    ]);
    expect(state.importance).toMatchObject({ status: 'ready', data: { trialsUsed: 5 } });
    client.handle('optimize:neighbourhood', ({ studyId }) => ({
      studyId,
      winner: null,
      neighbours: [],
      note: 'none',
    }));
    await state.loadNeighbourhood();
    expect(client.callsTo('optimize:neighbourhood')).toEqual([{ studyId: 's1' }]);
    expect(state.neighbourhood).toMatchObject({ status: 'ready', data: { note: 'none' } });
    client.handle('optimize:neighbourhood', () => Promise.reject(new Error('study s1 is running')));
    await state.loadNeighbourhood();
    expect(state.neighbourhood).toEqual({ status: 'error', message: expect.stringContaining('running') });
    expect(importanceMeasure('score')).toBe('score');
    expect(importanceMeasure('bogus')).toBeNull();
  });
});

describe('the analysis charts', () => {
  it('colours only the top N lines of the parallel coordinates and draws the rest faint beneath', () => {
    const option = parallelOption(trials, measure, ['fast', 'slow'], 5)!;
    const series = option.series as Array<{ name: string; data: number[][]; silent?: boolean }>;
    expect(series.map((s) => [s.name, s.data.length])).toEqual([
      ['other trials', 15],
      ['top 5', 5],
    ]);
    // Best (highest Sharpe) drawn last, on top; the trial number rides along after the measure.
    expect(series[1]!.data.map((row) => row[3])).toEqual([15, 16, 17, 18, 19]);
    expect(series[0]!.silent).toBe(true);
    const all = parallelOption(trials, measure, ['fast', 'slow'], 0)!;
    expect((all.series as unknown[]).length).toBe(1);
  });

  it('interpolates the contour through the trials: a cell on a trial takes nearly its value', () => {
    const corner = [
      trialRow(0, { params: { fast: 0, slow: 0 }, values: [0] }),
      trialRow(1, { params: { fast: 10, slow: 0 }, values: [1] }),
      trialRow(2, { params: { fast: 0, slow: 10 }, values: [2] }),
      trialRow(3, { params: { fast: 10, slow: 10 }, values: [3] }),
    ];
    const grid = contourGrid(corner, measure, 'fast', 'slow', 2)!;
    // Cell centres at 2.5 and 7.5: each nearest one corner, and pulled towards it.
    const cell = (i: number, j: number) => grid.data.find((d) => d[0] === i && d[1] === j)!;
    expect(cell(0, 0)[3]).toBe(0);
    expect(cell(1, 1)[3]).toBe(3);
    expect(cell(0, 0)[2]).toBeLessThan(cell(1, 0)[2]);
    expect(cell(1, 1)[2]).toBeGreaterThan(cell(0, 1)[2]);
    expect(contourGrid(corner, measure, 'fast', 'fast')).toBeNull();
  });

  it('draws one slice panel per parameter, each point carrying its trial number', () => {
    const option = sliceOption(trials, measure, ['fast', 'slow'])!;
    const series = option.series as Array<{ data: number[][]; xAxisIndex: number }>;
    expect(series.map((s) => s.xAxisIndex)).toEqual([0, 1]);
    expect(series[0]!.data[3]).toEqual([8, 0.3, 3, 3]);
  });
});
