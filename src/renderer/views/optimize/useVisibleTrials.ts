import { useMemo } from 'react';
import type { TrialRow } from '../../../shared/contract.ts';
import { filterTrials } from '../../store/analysisSlice.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';

/** The study's trials the filter keeps: what the table and every chart show. */
export function useVisibleTrials(): readonly TrialRow[] {
  const trials = useOptimize((s) => s.trials);
  const filter = useOptimize((s) => s.filter);
  return useMemo(() => filterTrials(trials, filter), [trials, filter]);
}
