import { basename, extname, resolve } from 'node:path';
import { TIMEFRAMES, type Timeframe } from '../../../../core/data/bars.ts';
import {
  parseSamplerKind,
  type Direction,
  naturalObjective,
  type ObjectiveMode,
  type SamplerConfig,
  perSliceMetrics,
  sliceCombination,
  type SliceAggregation,
  type SliceAggregationOptions,
} from '../../../../core/optimize/index.ts';
import { holdoutCoverageText } from '../../../../shared/holdoutText.ts';
import { studyWarmUpText } from '../../../../shared/warmupText.ts';
import type {
  OptimizeProgressEvent,
  OptimizeStartInput,
  SearchRequestInput,
  HoldoutInput,
  StudyDetail,
  StudyHoldout,
  StudyState,
  TrialRow,
} from '../../../../shared/optimizeContract.ts';
import { StudyName, StudyNote } from '../../../../shared/optimizeContract.ts';
import { ComputePool } from '../../../compute/pool.ts';
import { EventBus } from '../../../services/events.ts';
import { poolEvaluators, type EvaluatorSource } from '../../../services/optimize/evaluator.ts';
import { OptimizeService } from '../../../services/optimize/optimizeService.ts';
import { studyRecords, type StudySource } from '../../../services/optimize/studyRecords.ts';
import {
  checkMode,
  getStrategyOrThrow,
  studyStrategyRef,
  NATIVE_TIMEFRAME,
  parseObjectives,
  randomSeed,
  resolveSpace,
  StudyInputError,
  studySourceLabel,
  cacheSource,
  studySymbols,
  type NewStudy,
} from '../../../services/optimize/studySetup.ts';
import { BarsRepository } from '../../../store/barsRepository.ts';
import { barsSourceFrom, csvFiles, sessionOption } from '../../barsSource.ts';
import { SYMBOL_RULE, symbolSchema } from '../../../../shared/schemas.ts';
import { MAX_STUDY_SYMBOLS, SLICE_AGGREGATIONS } from '../../../../shared/optimizeChoices.ts';
import { createLedgerRecorder } from '../../../ml/ledgerLearner.ts';
import {
  listOption,
  numberOption,
  stringOption,
  timeRangeOptions,
  UsageError,
  type ParsedArgs,
} from '../../args.ts';
import { on, openDatabaseHere, ownerBackend, type Backend } from '../../backend.ts';
import { defaultCachedTimeframe, storedTimeframesOf } from '../../cachedTimeframe.ts';
import type { CostRequest } from '../../../services/costs.ts';
import { trialsCsv } from '../../../../shared/exportCsv.ts';
import { OUT_OPTIONS, outTarget, writeOut } from '../../outFile.ts';
import type { Command, CommandIO } from '../../command.ts';
import { formatProbability } from '../../../../core/metrics/definitions.ts';
import { formatMetric, meter, metricLabel, table, timeFormatFrom, toJson } from '../../format.ts';
import type { TimeFormat } from '../../../../shared/timeZone.ts';
import { wipedOutOnText, wipedOutTrialsText } from '../../../../shared/wipedOutText.ts';
import {
  accountOptionsFrom,
  BACKTEST_OPTIONS,
  ACCOUNT_USAGE,
  COMMISSION_HELP,
  COST_USAGE,
  costRequestFrom,
  riskFreePercentFrom,
} from '../backtest/backtest.ts';
import { PER_REGIME_HELP, PER_REGIME_OPTIONS, perRegimeFrom, perRegimeLines } from './perRegime.ts';
import {
  chooseRedisOnOwner,
  connectionSayer,
  REMOTE_HELP,
  REMOTE_OPTIONS,
  remoteFrom,
} from '../compute/remoteCompute.ts';

/** Options shared by `optimize` and `walk-forward`: the study's search. */
export const SEARCH_OPTIONS = {
  ...BACKTEST_OPTIONS,
  space: { type: 'string', multiple: true },
  constraint: { type: 'string', multiple: true },
  sampler: { type: 'string' },
  objective: { type: 'string', multiple: true },
  mode: { type: 'string' },
  trials: { type: 'string' },
  seed: { type: 'string' },
  'min-trades': { type: 'string' },
  workers: { type: 'string' },
  plateau: { type: 'boolean' },
  progress: { type: 'string' },
  'risk-free': { type: 'string' },
  ...REMOTE_OPTIONS,
} as const;

