import { describe, expect, it } from 'vitest';
import { studyDetail } from '../../../test/support/fakeRegimenClient.ts';
import { createChartsSlice, defaultCharts, type ChartChoices, type ChartsSlice } from './chartsSlice.ts';

const single = studyDetail('single');
const pareto = studyDetail('pareto', {
  summary: {
    ...studyDetail('pareto').summary,
    mode: 'pareto',
    objectives: [
      { metric: 'sharpeRatio', direction: 'maximize' },
      { metric: 'maxDrawdown', direction: 'minimize' },
    ],
  },
});
const initial = (): ChartChoices => createChartsSlice(() => {}).charts;

describe('chart choices', () => {
  it('a Pareto study opened after a single-objective one plots its first two objectives', () => {
    const afterSingle = defaultCharts(single, initial(), false);
    expect([afterSingle.paretoA, afterSingle.paretoB]).toEqual(['objective-0', null]);
    const charts = defaultCharts(pareto, afterSingle, false);
    expect([charts.paretoA, charts.paretoB]).toEqual(['objective-0', 'objective-1']);
  });

  it('re-reading the same study keeps the axes the trader picked, never one objective on both', () => {
    const picked = {
      ...defaultCharts(pareto, initial(), false),
      paretoA: 'objective-1',
      paretoB: 'objective-0',
    };
    expect(defaultCharts(pareto, picked, true)).toMatchObject({
      paretoA: 'objective-1',
      paretoB: 'objective-0',
    });
    const same = { ...picked, paretoB: 'objective-1' };
    expect(defaultCharts(pareto, same, true)).toMatchObject({
      paretoA: 'objective-1',
      paretoB: 'objective-0',
    });
  });

  it('parameters chosen for another study stay where this one has them', () => {
    const charts = defaultCharts(
      single,
      { ...initial(), heatX: 'slow', heatY: 'fast', response: 'nope' },
      false,
    );
    expect([charts.heatX, charts.heatY, charts.response]).toEqual(['slow', 'fast', 'fast']);
  });

  it('sorting the same column again flips it; a new column sorts descending except the trial number', () => {
    let state: ChartsSlice;
    const slice = createChartsSlice((patch) => {
      state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
    });
    state = slice;
    slice.sortBy('p:fast');
    expect(state.sort).toEqual({ key: 'p:fast', descending: true });
    slice.sortBy('p:fast');
    expect(state.sort).toEqual({ key: 'p:fast', descending: false });
    slice.sortBy('#');
    expect(state.sort).toEqual({ key: '#', descending: false });
  });
});
