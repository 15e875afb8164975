/**
 * What a study stores besides core's StudyConfig and its trials, as versioned zod schemas: the document
 * (the definition it was started with, and how it ended) and the row's progress (counts and best so
 * far, so listing studies reads one row per study). Every read is parsed: a document written by another
 * version, or damaged on disk, fails with the field that is wrong instead of flowing on as a cast.
 */
import { z } from 'zod';
import type { SliceAggregation } from '../../../core/optimize/index.ts';
import { getStrategy, isStrategyName } from '../../../core/strategy/index.ts';
import { commissionSpecSchema, financingSpecSchema, slippageSpecSchema } from '../../../shared/costs.ts';
import { HoldoutInput, OverfittingStats, StudyHoldout } from '../../../shared/optimizeContract.ts';
import { PerRegimeSettings, RegimeStudyResult } from '../../../shared/regimeContract.ts';
import { strategyRefSchema } from '../../../shared/schemas.ts';
import type { Database } from '../../store/database.ts';
import { StudiesRepository, type StudyRow } from '../../store/studiesRepository.ts';

const finite = z.number().finite();

/** The stored backtest options: core's BacktestOptions without models given as code (the evaluator's
 * use of `definition.options` as BacktestOptions keeps the two in step at compile time). */
const StoredBacktestOptions = z.object({
  cash: finite.optional(),
  commission: commissionSpecSchema.optional(),
  slippage: slippageSpecSchema.optional(),
  financing: financingSpecSchema.optional(),
  fillAt: z.enum(['next-open', 'close']).optional(),
  fractional: z.boolean().optional(),
  longOnly: z.boolean().optional(),
  closeAtEnd: z.boolean().optional(),
  maxLeverage: finite.optional(),
  maxPositionValue: z.number().optional(),
  maxVolumeShare: z.number().optional(),
  convention: z.enum(['regimen', 'backtesting.py']).optional(),
});

/**
 * Where a study's bars come from: the local cache (by symbol) or a CSV file (the CLI's --csv). A study
 * of several symbols names them all in `symbols`, `symbol` being the first (what a single-symbol reader,
 * the holdout, PBO and per-regime sets, uses).
 */
export const StudySource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('cache'),
    symbol: z.string().min(1),
    symbols: z.array(z.string().min(1)).min(2).readonly().optional(),
  }),
  z.object({
    kind: z.literal('file'),
    /** The file (several: the first one's, which the costs' asset class is read from). */
    path: z.string().min(1),
    /** Several files scored together, each its own symbol (as several cached symbols are). */
    files: z
      .array(z.object({ symbol: z.string().min(1), path: z.string().min(1) }))
      .min(2)
      .readonly()
      .optional(),
  }),
]);

/** Everything about a study's evaluation besides the core StudyConfig. */
export const StudyDefinition = z.object({
  /** What the study's workers resolve: an unknown name or another version than this build's is refused. */
  strategy: strategyRefSchema,
  source: StudySource,
  /** Timeframes scored together; a file source may use 'native' (its own bars, not resampled). */
  timeframes: z.array(z.string()).min(1).readonly(),
  start: z.number().nullable(),
  end: z.number().nullable(),
  /**
   * The session the cache's bars keep to (every timeframe). Absent in studies from before it was asked:
   * they are resumed on the bars they were started on.
   */
  session: z.enum(['regular', 'extended']).optional(),
  aggregation: z.enum(['worst', 'mean', 'weighted'] as const satisfies readonly SliceAggregation[]),
  /** Per-timeframe weights for 'weighted'. */
  weights: z.record(z.string(), finite).optional(),
  /** Per-symbol weights for 'weighted' (a study of several symbols). */
  symbolWeights: z.record(z.string(), finite).optional(),
  options: StoredBacktestOptions,
  preferPlateau: z.boolean(),
  /** The trial budget (also the core config's maxTrials; a grid may finish earlier). */
  trials: z.number().int().positive(),
  /** Per-regime mode: the trials are scored per regime once the study completes (absent: not asked). */
  perRegime: PerRegimeSettings.optional(),
  /** The bars at the end the search never sees (absent: none held out). */
  holdout: HoldoutInput.optional(),
  /**
   * Annual risk-free rate in percent its Sharpe and Sortino were measured against, kept so a resumed or
   * re-scored study measures as it started (absent: 0, as studies were before the setting existed).
   */
  riskFreePercent: z.number().min(0).max(20).optional(),
  /**
   * 'before-range': trials warm their indicators on the bars before `start` (the space's longest
   * warm-up, where the source has them) and trade and are scored from its first bar, as a backtest from
   * `start` is. Absent: the warm-up is inside the range, as studies stored before it ran and resume.
   */
  warmUp: z.literal('before-range').optional(),
});

