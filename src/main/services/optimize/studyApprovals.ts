/**
 * The approval desk: the parameter set a trader approves for the live bot, one per study (approving
 * again replaces it). Kept apart from running studies: the live integration reads and audits approvals
 * without the optimizer.
 */
import { getStrategy, validateParams, withDefaults } from '../../../core/strategy/index.ts';
import type { Approval, OptimizeApproveRequest } from '../../../shared/optimizeContract.ts';
import { InputError } from '../../../shared/errors.ts';
import type { StudyRecords } from './studyRecords.ts';

/** Approves `request`'s parameters; its reads and write go ahead of the reads waiting for the database. */
export function approveParams(
  records: StudyRecords,
  request: OptimizeApproveRequest,
): Promise<{ studyId: string; approved: Approval }> {
  return records.promptly(() => approve(records, request));
}

async function approve(
  records: StudyRecords,
  request: OptimizeApproveRequest,
): Promise<{ studyId: string; approved: Approval }> {
  const row = await records.get(request.studyId);
  const strategy = getStrategy(row.strategy);
  if (request.trialNumber !== undefined) {
    const trials = await records.loadTrials(request.studyId);
    const trial = trials.find((t) => t.number === request.trialNumber);
    if (trial === undefined || trial.status !== 'complete')
      throw new InputError(
        `study ${request.studyId} has no complete trial ${request.trialNumber}`,
        'trialNumber',
      );
    for (const [name, value] of Object.entries(trial.params))
      if (request.params[name] !== value)
        throw new InputError(
          `params.${name} = ${request.params[name]} differs from trial ${trial.number} (${String(value)})`,
          `params.${name}`,
        );
  }
  let params: Record<string, number>;
  try {
    params = withDefaults(strategy, validateParams(strategy, request.params));
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error), 'params');
  }
  await records.approve(request.studyId, params);
  const stored = await records.get(request.studyId);
  return { studyId: request.studyId, approved: { params, approvedAt: stored.approvedAt ?? Date.now() } };
}
