/**
 * A study's per-regime mode (issue 11 item 8): once its trials are done, each complete, feasible trial is
 * scored on the bars of each regime, on every timeframe of the study (each labelled by the detector on
 * its own bars), by the study's own objective, the timeframes combined as the study combines a trial's;
 * each regime gets its best set with enough trades in it if that beats the study's winner on the
 * regime's bars, or the winner with the reason. A failure there is stored with the study as its reason;
 * the study itself completed.
 *
 * The labels are computed here (the local pool); the trials run again where the study's trials ran (the
 * evaluator: the local pool, or Redis workers that get the labels and return per-regime metrics, not
 * per-bar equity). That is one more backtest per distinct feasible trial and timeframe: on the local
 * pool, 200 trials on GOOG's day bars with the HMM took 2.0 s more CPU (5.1 s against 3.1 s for the study
 * alone, in-process, load 19).
 */
import type { Timeframe } from '../../../core/data/bars.ts';
import { inferTimeframe } from '../../../core/data/timeframe.ts';
import type { MetricSet, Study } from '../../../core/optimize/index.ts';
import type { StrategyParams } from '../../../core/strategy-api/types.ts';
import { candidateScores, selectRegimeSets } from '../../../core/regime/perRegime.ts';
import { regimeSchedule } from '../../../core/regime/switched.ts';
import type { ComputePool } from '../../compute/pool.ts';
import { NATIVE_TIMEFRAME } from '../../marketdata/barsSource.ts';
import { regimeStudyResult } from '../regime/regimeJobs.ts';
import { combineDatasets, studyEvaluatorSettings, type Evaluator } from './evaluator.ts';
import type { StudyDocument } from './studyRecords.ts';
import type { StudyDatasets } from './studySetup.ts';

type RegimeSets = NonNullable<StudyDocument['regimeSets']>;

/**
 * The distinct parameter sets of the trials that could win, the winner's first (the global set), or why
 * they cannot be scored per regime.
 */
function candidatesOf(study: Study, winner: number | null): StrategyParams[] | string {
  const seen = new Map<string, StrategyParams>();
  const won = study.trials.filter((t) => t.number === winner);
  for (const trial of [...won, ...study.trials]) {
    if (trial.status !== 'complete' || trial.feasible === false) continue;
    const params: Record<string, number> = {};
    for (const [name, value] of Object.entries(trial.params)) {
      if (typeof value !== 'number')
        return `parameter "${name}" of trial #${trial.number} is ${JSON.stringify(value)}: a strategy's sets are numbers`;
      params[name] = value;
    }
    const key = JSON.stringify(params);
    if (!seen.has(key)) seen.set(key, params);
  }
  if (seen.size === 0) return 'no complete trial with enough trades to score per regime';
  if (won.length === 0 || won[0]!.status !== 'complete' || won[0]!.feasible === false)
    return `the study's winner (trial #${winner}) is not a complete feasible trial`;
  return [...seen.values()];
}

/**
 * `winner`: the study's winning trial (its best by its objective, or the plateau centre when asked for);
 * `evaluator`: where its trials ran (the scoring runs there too).
 */
export async function studyRegimeSets(
  definition: StudyDocument['definition'],
  study: Study,
  winner: number | null,
  data: StudyDatasets,
  pool: ComputePool,
  evaluator: Evaluator,
  signal: AbortSignal,
): Promise<RegimeSets | undefined> {
  const settings = definition.perRegime;
  if (settings === undefined) return undefined;
  const candidates = candidatesOf(study, winner);
  if (typeof candidates === 'string') return { error: candidates };
  const timeframes: Timeframe[] = [];
  for (const { timeframe: name, ref } of data.datasets) {
    // A file scored as it is: the detector's windows need its bar size.
    const timeframe = name === NATIVE_TIMEFRAME ? inferTimeframe(ref.bars.t).timeframe : (name as Timeframe);
    if (timeframe === null)
      return { error: `cannot tell the bar size of ${data.label}: give the study a timeframe` };
    timeframes.push(timeframe);
  }
  try {
    const schedules = await Promise.all(
      data.datasets.map(async ({ ref }, d) => {
        const { labels } = await pool.run(
          {
            kind: 'regime-labels',
            bars: ref.bars,
            timeframe: timeframes[d]!,
            detector: settings.detector,
            settings: settings.settings ?? {},
            axes: [settings.axis],
          },
          signal,
        );
        return regimeSchedule(labels[settings.axis], settings.minDwell);
      }),
    );
    const runs = await evaluator.regimeScores(candidates, schedules, signal);
    const objective = { objectives: study.config.objectives, mode: study.mode };
    const evaluated = studyEvaluatorSettings(definition, study.config.objectives);
    const combine = (metrics: readonly MetricSet[], tradeCount: string): MetricSet =>
      combineDatasets(data, evaluated, metrics, tradeCount).metrics;
    const scores = candidates.map((params, i) => {
      const scored = runs[i]!;
      if (typeof scored === 'string')
        throw new Error(`per-regime scoring of ${JSON.stringify(params)} failed: ${scored}`);
      return candidateScores(params, scored, objective, combine);
    });
    const selection = selectRegimeSets(scores, { minTrades: settings.minTrades, objective, global: 0 });
    const context = {
      ...settings,
      symbol: data.label,
      timeframe: timeframes[0]!,
      ...(timeframes.length > 1 ? { timeframes } : {}),
      strategy: definition.strategy.name,
    };
    return { result: regimeStudyResult(context, data.datasets[0]!.ref.bars.t.length, selection) };
  } catch (error) {
    if (signal.aborted) throw error;
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
