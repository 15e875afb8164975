/**
 * A study's per-regime mode (issue 11 item 8): once its trials are done, each complete, feasible trial is
 * scored on the bars of each regime of its first timeframe (the pool's regime-study task, the one
 * regimes:winners runs) by the study's own objective, and each regime gets its best set with enough
 * trades in it if that beats the study's winner on the regime's bars, or the winner with the reason. A
 * failure there is stored with the study as its reason; the study itself completed.
 *
 * It runs on the local pool even when the trials ran on Redis workers: the remote protocol carries trial
 * chunks (strategy reference and parameters in, one trial's metrics out), while this scoring needs the
 * detector's labels over the bars and each trial's per-bar equity split by regime, which no worker
 * computes or returns. Its cost is one more backtest per distinct feasible trial plus the labelling:
 * 200 trials on GOOG's day bars with the HMM took 2.0 s more CPU (5.1 s against 3.1 s for the study
 * alone, in-process, load 19).
 */
import type { Timeframe } from '../../../core/data/bars.ts';
import { inferTimeframe } from '../../../core/data/timeframe.ts';
import type { Study } from '../../../core/optimize/index.ts';
import type { StrategyParams } from '../../../core/strategy-api/types.ts';
import type { ComputePool } from '../../compute/pool.ts';
import { NATIVE_TIMEFRAME } from '../../marketdata/barsSource.ts';
import { regimeStudyResult } from '../regime/regimeJobs.ts';
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

/** `winner`: the study's winning trial (its best by its objective, or the plateau centre when asked for). */
export async function studyRegimeSets(
  definition: StudyDocument['definition'],
  study: Study,
  winner: number | null,
  data: StudyDatasets,
  pool: ComputePool,
  signal: AbortSignal,
): Promise<RegimeSets | undefined> {
  const settings = definition.perRegime;
  if (settings === undefined) return undefined;
  const candidates = candidatesOf(study, winner);
  if (typeof candidates === 'string') return { error: candidates };
  const { timeframe: name, ref } = data.datasets[0]!;
  const bars = ref.bars;
  // A file scored as it is: the detector's windows need its bar size.
  const timeframe = name === NATIVE_TIMEFRAME ? inferTimeframe(bars.t).timeframe : (name as Timeframe);
  if (timeframe === null)
    return { error: `cannot tell the bar size of ${data.label}: give the study a timeframe` };
  try {
    const selection = await pool.run(
      {
        kind: 'regime-study',
        bars,
        timeframe,
        detector: settings.detector,
        settings: settings.settings ?? {},
        axis: settings.axis,
        strategy: definition.strategy.name,
        candidates,
        backtest: definition.options,
        minTrades: settings.minTrades,
        minDwell: settings.minDwell,
        objective: { objectives: study.config.objectives, mode: study.mode },
        global: 0,
      },
      signal,
    );
    const context = { ...settings, symbol: data.label, timeframe, strategy: definition.strategy.name };
    return { result: regimeStudyResult(context, bars.t.length, selection) };
  } catch (error) {
    if (signal.aborted) throw error;
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
