import { InProcessExecutor } from '../../compute/inProcess.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import type { BarsReader } from '../../marketdata/barsSource.ts';
import { PoolEvaluator, studyEvaluatorSettings } from './evaluator.ts';
import type { StoredStudy } from './studyRecords.ts';
import { loadStudyDatasets, type StudyDatasets } from './studySetup.ts';

/**
 * What re-runs a stored study's parameter sets exactly as its trials ran: the study's bars as they are now
 * (the searched part, without a holdout) and its evaluator settings (strategy version, costs, objectives,
 * timeframe aggregation). Provenance checks and the compare set both replay trials through it.
 */
export async function studyReplay(
  study: StoredStudy,
  bars: BarsReader,
  executor: TaskExecutor = new InProcessExecutor(),
): Promise<{ evaluator: PoolEvaluator; data: StudyDatasets }> {
  const definition = study.data.definition;
  const data = await loadStudyDatasets(definition, bars);
  const settings = studyEvaluatorSettings(definition, study.config.objectives);
  return { evaluator: new PoolEvaluator(executor, data, settings), data };
}
