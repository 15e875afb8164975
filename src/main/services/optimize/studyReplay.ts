import { InProcessExecutor } from '../../compute/inProcess.ts';
import { runsUserCode } from '../../compute/userStrategies.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import type { BarsReader } from '../../marketdata/barsSource.ts';
import { IN_PROCESS_BAR_TRIALS, PoolEvaluator, studyEvaluatorSettings } from './evaluator.ts';
import type { StoredStudy } from './studyRecords.ts';
import { loadStudyDatasets, studyWarmUp, type StudyDatasets } from './studySetup.ts';

/**
 * What re-runs a stored study's parameter sets exactly as its trials ran: the study's bars as they are now
 * (the searched part, without a holdout) and its evaluator settings (strategy version, costs, objectives,
 * timeframe aggregation). Provenance checks and the compare set both replay trials through it.
 * `executor` runs a replay of many bars; one of fewer than IN_PROCESS_BAR_TRIALS runs on this thread,
 * as a small study does (a pool thread costs more to start than such a run takes), unless it runs a
 * user's code.
 */
export async function studyReplay(
  study: StoredStudy,
  barsReader: BarsReader,
  executor: TaskExecutor,
): Promise<{ evaluator: PoolEvaluator; data: StudyDatasets }> {
  const definition = study.data.definition;
  // Warmed up before the range as its trials were (a study stored before that: inside it, as they ran).
  const data = await loadStudyDatasets(
    definition,
    barsReader,
    studyWarmUp(executor, definition, study.config),
  );
  const settings = studyEvaluatorSettings(definition, study.config.objectives);
  const bars = data.datasets.reduce((sum, { ref }) => sum + ref.bars.t.length, 0);
  const small = bars < IN_PROCESS_BAR_TRIALS && !runsUserCode(settings.strategy);
  const runner = small ? new InProcessExecutor() : executor;
  return { evaluator: new PoolEvaluator(runner, data, settings), data };
}
