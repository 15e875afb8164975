/**
 * The contract's views of a study (summary, detail, trial rows, progress): pure mappings from what is
 * stored and, for a study running in this process, from its live state. NaN and ±Infinity become null.
 */
import { commissionRateOf } from '../../../core/engine/index.ts';
import {
  defaultMode,
  isWipedOut,
  wipedOutSlices,
  type Study,
  type TrialRecord,
} from '../../../core/optimize/index.ts';
import type {
  SpaceParam,
  StudyDetail,
  StudyState,
  StudySummary,
  TrialRow,
} from '../../../shared/optimizeContract.ts';
import { finiteOrNull } from '../payloads.ts';
import type { StoredStudy, StudyDocument, StudyProgressRecord } from './studyRecords.ts';
import { studySlices, studySymbols } from './studySetup.ts';

export function trialRow(t: TrialRecord): TrialRow {
  return {
    number: t.number,
    params: { ...t.params },
    status: t.status,
    values: t.values === null ? null : t.values.map(finiteOrNull),
    metrics: Object.fromEntries(Object.entries(t.metrics ?? {}).map(([k, v]) => [k, finiteOrNull(v)])),
    feasible: t.status === 'complete' ? (t.feasible ?? null) : null,
    wipedOut: t.status === 'complete' && isWipedOut(t.metrics ?? {}),
    wipedOutOn: t.status === 'complete' ? wipedOutSlices(t.metrics ?? {}) : [],
    error: t.error ?? null,
    seed: t.seed,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
  };
}

/** The trial that wins: the stored winner of a finished study (plateau centre), else the best so far. */
export function winnerOf(document: StudyDocument, study: Study): TrialRecord | undefined {
  if (document.winner !== undefined && document.winner !== null) {
    const t = study.trial(document.winner);
    if (t !== undefined && t.status === 'complete') return t;
  }
  return study.best();
}

/** The row-level progress of a study, from its trials (written with every batch and at the end). */
export function progressOf(document: StudyDocument, study: Study, updatedAt: number): StudyProgressRecord {
  const counts = study.counts();
  const best = winnerOf(document, study);
  return {
    trialsDone: counts.total - counts.running,
    failed: counts.failed,
    trialsTotal: study.config.maxTrials ?? counts.total,
    bestValue: best === undefined ? null : finiteOrNull(study.score(best)),
    exhausted: study.isDone() && counts.total > 0,
    updatedAt,
  };
}

/**
 * A study's summary from its row alone (so a list reads no trial): `progress` is the row's, or the live
 * one of a study running in this process.
 */
export function studySummary(
  row: StoredStudy,
  progress: StudyProgressRecord,
  running: boolean,
): StudySummary {
  const { definition } = row.data;
  let state: StudyState;
  if (running) state = 'running';
  else if (row.data.state !== undefined) state = row.data.state;
  else state = progress.exhausted ? 'complete' : 'paused';
  const { objectives } = row.config;
  return {
    id: row.id,
    name: row.name,
    note: row.note,
    strategy: row.strategy,
    symbol: definition.source.kind === 'cache' ? definition.source.symbol : definition.source.path,
    ...(studySymbols(definition.source).length > 1 ? { symbols: [...studySymbols(definition.source)] } : {}),
    timeframes: definition.timeframes.filter(
      (tf): tf is StudySummary['timeframes'][number] => tf !== 'native',
    ),
    ...(definition.session === undefined ? {} : { session: definition.session }),
    sampler: row.config.sampler.kind,
    objectives: objectives.map((o) => ({
      metric: o.metric,
      direction: o.direction,
      ...(o.weight === undefined ? {} : { weight: o.weight }),
    })),
    mode: row.config.mode ?? defaultMode(objectives),
    seed: row.config.seed,
    state,
    trialsDone: progress.trialsDone,
    trialsTotal: progress.trialsTotal,
    bestValue: progress.bestValue,
    createdAt: row.createdAt,
    updatedAt: row.data.finishedAt ?? Math.max(row.createdAt, progress.updatedAt),
  };
}

/** Which trials a detail carries: a page of them in number order (`limit` 0: none). */
export interface TrialPage {
  readonly offset: number;
  readonly limit: number;
}

export function studyDetail(
  row: StoredStudy,
  study: Study,
  progress: StudyProgressRecord,
  running: boolean,
  page: TrialPage,
): StudyDetail {
  const definition = row.data.definition;
  const best = winnerOf(row.data, study);
  const several = row.config.objectives.length > 1;
  const { kind, ...samplerOptions } = row.config.sampler;
  const trials = study.trials;
  return {
    summary: studySummary(row, progress, running),
    config: {
      space: row.config.space.params.map((p): SpaceParam =>
        p.kind === 'categorical' ? { ...p, choices: [...p.choices] } : { ...p },
      ),
      constraints: row.config.space.constraints.map((c) => c.source),
      sampler: {
        kind,
        options: Object.fromEntries(
          Object.entries(samplerOptions).filter((e): e is [string, number] => typeof e[1] === 'number'),
        ),
      },
      minTrades: row.config.minTrades ?? 0,
      cash: definition.options.cash ?? 10_000,
      commission: commissionRateOf(definition.options.commission),
      start: definition.start,
      end: definition.end,
      aggregation: definition.aggregation,
      ...(definition.weights === undefined ? {} : { weights: { ...definition.weights } }),
      ...(definition.symbolWeights === undefined ? {} : { symbolWeights: { ...definition.symbolWeights } }),
      slices: slicesOf(definition),
      preferPlateau: definition.preferPlateau,
    },
    trials: trials.slice(page.offset, page.offset + page.limit).map(trialRow),
    trialsPage: { offset: page.offset, limit: page.limit, total: trials.length },
    best: best === undefined ? null : trialRow(best),
    paretoFront: several ? study.paretoFront().map((t) => t.number) : [],
    hypervolume: several ? finiteOrNull(study.hypervolume()) : null,
    overfitting: row.data.report ?? null,
    perRegime: regimeSetsOf(row.data),
    holdout: row.data.holdout ?? null,
    warmUp: row.data.warmUp ?? null,
    approved:
      row.approvedParams === null
        ? null
        : { params: row.approvedParams, approvedAt: row.approvedAt ?? row.createdAt },
  };
}

/** The slices of a study's detail: none for a study of one. */
function slicesOf(definition: StudyDocument['definition']): StudyDetail['config']['slices'] {
  const slices = studySlices(definition);
  return slices.length < 2
    ? []
    : slices.map(({ label, symbol, timeframe }) => ({ key: label, symbol, timeframe }));
}

/** The per-regime part of a study's detail: its settings, and its sets or the reason there are none. */
function regimeSetsOf(document: StoredStudy['data']): StudyDetail['perRegime'] {
  const settings = document.definition.perRegime;
  if (settings === undefined) return null;
  const sets = document.regimeSets;
  return {
    settings,
    result: sets !== undefined && 'result' in sets ? sets.result : null,
    error: sets !== undefined && 'error' in sets ? sets.error : null,
  };
}