function integerOption(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const value = numberOption(args, name, fallback);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** --name (or --study-name) and --note, checked as the contract checks them; absent ones are left out. */
export function studyLabelsFrom(args: ParsedArgs): { name?: string; note?: string } {
  const checked = (option: string, schema: typeof StudyName | typeof StudyNote): string | undefined => {
    const raw = stringOption(args, option);
    if (raw === undefined) return undefined;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new UsageError(`--${option}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  };
  const name = checked('name', StudyName) ?? checked('study-name', StudyName);
  const note = checked('note', StudyNote);
  return { ...(name === undefined ? {} : { name }), ...(note === undefined ? {} : { note }) };
}

/** --holdout 20% (the last share of the bars) or --holdout DATE (every bar from it on); undefined without it. */
export function holdoutFrom(args: ParsedArgs): HoldoutInput | undefined {
  const raw = stringOption(args, 'holdout');
  if (raw === undefined) return undefined;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(raw.trim());
  if (percent !== null) {
    const fraction = Number(percent[1]) / 100;
    if (!(fraction > 0 && fraction <= 0.9))
      throw new UsageError(`--holdout must be a share above 0 % and at most 90 %, got "${raw}"`);
    return { fraction };
  }
  // Date.parse alone reads "0.2" as February 2000 (V8 is lenient), so a share written without % would
  // silently hold out decades; only an ISO date (optionally with a time) is taken as one.
  const from = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(raw.trim())
    ? Date.parse(raw)
    : NaN;
  if (Number.isNaN(from))
    throw new UsageError(`--holdout must be a percentage (20%) or an ISO date (2024-06-01), got "${raw}"`);
  return { from };
}

/**
 * The study's data: --csv FILE (its own bars, or resampled to --timeframe) or --symbol SYM[,SYM...]
 * from the cache (several symbols are scored together; without --timeframe, at the finest timeframe
 * the cache holds for all of them, said on stderr).
 */
export async function sourceFrom(
  args: ParsedArgs,
  io: Pick<CommandIO, 'err'>,
): Promise<{
  source: StudySource;
  timeframes: string[];
  start: number | null;
  end: number | null;
  session: 'regular' | 'extended';
}> {
  const source = studySourceFrom(args);
  const session = sessionOption(args);
  const raw = stringOption(args, 'timeframe');
  const timeframes = raw === undefined ? [] : raw.split(',').map((s) => s.trim());
  for (const tf of timeframes)
    if (!(TIMEFRAMES as readonly string[]).includes(tf))
      throw new UsageError(
        `--timeframe must be one or more of ${TIMEFRAMES.join(', ')} (comma-separated), got "${tf}"`,
      );
  if (new Set(timeframes).size !== timeframes.length)
    throw new UsageError(`--timeframe lists a timeframe twice: "${raw}"`);
  const { start, end } = timeRangeOptions(args);
  if (timeframes.length === 0) {
    if (source.kind === 'file') timeframes.push(NATIVE_TIMEFRAME);
    else {
      const symbols = source.symbols ?? [source.symbol];
      timeframes.push(defaultCachedTimeframe(await storedTimeframesOf(args, symbols), symbols, io));
    }
  }
  return {
    source,
    timeframes,
    start: start ?? null,
    end: end ?? null,
    session,
  };
}

/**
 * --csv a.csv,b.csv (or --csv a.csv --csv b.csv): several files scored together, each its own symbol: its
 * file name's stem in capitals (goog.csv is GOOG), or as named with SYM=path (GOOG=data/goog-daily.csv).
 */
function filesSource(entries: readonly string[]): StudySource {
  const files = entries.map((entry) => {
    const named = /^([^=/\\]+)=(.+)$/.exec(entry.trim());
    const path = resolve((named?.[2] ?? entry).trim());
    const symbol = named?.[1]!.trim() ?? basename(path, extname(path)).toUpperCase();
    if (!symbolSchema.safeParse(symbol).success)
      throw new UsageError(
        named === null
          ? `--csv: the name of ${path} does not make a symbol (${SYMBOL_RULE}): name it as SYM=${entry.trim()}`
          : `--csv: "${symbol}" (for ${path}) is not a symbol (${SYMBOL_RULE})`,
      );
    return { symbol, path };
  });
  if (files.length > MAX_STUDY_SYMBOLS)
    throw new UsageError(`--csv lists ${files.length} files; a study takes at most ${MAX_STUDY_SYMBOLS}`);
  files.forEach((file, i) => {
    const first = files.findIndex((f) => f.symbol === file.symbol);
    if (first !== i)
      throw new UsageError(
        `--csv: ${files[first]!.path} and ${file.path} are both ${file.symbol}: name them as SYM=path`,
      );
  });
  return { kind: 'file', path: files[0]!.path, files };
}

/**
 * --symbol GOOG,ORCL,NVDA or --csv a.csv,b.csv (or --csv repeated): several symbols, each checked and none
 * twice; else one source as any command.
 */
function studySourceFrom(args: ParsedArgs): StudySource {
  const files = csvFiles(args);
  if (files.length > 1) {
    if (stringOption(args, 'symbol') !== undefined)
      throw new UsageError('give exactly one of --csv FILE or --symbol SYM');
    return filesSource(files);
  }
  const raw = stringOption(args, 'symbol');
  if (raw === undefined || !raw.includes(',')) return barsSourceFrom(args);
  if (files.length > 0) throw new UsageError('give exactly one of --csv FILE or --symbol SYM');
  const symbols = raw.split(',').map((s) => s.trim());
  for (const symbol of symbols)
    if (!symbolSchema.safeParse(symbol).success) throw new UsageError(`--symbol "${symbol}" is not a symbol`);
  if (symbols.length > MAX_STUDY_SYMBOLS)
    throw new UsageError(
      `--symbol lists ${symbols.length} symbols; a study takes at most ${MAX_STUDY_SYMBOLS}`,
    );
  const twice = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (twice !== undefined) throw new UsageError(`--symbol lists ${twice} twice`);
  return cacheSource({ symbols });
}

/**
 * --aggregate worst|mean|weighted (--aggregation, its older name) with --weights W1,W2,... (one per
 * symbol, in --symbol's order) and --tf-weight TF=W (per timeframe).
 */
export function aggregationFrom(
  args: ParsedArgs,
  source: StudySource,
  timeframes: readonly string[],
): {
  aggregation: SliceAggregation;
  weights?: Record<string, number>;
  symbolWeights?: Record<string, number>;
} {
  const raw = stringOption(args, 'aggregate') ?? stringOption(args, 'aggregation') ?? 'worst';
  if (!(SLICE_AGGREGATIONS as readonly string[]).includes(raw))
    throw new UsageError(`--aggregate must be worst, mean or weighted, got "${raw}"`);
  const weights: Record<string, number> = {};
  for (const pair of listOption(args, 'tf-weight')) {
    const [tf, w] = pair.split('=');
    const weight = Number(w);
    if (tf === undefined || !timeframes.includes(tf) || !(weight >= 0))
      throw new UsageError(
        `--tf-weight expects timeframe=weight for one of ${timeframes.join(', ')}, got "${pair}"`,
      );
    weights[tf] = weight;
  }
  const symbols = studySymbols(source);
  const listed = stringOption(args, 'weights');
  let symbolWeights: Record<string, number> | undefined;
  if (listed !== undefined) {
    if (symbols.length < 2)
      throw new UsageError('--weights weighs several symbols: give them as --symbol A,B,...');
    const values = listed.split(',').map((w) => Number(w.trim()));
    if (values.length !== symbols.length)
      throw new UsageError(
        `--weights has ${values.length} weights for ${symbols.length} symbols (${symbols.join(', ')}): give one per symbol, in order`,
      );
    values.forEach((w, i) => {
      if (!(w > 0) || !Number.isFinite(w))
        throw new UsageError(
          `--weights: the weight of ${symbols[i]} must be a number above 0, got "${listed.split(',')[i]!.trim()}"`,
        );
    });
    symbolWeights = Object.fromEntries(symbols.map((s, i) => [s, values[i]!]));
  }
  const aggregation = raw as SliceAggregation;
  if (aggregation === 'weighted' && symbols.length > 1 && symbolWeights === undefined)
    throw new UsageError('--aggregate weighted needs --weights, one per symbol');
  if (aggregation === 'weighted' && symbols.length < 2 && timeframes.some((tf) => weights[tf] === undefined))
    throw new UsageError('--aggregate weighted needs a --tf-weight for every timeframe');
  return {
    aggregation,
    ...(Object.keys(weights).length > 0 ? { weights } : {}),
    ...(symbolWeights === undefined ? {} : { symbolWeights }),
  };
}

export interface SearchSettings {
  readonly strategy: string;
  readonly space: NewStudy['space'];
  readonly sampler: SamplerConfig;
  readonly objectives: NewStudy['objectives'];
  readonly mode?: ObjectiveMode;
  readonly trials: number;
  readonly seed: number;
  readonly minTrades: number;
  readonly preferPlateau: boolean;
}

/**
 * What an objective on a metric compared by its magnitude (drawdown) asks for, beside its label: "min"
 * and "max" of a negative figure read backwards, so the tables and the warning say it in words.
 */
function magnitudeSense(direction: Direction): string {
  return direction === 'minimize' ? 'shallowest' : 'deepest';
}

/** Whether a study compares `metric` by its magnitude (a stored study's objectives do not say). */
function byMagnitude(metric: string): boolean {
  return naturalObjective(metric).absolute === true;
}

/**
 * The search from the flags; every mistake is a UsageError naming the flag. `warn` hears of an objective
 * that is valid but probably not meant (maxDrawdown:max: the deepest drawdown).
 */
export function searchFrom(
  args: ParsedArgs,
  defaultTrials: number,
  warn: (line: string) => void,
): SearchSettings {
  const strategyName = stringOption(args, 'strategy');
  if (strategyName === undefined) throw new UsageError('--strategy is required');
  try {
    const strategy = getStrategyOrThrow(strategyName);
    const specs = listOption(args, 'space');
    const space = resolveSpace(
      strategy,
      specs.length > 0 ? specs : undefined,
      listOption(args, 'constraint'),
    );
    const objectiveTexts = listOption(args, 'objective');
    const objectives = parseObjectives(objectiveTexts.length > 0 ? objectiveTexts : ['sharpeRatio']);
    for (const o of objectives)
      if (o.absolute === true && o.direction === 'maximize')
        warn(
          `warning: --objective ${o.metric}:max asks for the ${magnitudeSense(o.direction)} ${metricLabel(o.metric).toLowerCase()} ` +
            `(it is compared by its depth); ${o.metric} or ${o.metric}:min asks for the ${magnitudeSense('minimize')}`,
        );
    const modeText = stringOption(args, 'mode');
    if (modeText !== undefined && !['single', 'weighted', 'pareto'].includes(modeText))
      throw new UsageError(`--mode must be single, weighted or pareto, got "${modeText}"`);
    const mode = modeText as ObjectiveMode | undefined;
    checkMode(mode, objectives);
    const samplerText = stringOption(args, 'sampler') ?? 'tpe';
    let kind: SamplerConfig['kind'];
    try {
      kind = parseSamplerKind(samplerText);
    } catch (error) {
      throw new UsageError(`--sampler: ${error instanceof Error ? error.message : String(error)}`);
    }
    const seed = integerOption(args, 'seed', randomSeed(), 0);
    if (seed > 2 ** 32 - 1) throw new UsageError(`--seed must be below 2^32, got ${seed}`);
    return {
      strategy: strategyName,
      space,
      sampler: { kind },
      objectives,
      ...(mode === undefined ? {} : { mode }),
      // Without --trials a grid runs every point; other samplers get the command's default budget.
      trials: integerOption(args, 'trials', kind === 'grid' ? 1_000_000 : defaultTrials, 1),
      seed,
      minTrades: integerOption(args, 'min-trades', 0, 0),
      preferPlateau: Boolean(args.values['plateau']),
    };
  } catch (error) {
    if (error instanceof StudyInputError) throw new UsageError(error.message);
    throw error;
  }
}

export function workersFrom(args: ParsedArgs): number | undefined {
  const raw = stringOption(args, 'workers');
  if (raw === undefined) return undefined;
  return integerOption(args, 'workers', 1, 1);
}

export const WORKERS_HELP =
  '\n        --workers N: compute on N worker threads (default: one per core, or this thread alone for a study' +
  '\n          under a million bar-trials, where starting threads costs more than the work)';

/**
 * Where a command's trials compute: remote workers (--redis), the pool when --workers asks for threads
 * (even for a study small enough to run on this thread), else the default choice by the study's size.
 */
export function computeFrom(
  pool: ComputePool,
  threads: number | undefined,
  remote: { readonly evaluators: EvaluatorSource } | null,
): { compute?: EvaluatorSource } {
  if (remote !== null) return { compute: remote.evaluators };
  return threads === undefined ? {} : { compute: poolEvaluators(pool, { inProcessBelow: 0 }) };
}

export type ProgressStyle = 'bar' | 'lines' | 'none';

/**
 * --progress auto (default): a bar redrawn in place when stderr is a terminal, nothing otherwise;
 * `lines`: one plain line per update (logs, CI, tests that watch a run); `none`.
 */
export function progressStyle(args: ParsedArgs, io: CommandIO): ProgressStyle {
  const raw = stringOption(args, 'progress') ?? 'auto';
  if (raw === 'auto') return io.interactive ? 'bar' : 'none';
  if (raw === 'bar' || raw === 'lines' || raw === 'none') return raw;
  throw new UsageError(`--progress must be auto, bar, lines or none, got "${raw}"`);
}

/** A one-line progress bar redrawn in place on stderr (only on a terminal). */
export function progressLine(
  done: number,
  total: number,
  rate: number,
  eta: number | null,
  extra = '',
): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const etaText = eta === null ? '' : ` eta ${eta < 60 ? `${eta.toFixed(0)}s` : `${(eta / 60).toFixed(1)}m`}`;
  return `\r${meter(fraction, 28)} ${done}/${total} ${rate.toFixed(1)}/s${etaText}${extra}\x1b[K`;
}

function formatValue(metric: string, value: number | null): string {
  return value === null ? 'n/a' : formatMetric(metric, value);
}

function paramsText(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** An objective as a column names it: its metric, and the sense it is optimised in where not the usual. */
export function objectiveLabel(o: { readonly metric: string; readonly direction: Direction }): string {
  const sense = byMagnitude(o.metric)
    ? ` (${magnitudeSense(o.direction)})`
    : o.direction === 'minimize'
      ? ' (min)'
      : '';
  return `${metricLabel(o.metric)}${sense}`;
}

function trialTable(detail: StudyDetail, rows: readonly TrialRow[]): string {
  const names = detail.config.space.map((p) => p.name);
  const objectives = detail.summary.objectives;
  return table([
    ['#', ...names, ...objectives.map(objectiveLabel), 'trades'],
    ...rows.map((t) => [
      String(t.number),
      ...names.map((n) => String(t.params[n] ?? '')),
      // A magnitude objective's value is |metric|: shown signed, as the metric is in every other table.
      ...objectives.map((o, i) => {
        const value = t.values?.[i] ?? null;
        return formatValue(o.metric, value !== null && byMagnitude(o.metric) ? -Math.abs(value) : value);
      }),
      formatValue('numTrades', t.metrics['numTrades'] ?? null),
    ]),
  ]);
}

const HEADLINE = [
  'finalEquity',
  'totalReturn',
  'sharpeRatio',
  'calmarRatio',
  'maxDrawdown',
  'volatility',
  'winRate',
  'numTrades',
];

/**
 * The winner's headline metrics; a study of several symbols or timeframes shows them combined (what was
 * optimised) and on each slice beside.
 */
function winnerTable(detail: StudyDetail, best: TrialRow): string {
  const { slices } = detail.config;
  const perSlice = perSliceMetrics(
    best.metrics,
    slices.map((s) => s.key),
  );
  return table([
    ['metric', slices.length === 0 ? 'value' : 'combined', ...slices.map((s) => s.key)],
    ...HEADLINE.map((k) => [
      slices.length === 0
        ? metricLabel(k)
        : combinedLabel(k, detail.config.aggregation, detail.summary.objectives),
      formatValue(k, best.metrics[k] ?? null),
      ...slices.map((s) => formatValue(k, perSlice[s.key]![k] ?? null)),
    ]),
  ]);
}

/**
 * A combined metric's label with how it was combined ("Sharpe ratio (worst)", "Final equity (mean)"):
 * under 'worst' only the objectives and the trade count take the worst slice.
 */
export function combinedLabel(
  metric: string,
  aggregation: SliceAggregation,
  objectives: SliceAggregationOptions['objectives'],
): string {
  return `${metricLabel(metric)} (${sliceCombination(metric, { aggregation, objectives })})`;
}

/** The human-readable report of a finished (or stopped) study. */
function studyReport(detail: StudyDetail, time: TimeFormat): string {
  const s = detail.summary;
  const lines: string[] = [];
  lines.push(
    `Study ${s.id} (${s.name}): ${s.state}, ${s.trialsDone}/${s.trialsTotal} trials, sampler ${s.sampler}, seed ${s.seed}, mode ${s.mode}`,
  );
  // Said as a backtest's "Warm-up:" line is: where a set's score is measured from is the same in both.
  lines.push(`Warm-up: ${studyWarmUpText(detail.warmUp)}.`);
  const complete = detail.trials.filter((t) => t.status === 'complete' && t.feasible === true);
  const failed = detail.trials.filter((t) => t.status === 'failed');
  if (failed.length > 0)
    lines.push(`${failed.length} trials failed, e.g. #${failed[0]!.number}: ${failed[0]!.error ?? ''}`);
  // Not in the tables below (they rank last and cannot win): counted here so their absence is explained.
  const wipedOut = detail.trials.filter((t) => t.wipedOut);
  if (wipedOut.length > 0)
    lines.push(
      `${wipedOutTrialsText(wipedOut.length)}, e.g. #${wipedOut[0]!.number} ${paramsText(wipedOut[0]!.params)}` +
        wipedOutOnText(wipedOut[0]!.wipedOutOn),
    );
  if (detail.best === null) {
    lines.push(
      'No feasible trial (check --min-trades and the space; a trial whose account was wiped out is not one).',
    );
    return lines.join('\n');
  }
  const bestNumber = detail.best.number;
  const sorted = [...complete].sort((a, b) => {
    const o = s.objectives[0]!;
    const va = a.values?.[0] ?? null;
    const vb = b.values?.[0] ?? null;
    if (va === null) return 1;
    if (vb === null) return -1;
    return o.direction === 'maximize' ? vb - va : va - vb;
  });
  lines.push(
    '',
    `Top trials by ${metricLabel(s.objectives[0]!.metric)}:`,
    trialTable(detail, sorted.slice(0, 10)),
  );
  lines.push('', `Best: trial #${bestNumber} ${paramsText(detail.best.params)}`);
  lines.push(winnerTable(detail, detail.best));
  if (detail.paretoFront.length > 0) {
    const front = detail.trials.filter((t) => detail.paretoFront.includes(t.number));
    lines.push(
      '',
      `Pareto front: ${front.length} trials, hypervolume ${formatValue('hypervolume', detail.hypervolume)}`,
      trialTable(detail, front.slice(0, 20)),
    );
  }
  const o = detail.overfitting;
  if (o !== null) {
    lines.push('', 'Overfitting:');
    lines.push(
      `  deflated Sharpe ratio ${formatProbability(o.deflatedSharpe.deflatedSharpe)} (Sharpe ${formatValue('sharpeRatio', o.deflatedSharpe.sharpe)} selected from ${o.deflatedSharpe.trials} trials)`,
    );
    if (o.pbo !== null)
      lines.push(
        `  PBO ${formatProbability(o.pbo.pbo)} over ${o.pbo.trialsUsed} trials x ${o.pbo.periods} periods (${o.pbo.combinations} splits); P(OOS loss) ${formatProbability(o.pbo.probabilityOfLoss)}`,
      );
    if (o.sensitivity !== null)
      lines.push(
        `  sensitivity: worst drop one step away ${formatValue('drop', o.sensitivity.worstDrop)} (${o.sensitivity.relativeWorstDrop === null ? 'n/a' : `${(o.sensitivity.relativeWorstDrop * 100).toFixed(1)}%`} of the score), mean drop ${formatValue('drop', o.sensitivity.meanDrop)}`,
      );
    if (o.plateau !== null)
      lines.push(
        `  plateau centre: trial #${o.plateau.centre} (peak #${o.plateau.peak}, ${o.plateau.neighbours} neighbours)`,
      );
    for (const note of o.notes) lines.push(`  note: ${note}`);
  }
  if (detail.holdout !== null)
    lines.push('', ...holdoutLines(detail, detail.holdout, time, detail.summary.timeframes[0] ?? 'native'));
  if (detail.perRegime !== null) lines.push(...perRegimeLines(detail.perRegime));
  if (s.state !== 'complete') lines.push('', `Resume with: regimen optimize --resume ${s.id}`);
  return lines.join('\n');
}

/** The winner before and on the held-out bars, side by side. */
function holdoutLines(
  detail: StudyDetail,
  holdout: StudyHoldout,
  time: TimeFormat,
  timeframe: string,
): string[] {
  const coverage = holdoutCoverageText(holdout);
  const slices = holdout.slices ?? [];
  const from = `${time.barTime(holdout.from, timeframe)} ${time.zone}`;
  return [
    slices.length < 2
      ? `Holdout: the last ${holdout.bars} bars (from ${from}) were never searched; ` +
        `the winner on the ${holdout.searchedBars} searched bars and on the held-out ones:`
      : `Holdout: no bar from ${from} on was searched; the winner on the searched bars and on the held-out ones:`,
    ...(coverage === null ? [] : [coverage]),
    table([
      ['metric', 'in sample', 'out of sample'],
      ...HOLDOUT_METRICS.map((k) => [
        slices.length < 2
          ? metricLabel(k)
          : combinedLabel(k, detail.config.aggregation, detail.summary.objectives),
        formatValue(k, holdout.inSample[k] ?? null),
        formatValue(k, holdout.outOfSample[k] ?? null),
      ]),
    ]),
    ...(slices.length < 2
      ? []
      : [
          table([
            ['slice', 'held-out bars', 'IS return', 'OOS return', 'IS Sharpe', 'OOS Sharpe'],
            ...slices.map((s) => [
              s.label,
              String(s.bars),
              formatValue('totalReturn', s.inSample['totalReturn'] ?? null),
              formatValue('totalReturn', s.outOfSample['totalReturn'] ?? null),
              formatValue('sharpeRatio', s.inSample['sharpeRatio'] ?? null),
              formatValue('sharpeRatio', s.outOfSample['sharpeRatio'] ?? null),
            ]),
          ]),
        ]),
  ];
}

/** Equity metrics a holdout compares (the split run has no per-part trade list). */
const HOLDOUT_METRICS = ['totalReturn', 'annualizedReturn', 'sharpeRatio', 'maxDrawdown', 'volatility'];

/** Opens the data dir's store, runs `work` with an optimize service on a pool, and closes everything. */
async function withOptimizer<T>(
  args: ParsedArgs,
  threads: number | undefined,
  io: CommandIO,
  work: (service: OptimizeService, events: EventBus, pool: ComputePool) => Promise<T>,
): Promise<T> {
  // No worker starts here: a small study runs on this thread (see IN_PROCESS_BAR_TRIALS) unless
  // --workers asks for the pool, and a large one starts the pool with its first batch.
  const pool = new ComputePool(threads);
  const db = await openDatabaseHere(args, 'optimize').catch(async (error: unknown) => {
    await pool.close();
    throw error;
  });
  const remote = await remoteFrom(args, io).catch(async (error: unknown) => {
    await pool.close();
    db.close();
    throw error;
  });
  const events = new EventBus();
  const service = new OptimizeService({
    studies: studyRecords(db),
    bars: new BarsRepository(db),
    pool,
    events,
    ...computeFrom(pool, threads, remote),
    ledger: createLedgerRecorder(db, (message) => process.stderr.write(`${message}\n`)),
  });
  try {
    return await work(service, events, pool);
  } finally {
    await service.close();
    await remote?.close();
    await pool.close();
    db.close();
  }
}

/** Prints one study's progress events in the chosen style (stderr). */
function progressPrinter(io: CommandIO, style: ProgressStyle): (p: OptimizeProgressEvent) => void {
  return (p) => {
    if (style === 'none') return;
    const best = p.best?.values[0];
    if (style === 'lines') {
      io.err(`progress ${p.state} ${p.done}/${p.total} trials ${p.trialsPerSecond.toFixed(1)}/s\n`);
      return;
    }
    io.err(
      progressLine(
        p.done,
        p.total,
        p.trialsPerSecond,
        p.etaSeconds,
        best === undefined || best === null ? '' : ` best ${best.toPrecision(6)}`,
      ),
    );
  };
}

/** Draws the progress bar while a study runs (stderr, terminals only) and cancels it on Ctrl-C. */
async function followStudy(
  service: OptimizeService,
  events: EventBus,
  studyId: string,
  io: CommandIO,
  style: ProgressStyle,
): Promise<StudyDetail> {
  const print = progressPrinter(io, style);
  const unsubscribe = events.subscribe(
    on('optimize:progress', (p) => {
      if (p.studyId === studyId) print(p);
    }),
  );
  const interrupt = (): void => {
    void service.cancel(studyId);
  };
  process.once('SIGINT', interrupt);
  try {
    return await service.wait(studyId);
  } finally {
    process.removeListener('SIGINT', interrupt);
    unsubscribe();
    if (style === 'bar') io.err('\n');
  }
}

/** Said instead of "running" when --resume names a study that has nothing left to run. */
function alreadyCompleteNote(studyId: string): string {
  return `study ${studyId} is already complete: nothing to resume (its state is unchanged); its report follows\n`;
}

/**
 * Prints the finished (or stopped) study, as a report or --json, after writing its trials to `--out`
 * when given; resolves to the exit code.
 */
async function reportStudy(
  detail: StudyDetail,
  studyId: string,
  args: ParsedArgs,
  io: CommandIO,
): Promise<number> {
  const out = outTarget(args, ['csv']);
  if (out !== null) {
    await writeOut(out, trialsCsv(detail.trials));
    io.err(`wrote ${detail.trials.length} trials to ${out.path}\n`);
  }
  if (args.values['json']) {
    io.out(
      toJson({
        studyId,
        state: detail.summary.state,
        strategy: detail.summary.strategy,
        seed: detail.summary.seed,
        sampler: detail.summary.sampler,
        mode: detail.summary.mode,
        objectives: detail.summary.objectives,
        best: detail.best,
        trials: detail.trials,
        ...(detail.summary.objectives.length > 1
          ? {
              paretoFront: detail.trials.filter((t) => detail.paretoFront.includes(t.number)),
              hypervolume: detail.hypervolume,
            }
          : {}),
        overfitting: detail.overfitting,
        ...(detail.holdout === null ? {} : { holdout: detail.holdout }),
        ...(detail.perRegime === null ? {} : { perRegime: detail.perRegime }),
      }),
    );
  } else io.out(studyReport(detail, timeFormatFrom(args)));
  return detail.summary.state === 'failed' ? 1 : detail.summary.state === 'cancelled' ? 130 : 0;
}

/**
 * The search part of a request to the folder's owner (optimize:start, walkforward:run), from the same
 * flags as a search run here: the contract's names for them, checked here first.
 */
export function searchRequestFrom(
  args: ParsedArgs,
  defaultTrials: number,
  io: CommandIO,
): SearchRequestInput {
  const search = searchFrom(args, defaultTrials, (line) => io.err(`${line}\n`));
  const space = listOption(args, 'space');
  const account = accountOptionsFrom(args);
  const costs = costRequestFrom(args, io);
  return {
    strategy: search.strategy,
    ...(space.length === 0 ? {} : { space }),
    constraints: listOption(args, 'constraint'),
    sampler: search.sampler.kind,
    objectives: search.objectives.map((o) => ({
      metric: o.metric,
      direction: o.direction,
      ...(o.weight === undefined ? {} : { weight: o.weight }),
      ...(o.absolute === undefined ? {} : { absolute: o.absolute }),
    })),
    ...(search.mode === undefined ? {} : { mode: search.mode }),
    trials: search.trials,
    seed: search.seed,
    minTrades: search.minTrades,
    cash: account.cash ?? 10_000,
    commission: costs.commissionRate,
    slippageBps: costs.extraBps ?? 0,
    longOnly: account.longOnly === true,
    closeAtEnd: account.closeAtEnd === true,
    fillAt: account.fillAt ?? 'next-open',
    ...(costs.settings === undefined || Object.keys(costs.settings).length === 0
      ? {}
      : { costs: costs.settings }),
    preferPlateau: search.preferPlateau,
    riskFreePercent: riskFreePercentFrom(args),
  };
}

const FINISHED: ReadonlySet<StudyState> = new Set(['complete', 'cancelled', 'failed', 'paused']);

/**
 * The study run by the Regimen process that owns the data folder, through the same requests as the
 * app's Optimize view: progress over its event stream, Ctrl-C cancels it there, the report is the same.
 */
async function optimizeThroughOwner(owner: Backend, args: ParsedArgs, io: CommandIO): Promise<number> {
  await chooseRedisOnOwner(owner, args, io);
  const style = progressStyle(args, io);
  const resumeId = stringOption(args, 'resume');
  let start: (() => Promise<{ studyId: string; alreadyComplete?: boolean }>) | undefined;
  if (resumeId !== undefined) start = () => owner.request('optimize:resume', { studyId: resumeId });
  else {
    const { source, timeframes, start: from, end, session } = await sourceFrom(args, io);
    const { symbolWeights, ...aggregation } = aggregationFrom(args, source, timeframes);
    const perRegime = perRegimeFrom(args);
    const holdout = holdoutFrom(args);
    const shared = {
      ...(from === null ? {} : { start: from }),
      ...(end === null ? {} : { end }),
      ...aggregation,
      ...(holdout === undefined ? {} : { holdout }),
    };
    const request: OptimizeStartInput = {
      ...studyLabelsFrom(args),
      ...searchRequestFrom(args, 100, io),
      ...(perRegime === undefined ? {} : { perRegime }),
      // A file is read by the owner (the same user on this machine), from its absolute path.
      data:
        source.kind === 'file'
          ? {
              kind: 'file',
              path: source.path,
              ...(source.files === undefined ? {} : { files: [...source.files] }),
              ...(symbolWeights === undefined ? {} : { symbolWeights }),
              timeframes: timeframes as Timeframe[],
              ...shared,
            }
          : {
              ...(source.symbols === undefined
                ? { symbol: source.symbol }
                : { symbols: [...source.symbols] }),
              ...(symbolWeights === undefined ? {} : { symbolWeights }),
              timeframes: timeframes as Timeframe[],
              session,
              ...shared,
            },
    };
    start = () => owner.request('optimize:start', request);
  }
  if (workersFrom(args) !== undefined) io.err(`note: ${owner.owner} runs the study on its own workers\n`);
  let studyId: string | undefined;
  let finished = (): void => undefined;
  const ended = new Promise<void>((resolve) => (finished = resolve));
  const print = progressPrinter(io, style);
  const sayConnection = connectionSayer(io);
  // Listening starts before the study does, so no progress event is lost; a dropped stream only costs
  // progress lines, since the state is polled too.
  const stop = await owner.listen(
    on('optimize:progress', (p) => {
      if (p.studyId !== studyId) return;
      sayConnection(p.connection);
      print(p);
      if (FINISHED.has(p.state)) finished();
    }),
  );
  const interrupt = (): void => {
    if (studyId !== undefined) void owner.request('job:cancel', { jobId: studyId }).catch(() => undefined);
  };
  process.once('SIGINT', interrupt);
  try {
    const started = await start();
    studyId = started.studyId;
    if (started.alreadyComplete === true) {
      io.err(alreadyCompleteNote(studyId));
      finished();
    } else if (style !== 'bar') io.err(`study ${studyId} running in ${owner.owner}\n`);
    for (;;) {
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      const { summary } = await owner.request('optimize:get', { studyId, includeTrials: false });
      if (FINISHED.has(summary.state)) break;
    }
  } finally {
    process.removeListener('SIGINT', interrupt);
    stop();
    if (style === 'bar') io.err('\n');
  }
  return reportStudy(
    await owner.request('optimize:get', { studyId, includeTrials: true }),
    studyId,
    args,
    io,
  );
}

export const optimizeCommand: Command = {
  usage:
    '(--csv FILE | --symbol SYM [--session regular|extended]) [--timeframe 1m[,5m,15m]] --strategy NAME\n' +
    '        [--space name=min:max[:step] ...]\n' +
    '        [--constraint "fast<slow" ...] [--sampler grid|random|tpe|ga|nsga2] [--objective metric[:max|min[:weight]] ...]\n' +
    '        [--mode single|weighted|pareto] [--aggregate worst|mean|weighted] [--tf-weight 5m=2 ...]\n' +
    '        [--symbol GOOG,ORCL,NVDA [--weights 0.5,0.3,0.2]]: several symbols scored together\n' +
    '        [--csv goog.csv,orcl.csv | --csv goog.csv --csv orcl.csv | --csv GOOG=a.csv,ORCL=b.csv]: several\n' +
    "        files scored together, each its own symbol: its file name's stem in capitals (goog.csv is GOOG)\n" +
    '        unless named SYM=path\n' +
    '        [--trials N] [--seed S] [--min-trades N] [--plateau]\n' +
    `        ${ACCOUNT_USAGE}\n` +
    `        ${COST_USAGE}\n` +
    '        [--workers N] [--name NAME] [--note TEXT] [--start ISO] [--end ISO] [--holdout 20%|ISO]\n' +
    "        [--progress auto|bar|lines|none] [--risk-free PCT: default the settings' or 0]\n" +
    '        [--data-dir DIR] [--json] [--out TRIALS.csv [--overwrite]]' +
    PER_REGIME_HELP +
    '\n   or: regimen optimize --resume STUDY_ID [--workers N] [--redis URL] [--data-dir DIR] [--json]' +
    COMMISSION_HELP +
    WORKERS_HELP +
    REMOTE_HELP,
  options: {
    ...SEARCH_OPTIONS,
    aggregate: { type: 'string' },
    aggregation: { type: 'string' },
    weights: { type: 'string' },
    'tf-weight': { type: 'string', multiple: true },
    name: { type: 'string' },
    // The older spelling of --name, still accepted.
    'study-name': { type: 'string' },
    note: { type: 'string' },
    holdout: { type: 'string' },
    resume: { type: 'string' },
    ...PER_REGIME_OPTIONS,
    ...OUT_OPTIONS,
  },
  async run(args, io) {
    // A bad --out is refused before the study runs, not after.
    outTarget(args, ['csv']);
    const owner = await ownerBackend(args);
    if (owner !== null) return optimizeThroughOwner(owner, args, io);
    const threads = workersFrom(args);
    const style = progressStyle(args, io);
    const resumeId = stringOption(args, 'resume');
    let newStudy: NewStudy | undefined;
    let costRequest: CostRequest | undefined;
    if (resumeId === undefined) {
      const { source, timeframes, start, end, session } = await sourceFrom(args, io);
      const search = searchFrom(args, 100, (line) => io.err(`${line}\n`));
      const aggregation = aggregationFrom(args, source, timeframes);
      costRequest = costRequestFrom(args, io);
      const perRegime = perRegimeFrom(args);
      const holdout = holdoutFrom(args);
      newStudy = {
        name: `${search.strategy} ${studySourceLabel(source)} ${timeframes.join('+')}`,
        ...studyLabelsFrom(args),
        definition: {
          strategy: studyStrategyRef(search.strategy),
          source,
          timeframes,
          start,
          end,
          // A file's bars are scored as they are read; the session applies to the cache's.
          ...(source.kind === 'cache' ? { session } : {}),
          ...aggregation,
          options: accountOptionsFrom(args),
          preferPlateau: search.preferPlateau,
          trials: search.trials,
          ...(perRegime === undefined ? {} : { perRegime }),
          ...(holdout === undefined ? {} : { holdout }),
          riskFreePercent: riskFreePercentFrom(args),
        },
        space: search.space,
        sampler: search.sampler,
        objectives: search.objectives,
        ...(search.mode === undefined ? {} : { mode: search.mode }),
        seed: search.seed,
        minTrades: search.minTrades,
      };
    }
    return withOptimizer(args, threads, io, async (service, events) => {
      let studyId: string;
      if (resumeId !== undefined) {
        try {
          const resumed = await service.resume(resumeId);
          studyId = resumed.studyId;
          if (resumed.alreadyComplete) {
            io.err(alreadyCompleteNote(studyId));
            return reportStudy(await service.get(studyId), studyId, args, io);
          }
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('no study with id'))
            throw new UsageError(`--resume: ${error.message}`);
          throw error;
        }
      } else {
        // The asset class's default costs need the study's store (a cached symbol's class is kept there).
        const { definition } = newStudy!;
        const costs = await service.costs(definition.source, costRequest!);
        ({ studyId } = await service.begin({
          ...newStudy!,
          definition: { ...definition, options: { ...definition.options, ...costs } },
        }));
      }
      if (style !== 'bar') io.err(`study ${studyId} running\n`);
      const detail = await followStudy(service, events, studyId, io, style);
      return reportStudy(detail, studyId, args, io);
    });
  },
};
