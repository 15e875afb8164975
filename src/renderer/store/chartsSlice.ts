import type { StudyDetail } from '../../shared/contract.ts';
import type { SliceSet } from './slices.ts';
import { studyMeasures } from './studyMeasures.ts';

export type HeatAggregate = 'best' | 'mean';

export interface ChartChoices {
  /** Key of the measure the convergence chart, heatmap, parallel axes and table colour by. */
  measure: string | null;
  heatX: string | null;
  heatY: string | null;
  heatAggregate: HeatAggregate;
  paretoA: string | null;
  paretoB: string | null;
  /** The parameter the objective-response chart plots along (single-objective studies). */
  response: string | null;
  /** The two parameters of the contour plot (the analysis charts). */
  contourX: string | null;
  contourY: string | null;
  /** Which charts the centre shows: the live search, or the analysis of its trials. */
  tab: 'search' | 'analysis';
}

export interface TableSort {
  /** '#', 'm:<measure key>', 'p:<param>', or 'x:<metric>'. */
  key: string;
  descending: boolean;
}

/** What the charts plot and how the trial table is sorted. */
export interface ChartsSlice {
  charts: ChartChoices;
  sort: TableSort;
  setCharts(patch: Partial<ChartChoices>): void;
  sortBy(key: string): void;
}

export function createChartsSlice(set: SliceSet<ChartsSlice>): ChartsSlice {
  return {
    charts: {
      measure: null,
      heatX: null,
      heatY: null,
      heatAggregate: 'best',
      paretoA: null,
      paretoB: null,
      response: null,
      contourX: null,
      contourY: null,
      tab: 'search',
    },
    sort: { key: 'm:auto', descending: true },

    setCharts(patch) {
      set((s) => ({ charts: { ...s.charts, ...patch } }));
    },

    sortBy(key) {
      set((s) => ({
        sort: s.sort.key === key ? { key, descending: !s.sort.descending } : { key, descending: key !== '#' },
      }));
    },
  };
}

/**
 * The choices for a study: its first measure, its first two searched parameters and its first two
 * objectives. Re-reading the same study (`sameStudy`) keeps what the trader picked; parameters chosen
 * for another study are kept where this one has them too, but measures are positions in a study's own
 * objective list, so they never carry over.
 */
export function defaultCharts(detail: StudyDetail, current: ChartChoices, sameStudy: boolean): ChartChoices {
  const measures = studyMeasures(detail.summary);
  const ranged = detail.config.space
    .filter((p) => (p.kind === 'categorical' ? p.choices.length > 1 : p.low < p.high))
    .map((p) => p.name);
  const names = detail.config.space.map((p) => p.name);
  const keep = (value: string | null, allowed: string[], fallback: string | null): string | null =>
    value !== null && allowed.includes(value) ? value : fallback;
  const measureKeys = sameStudy ? measures.map((m) => m.key) : [];
  const objectiveKeys = measures.map((m) => m.key).filter((k) => k.startsWith('objective-'));
  const paretoA = keep(sameStudy ? current.paretoA : null, objectiveKeys, objectiveKeys[0] ?? null);
  const paretoB = keep(sameStudy ? current.paretoB : null, objectiveKeys, objectiveKeys[1] ?? null);
  return {
    measure: keep(current.measure, measureKeys, measures[0]?.key ?? null),
    heatX: keep(current.heatX, names, ranged[0] ?? names[0] ?? null),
    heatY: keep(current.heatY, names, ranged[1] ?? names[1] ?? ranged[0] ?? null),
    heatAggregate: current.heatAggregate,
    paretoA,
    // Both axes on one objective plots a line and calls one trial the front.
    paretoB: paretoB === paretoA ? (objectiveKeys.find((k) => k !== paretoA) ?? null) : paretoB,
    response: keep(current.response, names, ranged[0] ?? names[0] ?? null),
    contourX: keep(current.contourX, names, ranged[0] ?? names[0] ?? null),
    contourY: keep(current.contourY, names, ranged[1] ?? names[1] ?? ranged[0] ?? null),
    tab: current.tab,
  };
}