export type StudySource = z.output<typeof StudySource>;
export type StudyDefinition = z.output<typeof StudyDefinition>;

/**
 * The version written today; older documents are upgraded as they are read. 3: per-regime studies (a
 * version-2 document has neither their settings nor their sets, and reads as a study without them).
 */
export const STUDY_DOCUMENT_VERSION = 3;

const StudyDocumentV3 = z.object({
  version: z.literal(STUDY_DOCUMENT_VERSION),
  definition: StudyDefinition,
  /**
   * The bars it runs on, fingerprinted as it starts (a cache source): a live proposal's provenance takes
   * it from here rather than re-reading every bar on the approval's path, and names the bars the trials
   * saw even if the cache changed since. Absent for a file source and for studies started before it.
   */
  dataFingerprint: z.string().optional(),
  /**
   * The warm-up before the range it runs with (a study that warms there): the space's longest warm-up
   * and the fewest bars a slice had before the range, as it last started.
   */
  warmUp: z.object({ longest: z.number().int().min(0), before: z.number().int().min(0) }).optional(),
  /** Absent while the study runs or after an interruption (it can be resumed). */
  state: z.enum(['complete', 'cancelled', 'failed']).optional(),
  error: z.string().optional(),
  /** The winner's trial number (the plateau centre when preferPlateau). */
  winner: z.number().int().nullable().optional(),
  report: OverfittingStats.optional(),
  /** The winner on the held-out bars, once the study completed with one. */
  holdout: StudyHoldout.optional(),
  /** A per-regime study's sets (or why they could not be chosen), once it completed. */
  regimeSets: z.union([z.object({ result: RegimeStudyResult }), z.object({ error: z.string() })]).optional(),
  finishedAt: z.number().optional(),
});

/**
 * Version 1 (and the unversioned documents before it) named the strategy only. Its version was not
 * kept; the upgrade takes this build's, the one such a study has always been resumed with. A name this
 * build does not know keeps an empty version, so resuming it is refused naming the strategy.
 */
function upgradeV1(document: Record<string, unknown>): Record<string, unknown> {
  const definition = document['definition'];
  if (typeof definition !== 'object' || definition === null) return { ...document, version: 2 };
  const name = (definition as { strategy?: unknown }).strategy;
  if (typeof name !== 'string') return { ...document, version: 2 };
  const strategy = {
    name,
    version: isStrategyName(name) ? getStrategy(name).version : '',
    params: {},
  };
  return { ...document, version: 2, definition: { ...definition, strategy } };
}

/** The study's `data` document: its definition, and once it stops, how and what it found. */
export const StudyDocument = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null) return value;
  const version = (value as { version?: unknown }).version;
  const v2 = version === undefined || version === 1 ? upgradeV1(value as Record<string, unknown>) : value;
  // Version 2 had no per-regime mode: nothing to add, the fields stay absent.
  return (v2 as { version?: unknown }).version === 2 ? { ...v2, version: 3 } : v2;
}, StudyDocumentV3);
export type StudyDocument = z.output<typeof StudyDocumentV3>;

/** The study's row-level progress, written with every batch of trials and when the study stops. */
export const StudyProgressRecord = z.object({
  /** Finished trials (complete, failed or pruned). */
  trialsDone: z.number().int().min(0),
  failed: z.number().int().min(0),
  /** The study's total (its budget, or the feasible grid points). */
  trialsTotal: z.number().int().min(0),
  /** Score of the best trial (the winner once finished); null before any feasible trial or when not finite. */
  bestValue: z.number().nullable(),
  /** True when no trial is left to ask (an interrupted study that finished its trials). */
  exhausted: z.boolean(),
  updatedAt: z.number(),
});
export type StudyProgressRecord = z.output<typeof StudyProgressRecord>;

/** A new document for a study that has not run yet. */
export function newStudyDocument(definition: StudyDefinition): StudyDocument {
  return { version: STUDY_DOCUMENT_VERSION, definition };
}

/** A study as the store holds it: its row, typed document and progress. */
export type StoredStudy = StudyRow<StudyDocument, StudyProgressRecord>;
export type StudyRecords = StudiesRepository<StudyDocument, StudyProgressRecord>;

/** The studies of a database, each read parsed against the schemas above. */
export function studyRecords(db: Database): StudyRecords {
  return new StudiesRepository(db, { document: StudyDocument, progress: StudyProgressRecord });
}
