import { severalSymbolsNotLearnedText } from '../../../../shared/learnerFeedText.ts';
import { randomUUID } from 'node:crypto';
import type { Timeframe } from '../../../../core/data/bars.ts';
import type { SliceAggregation } from '../../../../core/optimize/index.ts';
import {
  WalkForwardRequest,
  type WalkForwardInput,
  type WalkForwardProgressEvent,
  type WalkForwardResult,
} from '../../../../shared/optimizeContract.ts';
import { ComputePool } from '../../../compute/pool.ts';
import { EventBus } from '../../../services/events.ts';
import { studyStrategyRef } from '../../../services/backtest/strategyCatalog.ts';
import { runWalkForwardJob } from '../../../services/optimize/walkForwardService.ts';
import { BarsRepository } from '../../../store/barsRepository.ts';
import { createLedgerRecorder } from '../../../ml/ledgerLearner.ts';
import { WalkForwardRepository } from '../../../store/walkForwardRepository.ts';
import { numberOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { on, openDatabaseHere, ownerBackend, type Backend } from '../../backend.ts';
import type { Command, CommandIO } from '../../command.ts';
import type { TimeFormat } from '../../../../shared/timeZone.ts';
import { NATIVE_TIMEFRAME } from '../../../../shared/schemas.ts';
import { OUT_OPTIONS, outTarget, writeOut, type OutTarget } from '../../outFile.ts';
import { windowsCsv } from '../../../../shared/exportCsv.ts';
import { tearSheetHtml } from '../../../../shared/tearSheetHtml.ts';
import { formatMetric, metricLabel, table, timeFormatFrom, toJson } from '../../format.ts';
import {
  accountOptionsFrom,
  ACCOUNT_USAGE,
  COMMISSION_HELP,
  COST_USAGE,
  costRequestFrom,
  riskFreePercentFrom,
} from '../backtest/backtest.ts';
import {
  aggregationFrom,
  combinedLabel,
  computeFrom,
  SEARCH_OPTIONS,
  searchFrom,
  searchRequestFrom,
  sourceFrom,
  workersFrom,
  WORKERS_HELP,
  type SearchSettings,
} from './optimize.ts';
import { chooseRedisOnOwner, connectionSayer, REMOTE_HELP, remoteFrom } from '../compute/remoteCompute.ts';
import { runProgressLine } from '../../runProgressLine.ts';
import { walkForwardPurgeText } from '../../../../shared/walkForwardPurgeText.ts';
import { walkForwardEfficiencyText } from '../../../../shared/walkForwardEfficiencyText.ts';
import { inSampleMeanWindows } from '../../../../shared/inSampleMeanText.ts';

const OOS_HEADLINE = [
  'totalReturn',
  'annualizedReturn',
  'sharpeRatio',
  'maxDrawdown',
  'volatility',
  'calmarRatio',
];

interface PrintContext {
  readonly windows: WalkForwardRequest['windows'];
  readonly search: SearchSettings;
  /** How several symbols' figures are combined (each combined row says how). */
  readonly aggregation: SliceAggregation;
  /** Its windows are kept in the data folder (a run on the cache): it can be pinned by its id. */
  readonly stored: boolean;
  readonly time: TimeFormat;
  readonly args: ParsedArgs;
  readonly io: CommandIO;
}

/**
 * The timeframe the window table prints times at: the run's, or for a file read as it is, day bars
 * when a test window's bars are 20 hours or more apart (a day bar's time is only the hour it was
 * stamped at, so it prints as its session date).
 */
function printedTimeframe(result: WalkForwardResult): string {
  if (result.timeframe !== NATIVE_TIMEFRAME) return result.timeframe;
  const test = result.windows[0]?.test;
  if (test === undefined || test.end <= test.start) return result.timeframe;
  return (test.endTime - test.startTime) / (test.end - test.start) >= 20 * 3_600_000 ? '1d' : '1m';
}

/** --purge N (whole days or bars) or --purge warm-up; nothing without it. */
function purgeFrom(args: ParsedArgs): { purge?: number | 'warm-up' } {
  const raw = stringOption(args, 'purge');
  if (raw === undefined) return {};
  if (raw === 'warm-up') return { purge: raw };
  const value = Number(raw);
  if (!(Number.isInteger(value) && value >= 0))
    throw new UsageError(
      `--purge must be a whole number of days or bars (0 or more) or warm-up, got "${raw}"`,
    );
  return { purge: value };
}

/** The run's report (or its JSON), the same whether it ran here or in the folder's owner. */
function printResult(result: WalkForwardResult, context: PrintContext): number {
  const { windows, search, aggregation, time, args, io } = context;
  if (args.values['json']) {
    io.out(toJson({ windowSettings: windows, ...result }));
    return 0;
  }
  const names = search.space.params.map((p) => p.name);
  io.out(
    `Walk-forward ${search.strategy} on ${result.symbol}${result.session === 'extended' ? ' (extended hours)' : ''} (${windows.mode}, train ${windows.train} / test ${windows.test} / step ${windows.step} ${windows.unit}), ${result.windows.length} windows, seed ${search.seed}`,
  );
  io.out(walkForwardPurgeText(result.purge));
  io.out(
    table([
      [
        'window',
        `test from (${time.zone})`,
        ...names,
        `IS ${metricLabel(search.objectives[0]!.metric)}`,
        'OOS return',
        'OOS Sharpe',
      ],
      ...result.windows.map((w) => [
        String(w.index),
        time.barTime(w.test.startTime, printedTimeframe(result)),
        ...names.map((n) => String(w.params[n] ?? '')),
        formatMetric(search.objectives[0]!.metric, w.inSample[search.objectives[0]!.metric] ?? NaN),
        formatMetric('totalReturn', w.outOfSample['totalReturn'] ?? NaN),
        formatMetric('sharpeRatio', w.outOfSample['sharpeRatio'] ?? NaN),
      ]),
    ]),
  );
  io.out('\nOut of sample (stitched):');
  const inSampleCell = (key: string): string => {
    const over = inSampleMeanWindows(result.windows, key);
    return formatMetric(key, result.inSampleMean[key] ?? NaN) + (over === null ? '' : ` (${over})`);
  };
  const symbols = result.symbols ?? [];
  io.out(
    table([
      [
        'metric',
        symbols.length === 0 ? 'value' : 'combined',
        ...symbols.map((s) => s.symbol),
        'in sample (window mean)',
      ],
      // The in-sample column is what the Walk-forward view sets beside each out-of-sample figure.
      ...OOS_HEADLINE.map((k) => [
        symbols.length === 0 ? metricLabel(k) : combinedLabel(k, aggregation, search.objectives),
        formatMetric(k, result.outOfSample[k] ?? NaN),
        ...symbols.map((s) => formatMetric(k, s.outOfSample[k] ?? NaN)),
        inSampleCell(k),
      ]),
    ]),
  );
  if (result.combination !== undefined) io.out(`Combined: ${result.combination}.`);
  io.out(`Walk-forward efficiency: ${walkForwardEfficiencyText(result, formatMetric)}`);
  if (context.stored)
    io.out(
      `Run ${result.runId}: \`regimen compare add --walk-forward ${result.runId}\` pins its out-of-sample side.`,
    );
  io.out('Parameter stability (std as a share of the range, changes between windows):');
  io.out(
    table([
      ['param', 'mean', 'std/range', 'changes'],
      ...result.stability.map((s) => [
        s.name,
        s.kind === 'numeric' ? formatMetric('mean', s.mean ?? NaN) : String(s.mode),
        s.kind === 'numeric'
          ? formatMetric('std', s.normalizedStd ?? NaN)
          : `${((s.modeShare ?? 0) * 100).toFixed(0)}% mode`,
        String(s.changes),
      ]),
    ]),
  );
  for (const note of result.notes) io.out(`note: ${note}`);
  return 0;
}

/** `--out`: the out-of-sample tear sheet (HTML) or the windows (CSV), the same wherever the run ran. */
async function writeResult(out: OutTarget, result: WalkForwardResult, context: PrintContext): Promise<void> {
  const { windows, search, io } = context;
  await writeOut(
    out,
    out.format === 'csv'
      ? windowsCsv(result.windows)
      : tearSheetHtml({
          title: `Walk-forward ${search.strategy} on ${result.symbol}: out of sample`,
          subtitle: `${result.windows.length} windows (${windows.mode}, train ${windows.train} / test ${windows.test} / step ${windows.step} ${windows.unit}, purge ${result.purge.length}), seed ${search.seed}, efficiency ${result.efficiency === null ? 'n/a' : result.efficiency.toFixed(3)}`,
          metrics: result.outOfSample,
          sheet: result.tearSheet,
        }),
  );
  io.err(`wrote ${out.format === 'csv' ? 'the windows' : 'the tear sheet'} to ${out.path}\n`);
}

/**
 * A run's walkforward:progress on stderr, run here or by the owner: a meter line when interactive, never
 * under --json. A run by the owner also says each loss or return of its Redis once (`ownerRedis`); here,
 * the command's own Redis connection says it.
 */
function walkForwardProgressPrinter(
  io: CommandIO,
  args: ParsedArgs,
  jobId: string,
  ownerRedis: boolean,
): (progress: WalkForwardProgressEvent) => void {
  if (args.values['json']) return () => undefined;
  return runProgressLine(io, {
    jobId,
    style: io.interactive ? 'bar' : 'none',
    ...(ownerRedis ? { sayConnection: connectionSayer(io) } : {}),
  });
}

/**
 * The run by the Regimen process that owns the data folder (walkforward:run, as the app starts it):
 * progress over its event stream, Ctrl-C cancels it there, the report is the same.
 */
async function walkForwardThroughOwner(
  owner: Backend,
  request: Omit<WalkForwardInput, 'jobId'>,
  context: PrintContext,
  out: OutTarget | null,
): Promise<number> {
  const { args, io } = context;
  await chooseRedisOnOwner(owner, args, io);
  if (workersFrom(args) !== undefined) io.err(`note: ${owner.owner} runs the windows on its own workers\n`);
  const jobId = randomUUID();
  const print = walkForwardProgressPrinter(io, args, jobId, true);
  const stop = await owner.listen(on('walkforward:progress', print));
  const interrupt = (): void => void owner.request('job:cancel', { jobId }).catch(() => undefined);
  process.once('SIGINT', interrupt);
  let result: Awaited<ReturnType<typeof owner.request<'walkforward:run'>>>;
  try {
    if (!args.values['json']) io.err(`walk-forward running in ${owner.owner}\n`);
    result = await owner.request('walkforward:run', { ...request, jobId });
  } finally {
    process.removeListener('SIGINT', interrupt);
    stop();
  }
  if (io.interactive && !args.values['json']) io.err('\n');
  if ('cancelled' in result) {
    io.err('walk-forward cancelled\n');
    return 130;
  }
  if (out !== null) await writeResult(out, result, context);
  return printResult(result, context);
}

export const walkForwardCommand: Command = {
  usage:
    '(--csv FILE | --symbol SYM [--session regular|extended]) [--timeframe 1m] --strategy NAME [--space ... --constraint ... --sampler ...\n' +
    '        [--symbol GOOG,ORCL [--aggregate worst|mean|weighted] [--weights 0.6,0.4]]: several symbols, windows on their shared dates\n' +
    '        [--csv goog.csv,orcl.csv | --csv goog.csv --csv orcl.csv | --csv GOOG=a.csv,ORCL=b.csv]: several\n' +
    "        files, each its own symbol (the file name's stem in capitals unless named SYM=path), as several symbols\n" +
    '        --objective ... --mode single|weighted|pareto --trials N-per-window --seed S --min-trades N --plateau]\n' +
    '        [--train 365] [--test 30] [--step 7] [--unit days|bars] [--anchored] [--progress auto|bar|lines|none]\n' +
    `        ${ACCOUNT_USAGE}\n` +
    `        ${COST_USAGE}\n` +
    '        [--purge N|warm-up]: days or bars (the unit) each train window ends before its test window (0 by\n' +
    "        default); warm-up: the strategy's longest warm-up over its space (its upper corner and 16 sampled\n" +
    '        sets), so no test signal is computed over a bar the parameters were chosen on. Each train window\n' +
    '        warms up on the bars before it (before --start too, when cached), as a backtest from its start does\n' +
    '        [--workers N] [--redis URL] [--start ISO] [--end ISO] [--data-dir DIR] [--json] [--risk-free PCT]\n' +
    '        [--out FILE.html|FILE.csv [--overwrite]]: the out-of-sample tear sheet (HTML) or the windows (CSV)' +
    COMMISSION_HELP +
    WORKERS_HELP +
    REMOTE_HELP,
  options: {
    ...SEARCH_OPTIONS,
    train: { type: 'string' },
    test: { type: 'string' },
    step: { type: 'string' },
    purge: { type: 'string' },
    unit: { type: 'string' },
    anchored: { type: 'boolean' },
    aggregate: { type: 'string' },
    aggregation: { type: 'string' },
    weights: { type: 'string' },
    ...OUT_OPTIONS,
  },
  async run(args, io) {
    const time = timeFormatFrom(args);
    const { source, timeframes, start, end, session } = await sourceFrom(args, io);
    if (timeframes.length !== 1) throw new UsageError('walk-forward takes one --timeframe');
    const { aggregation, symbolWeights } = aggregationFrom(args, source, timeframes);
    const search = searchFrom(args, 50, (line) => io.err(`${line}\n`));
    const unit = stringOption(args, 'unit') ?? 'days';
    if (unit !== 'days' && unit !== 'bars')
      throw new UsageError(`--unit must be days or bars, got "${unit}"`);
    const windows = {
      mode: args.values['anchored'] ? ('anchored' as const) : ('rolling' as const),
      unit: unit as 'days' | 'bars',
      train: numberOption(args, 'train', 365),
      test: numberOption(args, 'test', 30),
      step: numberOption(args, 'step', 7),
      ...purgeFrom(args),
    };
    for (const key of ['train', 'test', 'step'] as const)
      if (!(windows[key] > 0)) throw new UsageError(`--${key} must be positive, got ${windows[key]}`);
    const out = outTarget(args, ['html', 'csv']);
    const symbols =
      source.kind === 'cache'
        ? (source.symbols ?? [source.symbol])
        : (source.files?.map((f) => f.symbol) ?? []);
    // Said once the flags are read, before the run: a trader waiting on it for the learner knows it
    // will not feed it.
    if (symbols.length > 1) io.err(`learner: ${severalSymbolsNotLearnedText(symbols)}\n`);
    const needsCache = source.kind === 'cache';
    // A run on the cache is asked as the app asks it (the request is stored with its windows: a compare
    // pin by run id replays it).
    const request =
      source.kind === 'cache'
        ? {
            ...searchRequestFrom(args, 50, io),
            // The seed the report prints (without --seed, each reading of the flags draws one).
            seed: search.seed,
            data: {
              ...(source.symbols === undefined
                ? { symbol: source.symbol }
                : { symbols: [...source.symbols] }),
              aggregation,
              ...(symbolWeights === undefined ? {} : { symbolWeights }),
              timeframe: timeframes[0] as Timeframe,
              ...(start === null ? {} : { start }),
              ...(end === null ? {} : { end }),
              session,
            },
            windows,
          }
        : undefined;
    const owner = needsCache ? await ownerBackend(args) : null;
    if (owner !== null && request !== undefined)
      return walkForwardThroughOwner(
        owner,
        request,
        { windows, search, aggregation, stored: true, time, args, io },
        out,
      );
    const options = accountOptionsFrom(args);
    const costs = costRequestFrom(args, io);
    const threads = workersFrom(args);
    const db = needsCache ? await openDatabaseHere(args, 'walk-forward on cached bars') : null;
    const pool = new ComputePool(threads);
    const remote = await remoteFrom(args, io).catch(async (error: unknown) => {
      await pool.close();
      db?.close();
      throw error;
    });
    const ledger = db === null ? undefined : createLedgerRecorder(db, (message) => io.err(`${message}\n`));
    const events = new EventBus();
    const jobId = randomUUID();
    const print = walkForwardProgressPrinter(io, args, jobId, false);
    const unsubscribe = events.subscribe((channel, payload) => {
      if (channel === 'walkforward:progress') print(payload as WalkForwardProgressEvent);
    });
    try {
      let result;
      try {
        result = await runWalkForwardJob(
          {
            jobId,
            strategy: studyStrategyRef(search.strategy),
            source,
            timeframe: timeframes[0]!,
            start,
            end,
            ...(source.kind === 'cache' ? { session } : {}),
            space: search.space,
            sampler: search.sampler,
            objectives: search.objectives,
            ...(search.mode === undefined ? {} : { mode: search.mode }),
            trials: search.trials,
            seed: search.seed,
            minTrades: search.minTrades,
            options,
            costs,
            preferPlateau: search.preferPlateau,
            windows,
            riskFreePercent: riskFreePercentFrom(args),
            aggregation,
            ...(symbolWeights === undefined ? {} : { symbolWeights }),
            ...(request === undefined ? {} : { request: WalkForwardRequest.parse(request) }),
          },
          {
            pool,
            bars: db === null ? null : new BarsRepository(db),
            windows: db === null ? null : new WalkForwardRepository(db),
            ...(ledger === undefined ? {} : { ledger }),
            ...computeFrom(pool, threads, remote),
            events,
          },
        );
      } catch (error) {
        // Window settings that do not fit the data are a usage problem, not a failure.
        if (error instanceof Error && error.message.startsWith('walk-forward: '))
          throw new UsageError(error.message);
        throw error;
      }
      if (io.interactive && !args.values['json']) io.err('\n');
      const context = { windows, search, aggregation, stored: db !== null, time, args, io };
      if (out !== null) await writeResult(out, result, context);
      return printResult(result, context);
    } finally {
      unsubscribe();
      await ledger?.flush();
      await remote?.close();
      await pool.close();
      db?.close();
    }
  },
};
