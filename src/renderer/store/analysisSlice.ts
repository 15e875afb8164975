import type { RegimenClient } from '../../shared/client.ts';
import type {
  OptimizeImportanceResult,
  OptimizeNeighbourhoodResult,
  StudyDetail,
  TrialRow,
} from '../../shared/contract.ts';
import {
  isFiltering,
  NO_TRIAL_FILTER,
  passesTrialFilter,
  type TrialFilter,
} from '../../shared/trialFilter.ts';
import { errorMessage } from '../client/clientError.ts';
import type { Loadable } from './appStore.ts';
import { latestOnly } from './requests.ts';
import type { SliceGet, SliceSet } from './slices.ts';

/** How many of the best trials the parallel-coordinates plot draws in colour (0: every trial). */
export const TOP_N_CHOICES = [0, 10, 50, 100, 500] as const;

/**
 * The Optuna-dashboard analysis of a study: which trials to look at (the filter the table, charts and
 * importance share), how many of the best to highlight, and the parameter importance of what is left.
 */
export interface AnalysisSlice {
  filter: TrialFilter;
  topN: number;
  importance: Loadable<OptimizeImportanceResult>;
  /** The winner one grid step away in each parameter (neighbours the study lacks are run on request). */
  neighbourhood: Loadable<OptimizeNeighbourhoodResult>;
  setFilter(patch: Partial<TrialFilter>): void;
  setTopN(topN: number): void;
  /** Asks the services for the importance of `measureKey` ('score' or 'objective-<i>') over the filtered trials. */
  loadImportance(measureKey: string): Promise<void>;
  loadNeighbourhood(): Promise<void>;
}

export interface AnalysisContext {
  study: { id: string; detail: StudyDetail | null } | null;
}

/** A chart measure's key as the importance request names it. */
export function importanceMeasure(measureKey: string): 'score' | number | null {
  if (measureKey === 'score') return 'score';
  const match = /^objective-(\d+)$/.exec(measureKey);
  return match ? Number(match[1]) : null;
}

/** The trials a filter keeps: all of them without a bound, else the complete ones within every bound. */
export function filterTrials(trials: readonly TrialRow[], filter: TrialFilter): readonly TrialRow[] {
  if (!isFiltering(filter)) return trials;
  return trials.filter((t) => t.status === 'complete' && passesTrialFilter(t.metrics, filter));
}

export function createAnalysisSlice(
  client: RegimenClient,
  set: SliceSet<AnalysisSlice>,
  get: SliceGet<AnalysisSlice & AnalysisContext>,
): AnalysisSlice {
  const importanceRequest = latestOnly();
  const neighbourhoodRequest = latestOnly();
  return {
    filter: NO_TRIAL_FILTER,
    topN: 50,
    importance: { status: 'idle' },
    neighbourhood: { status: 'idle' },

    setFilter(patch) {
      set((s) => ({ filter: { ...s.filter, ...patch } }));
    },

    setTopN(topN) {
      set({ topN });
    },

    async loadImportance(measureKey) {
      const studyId = get().study?.id;
      const measure = importanceMeasure(measureKey);
      if (studyId === undefined || measure === null) return;
      const current = importanceRequest();
      set({ importance: { status: 'loading' } });
      try {
        const data = await client.invoke('optimize:importance', { studyId, measure, filter: get().filter });
        if (current()) set({ importance: { status: 'ready', data } });
      } catch (error) {
        if (current()) set({ importance: { status: 'error', message: errorMessage(error) } });
      }
    },

    async loadNeighbourhood() {
      const studyId = get().study?.id;
      if (studyId === undefined) return;
      const current = neighbourhoodRequest();
      set({ neighbourhood: { status: 'loading' } });
      try {
        const data = await client.invoke('optimize:neighbourhood', { studyId });
        if (current() && get().study?.id === studyId) set({ neighbourhood: { status: 'ready', data } });
      } catch (error) {
        if (current()) set({ neighbourhood: { status: 'error', message: errorMessage(error) } });
      }
    },
  };
}

/**
 * A filter bound as typed: empty is no bound; the minimum trade count a whole number >= 0; the maximum
 * drawdown a percentage in (0, 100]. Anything else is refused (undefined) and the bound in force stays.
 */
export function parseFilterBound(field: keyof TrialFilter, text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return undefined;
  if (field === 'minTrades') return Number.isInteger(value) && value >= 0 ? value : undefined;
  return value > 0 && value <= 100 ? value / 100 : undefined;
}
