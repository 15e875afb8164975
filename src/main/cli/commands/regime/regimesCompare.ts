import { randomUUID } from 'node:crypto';
import {
  AXIS_LABELS,
  createDetector,
  DETECTOR_NAMES,
  type RegimeAxis,
} from '../../../../core/regime/index.ts';
import { compareRegimeAware, type PolicyReport } from '../../../../core/regime/compare.ts';
import { warmupProbes } from '../../../../core/optimize/index.ts';
import { sampleCandidates, type RegimeScore } from '../../../../core/regime/perRegime.ts';
import { getStrategyOrThrow, resolveSpace, StudyInputError } from '../../../services/optimize/studySetup.ts';
import { listOption, numberOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { barsSourceFrom, loadBarsSource } from '../../barsSource.ts';
import type { Command } from '../../command.ts';
import { runProgressLine } from '../../runProgressLine.ts';
import { formatProbability } from '../../../../core/metrics/definitions.ts';
import { formatMetric, table, toJson } from '../../format.ts';
import { resolveCosts } from '../../../services/costs.ts';
import { EventBus } from '../../../services/events.ts';
import { COMPARE_PHASES } from '../../../services/regime/regimeJobs.ts';
import { runProgress } from '../../../services/runProgress.ts';
import type { RunProgressEvent } from '../../../../shared/runProgress.ts';
import {
  accountOptionsFrom,
  BACKTEST_OPTIONS,
  ACCOUNT_USAGE,
  COMMISSION_HELP,
  COST_USAGE,
  costRequestFrom,
  riskFreePercentFrom,
} from '../backtest/backtest.ts';
import { progressStyle } from '../optimize/optimize.ts';
import {
  detectorOption,
  detectorSettingOptions,
  detectorSettingsFrom,
  detectorSettingsHelp,
  regimeTimeframe,
  SET_DWELL_HELP,
  SET_MIN_DWELL,
  STUDY_SETTING_FLAGS,
} from './regimes.ts';

const AXES: readonly RegimeAxis[] = ['trend', 'volatility'];

function integer(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const value = numberOption(args, name, fallback);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

function optionalInteger(args: ParsedArgs, name: string, min: number): number | undefined {
  return stringOption(args, name) === undefined ? undefined : integer(args, name, 0, min);
}

const paramsText = (params: Readonly<Record<string, number>>): string =>
  Object.entries(params)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');

const REPORT_ROWS: readonly [label: string, key: keyof PolicyReport, metric: string][] = [
  ['Sharpe ratio', 'sharpeRatio', 'sharpeRatio'],
  ['max drawdown', 'maxDrawdown', 'maxDrawdown'],
  ['total return', 'totalReturn', 'totalReturn'],
  ['win rate', 'winRate', 'winRate'],
  ['trades', 'trades', 'numTrades'],
];

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

export const regimesCompareCommand: Command = {
  usage:
    `(--csv FILE | --symbol SYM) [--timeframe TF] [--detector ${DETECTOR_NAMES.join('|')}] [--axis trend|volatility]\n` +
    '        [--strategy sma-cross] [--space ... --constraint ...] [--sampler random|grid] [--trials 40] [--seed 1]\n' +
    '        [--train BARS] [--test BARS] [--step BARS] [--purge BARS] [--min-trades 30]\n' +
    '        [--session regular|extended] [--start ISO] [--end ISO] [--progress auto|bar|lines|none] [--json]\n' +
    `        ${ACCOUNT_USAGE}\n` +
    `        ${COST_USAGE}\n` +
    `${SET_DWELL_HELP}\n${detectorSettingsHelp(STUDY_SETTING_FLAGS)}\n` +
    "        [--risk-free PCT: annual rate the Sharpe ratios are measured against, default the settings' or 0]\n" +
    '        Walk-forward of one parameter set per regime (switched at each regime change) against one global\n' +
    '        set from the same trials: labels recomputed in each train window, a purge gap of at least the\n' +
    '        longest lookback (strategy and detector warm-up) before each test; train defaults to three purge\n' +
    '        gaps, test to a fifth of the rest. "Better" needs a deflated Sharpe >= 95% and PBO < 20%.' +
    COMMISSION_HELP,
  options: {
    ...BACKTEST_OPTIONS,
    detector: { type: 'string' },
    axis: { type: 'string' },
    space: { type: 'string', multiple: true },
    constraint: { type: 'string', multiple: true },
    sampler: { type: 'string' },
    trials: { type: 'string' },
    seed: { type: 'string' },
    train: { type: 'string' },
    test: { type: 'string' },
    step: { type: 'string' },
    purge: { type: 'string' },
    'min-trades': { type: 'string' },
    'min-dwell': { type: 'string' },
    progress: { type: 'string' },
    'risk-free': { type: 'string' },
    ...detectorSettingOptions(STUDY_SETTING_FLAGS),
  },
  async run(args, io) {
    const detectorName = detectorOption(stringOption(args, 'detector'));
    const settings = detectorSettingsFrom(args, detectorName, STUDY_SETTING_FLAGS);
    const axis = (stringOption(args, 'axis') ?? 'volatility') as RegimeAxis;
    if (!AXES.includes(axis)) throw new UsageError(`--axis must be trend or volatility, got "${axis}"`);
    const strategyName = stringOption(args, 'strategy') ?? 'sma-cross';
    const samplerKind = stringOption(args, 'sampler') ?? 'random';
    if (samplerKind !== 'random' && samplerKind !== 'grid')
      throw new UsageError(
        `--sampler must be random or grid (both policies must choose from the same trials), got "${samplerKind}"`,
      );
    const trials = integer(args, 'trials', 40, 2);
    const seed = integer(args, 'seed', 1, 0);
    let definition;
    let candidates;
    let warmupSets;
    try {
      definition = getStrategyOrThrow(strategyName);
      const specs = listOption(args, 'space');
      const space = resolveSpace(
        definition,
        specs.length > 0 ? specs : undefined,
        listOption(args, 'constraint'),
      );
      candidates = sampleCandidates(space, { kind: samplerKind }, trials, seed);
      // The strategy's lookback is the space's longest warm-up, as a walk-forward's 'warm-up' purge's.
      warmupSets = warmupProbes(space, seed);
    } catch (error) {
      if (error instanceof StudyInputError || error instanceof RangeError)
        throw new UsageError(error.message);
      throw error;
    }
    const costRequest = costRequestFrom(args, io);
    const source = await loadBarsSource(args, io);
    const bars = source.bars;
    const { models } = await resolveCosts(costRequest, barsSourceFrom(args), null, bars.t);
    const backtest = { ...accountOptionsFrom(args), ...models };
    const timeframe = regimeTimeframe(args, source);
    const optional = {
      train: optionalInteger(args, 'train', 1),
      test: optionalInteger(args, 'test', 1),
      step: optionalInteger(args, 'step', 1),
      purge: optionalInteger(args, 'purge', 0),
    };
    const style = progressStyle(args, io);
    // The full-sample study, then each window's train study and two test runs: what the wait is made of,
    // in the app's words (stdout stays the result).
    const events = new EventBus();
    const jobId = randomUUID();
    const print = runProgressLine(io, { jobId, style });
    const stop = events.subscribe((channel, payload) => {
      if (channel === 'regimes:compare-progress') print(payload as RunProgressEvent);
    });
    const progress = runProgress(events, 'regimes:compare-progress', jobId, {
      windowsTotal: 0,
      phase: COMPARE_PHASES.study,
    });
    const onWindow = (done: number, total: number): void => {
      if (done === 0) progress.phase(COMPARE_PHASES.windows, total);
      else progress.windowDone(done);
    };
    let result;
    try {
      result = compareRegimeAware(bars, {
        definition,
        candidates,
        warmupSets,
        createDetector: () => createDetector(detectorName, timeframe, settings, [axis]),
        axis,
        backtest,
        riskFreeRate: riskFreePercentFrom(args) / 100,
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
        minTrades: integer(args, 'min-trades', 30, 0),
        minDwell: integer(args, 'min-dwell', SET_MIN_DWELL, 1),
        onWindow,
        onOverfitting: () => progress.phase(COMPARE_PHASES.overfitting, 0),
      });
      progress.finished();
      if (style === 'bar') io.err('\n');
    } catch (error) {
      if (
        error instanceof RangeError ||
        (error instanceof Error && error.message.startsWith('walk-forward:'))
      )
        throw new UsageError(error.message);
      throw error;
    } finally {
      stop();
    }
    const names = AXIS_LABELS[axis];
    if (args.values['json']) {
      // The stitched curves are for charts; the JSON keeps the figures and the windows.
      const { fullSample } = result;
      io.out(
        toJson({
          source: source.label,
          timeframe,
          detector: detectorName,
          strategy: strategyName,
          axis,
          purge: result.purge,
          train: result.train,
          test: result.test,
          lookback: result.lookback,
          trialsPerStudy: result.trialsPerStudy,
          regimeAware: result.regimeAware,
          global: result.global,
          better: result.better,
          verdict: result.verdict,
          fullSample: {
            global: fullSample.global.params,
            regimes: fullSample.regimes.map((r) => ({ label: names[r.regime], ...r })),
          },
          windows: result.windows.map((w) => ({
            ...w,
            regimes: w.regimes.map((r, k) => ({ label: names[k], ...r })),
          })),
        }),
      );
      return 0;
    }
    io.out(
      `${source.label}: ${bars.t.length.toLocaleString('en-US')} ${timeframe} bars, ${strategyName}, ` +
        `${result.trialsPerStudy} trials (${samplerKind}, seed ${seed}) per study, detector ${detectorName} on ${axis}; ` +
        `${result.windows.length} windows of train ${result.train} / test ${result.test} bars, purge ${result.purge} ` +
        `(strategy lookback ${result.lookback.strategy}, detector warm-up ${result.lookback.detector})`,
    );
    const score = (s: RegimeScore): string =>
      `Sharpe ${fixed(s.sharpeRatio, 2)}, ${s.trades} trades, ${s.bars} bars`;
    io.out(`\nPer-regime winners on all bars (global: ${paramsText(result.fullSample.global.params)})`);
    io.out(
      table([
        ['regime', 'parameters', 'in its regime', 'fallback'],
        ...result.fullSample.regimes.map((r) => [
          names[r.regime]!,
          paramsText(r.params),
          score(r.score),
          r.fellBack ? `global set: ${r.reason}` : 'no',
        ]),
      ]),
    );
    const fellBack = names.map(
      (name, k) => `${name} ${result.windows.filter((w) => w.regimes[k]!.fellBack).length}`,
    );
    io.out(
      `\nOut of sample (stitched test windows, costs included); windows where a regime fell back to the ` +
        `global set: ${fellBack.join(', ')} of ${result.windows.length}`,
    );
    io.out(
      table([
        ['', 'regime-aware', 'global set'],
        ...REPORT_ROWS.map(([label, key, metric]) => [
          label,
          formatMetric(metric, result.regimeAware[key]),
          formatMetric(metric, result.global[key]),
        ]),
        ['turnover / year', fixed(result.regimeAware.turnover, 2), fixed(result.global.turnover, 2)],
        [
          'deflated Sharpe',
          `${formatProbability(result.regimeAware.deflatedSharpe)} (${result.regimeAware.trialCount} trials)`,
          `${formatProbability(result.global.deflatedSharpe)} (${result.global.trialCount} trials)`,
        ],
        ['PBO', formatProbability(result.regimeAware.pbo), formatProbability(result.global.pbo)],
      ]),
    );
    io.out(
      `PBO per regime: ${result.regimeAware.pboByRegime.map((p, k) => `${names[k]} ${formatProbability(p)}`).join(', ')}`,
    );
    io.out(`\n${result.verdict}`);
    return 0;
  },
};
