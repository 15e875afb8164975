import { annualizationOf } from '../../../core/metrics/index.ts';
import { Study, studyOverfitting, type StudyConfig, type TrialRecord } from '../../../core/optimize/index.ts';

/**
 * A trial's deflated Sharpe ratio among its study's trials, as the study's report gives its winner's: a
 * trial's own run measures it as NaN (alone, it knows neither how many trials it was chosen from nor the
 * variance of their Sharpe ratios). With why it cannot be computed, when it cannot.
 */
export function trialDeflatedSharpe(
  config: StudyConfig,
  trials: readonly TrialRecord[],
  trial: TrialRecord,
  searchedTimes: Float64Array,
): { value: number; note: string | null } {
  const { periodsPerYear } = annualizationOf(searchedTimes);
  const { trials: counted, deflatedSharpe } = studyOverfitting(Study.restore(config, trials), {
    winner: trial,
    periodsPerYear,
  });
  if (Number.isFinite(deflatedSharpe)) return { value: deflatedSharpe, note: null };
  const sharpe = trial.metrics?.['sharpeRatio'];
  const why =
    sharpe === undefined || !Number.isFinite(sharpe)
      ? 'the trial has no Sharpe ratio (no return varied)'
      : counted < 2
        ? `it needs the Sharpe ratios of at least 2 of the study's trials, and ${counted} had one`
        : "its trials' Sharpe ratios did not vary";
  return { value: NaN, note: `deflated Sharpe n/a: ${why}` };
}
