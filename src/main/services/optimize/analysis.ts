/**
 * What a finished study reports beyond its best trial: the deflated Sharpe ratio of the winner given the
 * number of trials, the probability of backtest overfitting (CSCV) over the per-period returns of the
 * best trials (kept by the evaluator from the trials' own runs, or run again: the store keeps metrics only), the
 * sensitivity of the winner to one step of each parameter, and optionally the plateau centre.
 */
import {
  objectiveValues,
  PBO_PARTITIONS,
  pboReturns,
  scalarScore,
  selectWinner,
  sensitivityFromTrials,
  studyOverfitting,
  type OverfittingOptions,
  type Params,
  type Study,
  type TrialRecord,
} from '../../../core/optimize/index.ts';
import { neighbourhood } from '../../../core/optimize/sensitivity.ts';
import { paramsKey } from '../../../core/optimize/space.ts';
import type { OverfittingStats } from '../../../shared/optimizeContract.ts';
import { finiteOrNull } from '../payloads.ts';
import type { Evaluator } from './evaluator.ts';

/** Columns of the PBO matrix: the best trials by score (the statistic is about the selection among them). */
const PBO_MAX_TRIALS = 200;

export interface StudyAnalysis {
  readonly report: OverfittingStats;
  /** The trial chosen as the winner (the plateau centre when asked for); null without a feasible trial. */
  readonly winner: number | null;
}

export async function analyseStudy(
  study: Study,
  evaluator: Pick<Evaluator, 'periodReturns' | 'evaluateMany'>,
  options: {
    readonly preferPlateau: boolean;
    /**
     * The periods a year the trials' Sharpe ratios were annualised with (the study's first timeframe, as
     * `annualizationOf` infers it): the deflated Sharpe de-annualises with it, so monthly bars are not
     * taken for 252 trading days a year.
     */
    readonly periodsPerYear: number;
    readonly signal?: AbortSignal;
  },
): Promise<StudyAnalysis> {
  const notes: string[] = [];
  const choice = selectWinner(study, { preferPlateau: options.preferPlateau });
  const winner: TrialRecord | undefined = choice?.trial;
  const feasible = study.feasibleTrials();
  const scored = feasible.map((t) => ({ trial: t, score: study.score(t) }));

  // PBO over the top trials by score (the winner always among them).
  let pbo: OverfittingStats['pbo'] = null;
  let returns: OverfittingOptions['returns'];
  const top = [...scored]
    .filter((s) => Number.isFinite(s.score))
    .sort((a, b) => b.score - a.score || a.trial.number - b.trial.number)
    .slice(0, PBO_MAX_TRIALS)
    .map((s) => s.trial);
  if (winner !== undefined && !top.includes(winner)) top[top.length - 1] = winner;
  if (top.length < 2)
    notes.push(`PBO needs at least 2 feasible trials with a finite score (have ${top.length})`);
  else {
    const series = await evaluator.periodReturns(top, options.signal);
    const input = pboReturns(series);
    if ('note' in input) notes.push(input.note);
    else returns = input.returns;
  }
  const overfitting = studyOverfitting(study, {
    periodsPerYear: options.periodsPerYear,
    ...(winner === undefined ? {} : { winner }),
    ...(returns === undefined ? {} : { returns }),
  });
  if (overfitting.pbo !== null && returns !== undefined) {
    const r = overfitting.pbo;
    pbo = {
      pbo: r.pbo,
      probabilityOfLoss: r.probabilityOfLoss,
      degradationSlope: finiteOrNull(r.degradationSlope),
      combinations: r.combinations,
      trialsUsed: returns.cols,
      periods: r.rowsUsed,
      partitions: returns.partitions ?? PBO_PARTITIONS,
      logits: Array.from(r.logits, finiteOrNull),
    };
  }

  // Sensitivity: one step of each parameter around the winner; neighbours the study never ran are run now.
  let sensitivity: OverfittingStats['sensitivity'] = null;
  if (winner !== undefined) {
    const space = study.config.space;
    const known = new Map<string, { params: Params; score: number }>();
    for (const t of study.trials)
      if (t.status === 'complete')
        known.set(paramsKey(space, t.params), { params: t.params, score: study.score(t) });
    const missing: Params[] = neighbourhood(space, winner.params)
      .map((n) => n.params)
      .filter((p) => !known.has(paramsKey(space, p)));
    if (missing.length > 0) {
      const results = await evaluator.evaluateMany(missing, options.signal);
      results.forEach((result, i) => {
        if (result.status !== 'complete' || result.metrics === undefined) return;
        const params = missing[i]!;
        known.set(paramsKey(space, params), {
          params,
          score: scalarScore(
            study.config.objectives,
            study.mode,
            objectiveValues(study.config.objectives, result.metrics),
          ),
        });
      });
    }
    const trials = [...known.values()];
    const result = sensitivityFromTrials(space, winner.params, study.score(winner), trials);
    sensitivity = {
      baseScore: finiteOrNull(result.baseScore),
      worstDrop: finiteOrNull(result.worstDrop),
      meanDrop: finiteOrNull(result.meanDrop),
      relativeWorstDrop: finiteOrNull(result.relativeWorstDrop),
      perParam: result.perParam.map((p) => ({
        name: p.name,
        down: p.down === null ? null : finiteOrNull(p.down),
        up: p.up === null ? null : finiteOrNull(p.up),
        worstDrop: finiteOrNull(p.worstDrop),
      })),
      missing: result.missing.length,
    };
    if (study.mode === 'pareto') notes.push('sensitivity and plateau use the first objective (pareto mode)');
  }

  let plateau: OverfittingStats['plateau'] = null;
  if (choice?.plateau !== undefined) {
    const p = choice.plateau;
    plateau = {
      centre: feasible[p.index]!.number,
      peak: feasible[p.peakIndex]!.number,
      smoothed: finiteOrNull(p.smoothed),
      neighbours: p.neighbours,
      fellBackToPeak: p.fellBackToPeak,
    };
    if (p.fellBackToPeak)
      notes.push('no trial had enough evaluated neighbours for a plateau: the peak is kept');
  }

  return {
    winner: winner?.number ?? null,
    report: {
      deflatedSharpe: {
        trials: overfitting.trials,
        sharpe:
          winner?.metrics?.['sharpeRatio'] === undefined ? null : finiteOrNull(winner.metrics['sharpeRatio']),
        sharpeVariance: finiteOrNull(overfitting.sharpeVariance),
        deflatedSharpe: finiteOrNull(overfitting.deflatedSharpe),
      },
      pbo,
      sensitivity,
      plateau,
      notes,
    },
  };
}
