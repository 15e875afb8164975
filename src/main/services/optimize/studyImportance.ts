/**
 * `optimize:importance`: which parameters the chosen measure depends on, over the trials the analyst's
 * filter keeps (the same filter the table and charts apply, shared/trialFilter.ts).
 */
import { paramImportance, type ScoredParams, type Study } from '../../../core/optimize/index.ts';
import type {
  OptimizeImportanceRequest,
  OptimizeImportanceResult,
} from '../../../shared/optimizeContract.ts';
import { InputError } from '../../../shared/errors.ts';
import { passesTrialFilter } from '../../../shared/trialFilter.ts';

export function studyImportance(study: Study, request: OptimizeImportanceRequest): OptimizeImportanceResult {
  const { measure, filter } = request;
  const objectives = study.config.objectives.length;
  if (measure !== 'score' && measure >= objectives) {
    throw new InputError(
      `measure ${measure} is not an objective of study ${request.studyId} (it has ${objectives}: 0..${objectives - 1})`,
      'measure',
    );
  }
  const scored: ScoredParams[] = [];
  for (const t of study.trials) {
    if (t.status !== 'complete' || t.values === null) continue;
    if (!passesTrialFilter(t.metrics ?? {}, filter)) continue;
    scored.push({ params: t.params, value: measure === 'score' ? study.score(t) : t.values[measure]! });
  }
  const result = paramImportance(study.config.space, scored);
  return {
    studyId: request.studyId,
    params: result.params.map((p) => ({ ...p })),
    trialsUsed: result.trialsUsed,
    note: result.note,
  };
}
