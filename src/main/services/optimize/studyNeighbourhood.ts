/**
 * `optimize:neighbourhood` (issue 15 item 8): the winner's results when each parameter moves one grid
 * step down and up (core's `neighbourhood`: bounds and constraints respected). Neighbours the study ran
 * are read from its trials; the others are run now on the study's own data and settings, and not stored
 * (they are not trials the sampler asked for).
 */
import {
  neighbourhood,
  objectiveValues,
  paramsKey,
  type Params,
  type Study,
  type TellResult,
  type TrialRecord,
} from '../../../core/optimize/index.ts';
import type { OptimizeNeighbourhoodResult } from '../../../shared/optimizeContract.ts';
import { finiteOrNull } from '../payloads.ts';
import { trialRow } from './studyViews.ts';

type NeighbourRow = OptimizeNeighbourhoodResult['neighbours'][number];

const finiteRecord = (metrics: Readonly<Record<string, number>>): Record<string, number | null> =>
  Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, finiteOrNull(v)]));

export async function studyNeighbourhood(
  studyId: string,
  study: Study,
  winner: TrialRecord | undefined,
  run: (paramSets: readonly Params[]) => Promise<TellResult[]>,
): Promise<OptimizeNeighbourhoodResult> {
  if (winner === undefined)
    return {
      studyId,
      winner: null,
      neighbours: [],
      note: 'no feasible trial yet: there is no winner to move',
    };
  const space = study.config.space;
  const ran = new Map<string, TrialRecord>();
  for (const t of study.trials)
    if (t.status === 'complete' || t.status === 'failed') ran.set(paramsKey(space, t.params), t);
  const near = neighbourhood(space, winner.params);
  const missing = near.filter((n) => !ran.has(paramsKey(space, n.params)));
  const results = missing.length > 0 ? await run(missing.map((n) => n.params)) : [];
  const fresh = new Map(missing.map((n, i) => [paramsKey(space, n.params), results[i]!]));
  const neighbours = near.map((n): NeighbourRow => {
    const key = paramsKey(space, n.params);
    const base = { param: n.param, direction: n.direction, value: n.params[n.param]! };
    const trial = ran.get(key);
    if (trial !== undefined) {
      const row = trialRow(trial);
      return {
        ...base,
        trialNumber: trial.number,
        status: row.status,
        values: row.values,
        metrics: row.metrics,
        error: row.error,
      };
    }
    const result = fresh.get(key)!;
    if (result.status !== 'complete' || result.metrics === undefined)
      return {
        ...base,
        trialNumber: null,
        status: 'failed',
        values: null,
        metrics: {},
        error: result.status === 'failed' ? result.error : 'no metrics',
      };
    return {
      ...base,
      trialNumber: null,
      status: 'complete',
      values: objectiveValues(study.config.objectives, result.metrics).map(finiteOrNull),
      metrics: finiteRecord(result.metrics),
      error: null,
    };
  });
  return {
    studyId,
    winner: trialRow(winner),
    neighbours,
    note: near.length === 0 ? 'every parameter is fixed or boxed in by its bounds and constraints' : null,
  };
}
