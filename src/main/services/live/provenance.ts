import { verifyParameterSet, type ParameterSet } from '../../../core/live/parameterSet.ts';
import { strategyMismatch } from '../../../core/live/strategyMatch.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import { InputError, NotFoundError } from '../../../shared/errors.ts';
import type { ProvenanceVerdict } from '../../../shared/liveContract.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { StudyRecords } from '../optimize/studyRecords.ts';
import { studyReplay } from '../optimize/studyReplay.ts';
import { ENGINE_VERSION, studyFingerprint, studyStrategy } from './studyProposal.ts';

/** A reproduced metric matches when within this of the recorded one, relative to its size (or 1). */
export const METRIC_TOLERANCE = 1e-9;

/**
 * Re-runs a parameter set's provenance: the study's trial with the set's parameters, on the study's data
 * as it is now, with this engine, and says exactly what differs from what the artifact recorded: the
 * artifact's own hash, the trial's seed and parameters, the data (both fingerprints), the engine version
 * and each expected metric (recorded, reproduced, difference). Only a study's set can be re-run; a
 * learner's or a manual one is refused in words. `executor` (the pool) runs a long study's or a user
 * strategy's trial: main never runs a user's code.
 */
export async function verifyProvenance(
  records: StudyRecords,
  bars: BarsRepository,
  set: ParameterSet,
  executor: TaskExecutor,
): Promise<ProvenanceVerdict> {
  const provenance = set.provenance;
  if (provenance.kind !== 'study')
    throw new InputError(
      `the set's provenance is ${provenance.kind}: only a study trial's set can be re-run`,
      'set.provenance',
    );
  const differences: string[] = [];
  if (!verifyParameterSet(set))
    differences.push(`artifact: its hash ${set.hash} is not the hash of its content`);
  // Only "no such study" is the artifact's fault; a read that fails otherwise keeps its own error.
  const study = await records.get(provenance.studyId).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError(`no study ${provenance.studyId} in this data folder`, 'set.provenance.studyId');
  });
  const trial = (await records.loadTrials(provenance.studyId)).find((t) => t.number === provenance.trial);
  if (trial === undefined)
    throw new NotFoundError(
      `study ${provenance.studyId} has no trial ${provenance.trial}`,
      'set.provenance.trial',
    );
  const strategy = strategyMismatch(set.strategy, [studyStrategy(study)], `study ${study.id}`);
  if (strategy !== undefined) differences.push(strategy);
  if (trial.seed !== provenance.seed)
    differences.push(`seed: recorded ${provenance.seed}, the trial's is ${trial.seed}`);
  for (const [name, value] of Object.entries(set.parameters))
    if (trial.params[name] !== value)
      differences.push(
        `parameter ${name}: the set has ${value}, trial ${trial.number} ran ${String(trial.params[name])}`,
      );
  for (const [name, value] of Object.entries(trial.params))
    if (!Object.hasOwn(set.parameters, name))
      differences.push(`parameter ${name}: the set has none, trial ${trial.number} ran ${String(value)}`);

  const fingerprint = await studyFingerprint(study.data.definition, bars);
  if (fingerprint !== provenance.dataFingerprint)
    differences.push(`data changed: recorded fingerprint ${provenance.dataFingerprint}, now ${fingerprint}`);
  if (ENGINE_VERSION !== provenance.engineVersion)
    differences.push(`engine version: recorded ${provenance.engineVersion}, this is ${ENGINE_VERSION}`);

  const { evaluator } = await studyReplay(study, bars, executor);
  const [result] = await evaluator.evaluateMany([set.parameters]);
  const reproduced = result?.status === 'complete' ? (result.metrics ?? {}) : {};
  if (result?.status === 'failed') differences.push(`re-run failed: ${result.error}`);
  const metrics = Object.entries(provenance.expected)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, recorded]) => {
      const again = reproduced[name];
      const value = again === undefined || !Number.isFinite(again) ? null : again;
      const difference = value === null ? null : value - recorded;
      const matches =
        difference !== null && Math.abs(difference) <= METRIC_TOLERANCE * Math.max(1, Math.abs(recorded));
      if (!matches)
        differences.push(
          `metric ${name}: recorded ${recorded}, reproduced ${value ?? 'nothing'}` +
            (difference === null ? '' : ` (difference ${difference})`),
        );
      return { name, recorded, reproduced: value, difference, matches };
    });
  return {
    ok: differences.length === 0,
    hash: set.hash,
    studyId: provenance.studyId,
    trial: provenance.trial,
    dataFingerprint: { recorded: provenance.dataFingerprint, now: fingerprint },
    engineVersion: { recorded: provenance.engineVersion, now: ENGINE_VERSION },
    metrics,
    differences,
  };
}
