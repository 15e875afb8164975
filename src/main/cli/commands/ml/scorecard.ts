import { randomUUID } from 'node:crypto';
import { ranksBetterThanChance, SKILL_MIN_T } from '../../../../core/ml/learner/prequential.ts';
import { GOALS, POLICIES, type PolicyName, type Scorecard } from '../../../../core/ml/learner/scorecard.ts';
import type { RegimeAxis } from '../../../../core/regime/index.ts';
import { costsText } from '../../../../shared/costsText.ts';
import { SCORECARD_TRIALS, scorecardTrialsProblem } from '../../../../shared/learnerChoices.ts';
import type { RunProgressEvent } from '../../../../shared/runProgress.ts';
import { InputError } from '../../../../shared/errors.ts';
import { ComputePool } from '../../../compute/pool.ts';
import { EventBus } from '../../../services/events.ts';
import {
  runScorecard,
  SCORECARD_PHASES,
  scorecardPayload,
} from '../../../services/learner/learnerService.ts';
import { runProgress } from '../../../services/runProgress.ts';
import { numberOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { csvFile, loadBarsSource, sessionOption } from '../../barsSource.ts';
import { scorecardWindowsText } from '../../../../shared/scorecardWindowsText.ts';
import type { Command } from '../../command.ts';
import { runProgressLine } from '../../runProgressLine.ts';
import { formatProbability } from '../../../../core/metrics/definitions.ts';
import { formatMetric, formatShareInterval, table, toJson } from '../../format.ts';
import {
  ACCOUNT_USAGE,
  BACKTEST_OPTIONS,
  backtestTermsFrom,
  COMMISSION_HELP,
  COST_USAGE,
} from '../backtest/backtest.ts';
import { detectorOption, regimeTimeframe } from '../regime/regimes.ts';

const LABELS: Readonly<Record<PolicyName, string>> = {
  default: 'default parameters',
  optimised: 'walk-forward optimised',
  regimeAware: 'regime-aware',
  learner: "learner's recommendation",
};

function integer(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const value = numberOption(args, name, fallback);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

const fixed = (x: number | null, digits: number): string =>
  x !== null && Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
const signed = (x: number | null, digits: number, scale = 1): string =>
  x !== null && Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * scale).toFixed(digits)}` : 'n/a';

export const scorecardCommand: Command = {
  usage:
    `(--csv FILE | --symbol SYM) [--timeframe TF] [--strategy sma-cross] [--trials ${SCORECARD_TRIALS.default}: ${SCORECARD_TRIALS.min} to ${SCORECARD_TRIALS.max}] [--seed 1] [--window-bars N] [--session regular|extended]\n` +
    '        [--start ISO] [--end ISO] [--threshold 0.5] [--detector rules] [--axis volatility|trend] [--json]\n' +
    `        ${ACCOUNT_USAGE}\n` +
    `        ${COST_USAGE}\n` +
    "        [--risk-free PCT: annual rate the Sharpe ratios are measured against, default the settings' or 0]\n" +
    '        Walk-forward, out of sample, after the costs a backtest pays: the default parameters, one optimised set per train window,\n' +
    "        one set per regime, and the learner's recommendation at each test window (learned only from windows\n" +
    '        closed before it), beside the product goals. Train is three purge gaps (the longest warm-up), then test\n' +
    '        windows of a fifth of the rest rounded down to whole learner windows (--window-bars: a trading day of\n' +
    '        minutes, a month of days); the bars left over make a last one of their own when they are at least half a\n' +
    '        test window, and join the one before when fewer (a Sharpe of a few bars would skew the figures).' +
    COMMISSION_HELP,
  options: {
    ...BACKTEST_OPTIONS,
    strategy: { type: 'string' },
    trials: { type: 'string' },
    seed: { type: 'string' },
    'window-bars': { type: 'string' },
    threshold: { type: 'string' },
    detector: { type: 'string' },
    axis: { type: 'string' },
    'risk-free': { type: 'string' },
  },
  async run(args, io) {
    // The rule detector, as the contract's default: point in time and cheap enough to label every window.
    const detector = detectorOption(stringOption(args, 'detector') ?? 'rules');
    const axis = (stringOption(args, 'axis') ?? 'volatility') as RegimeAxis;
    if (axis !== 'trend' && axis !== 'volatility')
      throw new UsageError(`--axis must be trend or volatility, got "${axis}"`);
    const threshold = numberOption(args, 'threshold', 0.5);
    if (!(threshold >= 0 && threshold <= 1))
      throw new UsageError(`--threshold must be in [0, 1], got ${threshold}`);
    const trials = numberOption(args, 'trials', SCORECARD_TRIALS.default);
    const trialsProblem = scorecardTrialsProblem(trials);
    if (trialsProblem !== null) throw new UsageError(`--${trialsProblem}`);
    const seed = integer(args, 'seed', 1, 0);
    const windowBars =
      stringOption(args, 'window-bars') === undefined ? undefined : integer(args, 'window-bars', 0, 5);
    const strategy = stringOption(args, 'strategy') ?? 'sma-cross';
    const source = await loadBarsSource(args, io);
    const { account, riskFreeRate, commissionRate, costs } = await backtestTermsFrom(args, io, source.bars);
    const timeframe = regimeTimeframe(args, source);
    const sourceFlag = csvFile(args) === undefined ? '--symbol' : '--csv';
    const events = new EventBus();
    const jobId = randomUUID();
    // The app's words for the scorecard's progress, one line on stderr (stdout stays the report).
    const print = runProgressLine(io, {
      jobId,
      style: io.interactive && !args.values['json'] ? 'bar' : 'none',
    });
    const stop = events.subscribe((channel, payload) => {
      if (channel === 'learner:scorecard-progress') print(payload as RunProgressEvent);
    });
    const pool = new ComputePool(1);
    let card: Scorecard;
    try {
      const progress = runProgress(events, 'learner:scorecard-progress', jobId, {
        windowsTotal: 0,
        phase: SCORECARD_PHASES.study,
      });
      card = await runScorecard(
        pool,
        source.bars,
        {
          strategy,
          timeframe,
          windowBars,
          seed,
          session: sessionOption(args),
          account,
          riskFreeRate,
          trials,
          threshold,
          detector,
          axis,
        },
        'bars',
        progress,
      );
    } catch (error) {
      if (error instanceof InputError) {
        // The services' field names, as this command's flags (runScorecard blames the bars as "bars").
        const flag = { bars: sourceFlag, windowBars: '--window-bars' }[error.field ?? ''];
        throw new UsageError(flag === undefined ? error.message : `${flag}: ${error.message}`);
      }
      throw error;
    } finally {
      stop();
      await pool.close();
    }
    if (io.interactive && !args.values['json']) io.err('\n');
    const about = {
      symbol: source.label,
      timeframe,
      strategy,
      cash: account.cash ?? 10_000,
      commission: commissionRate,
      costs,
      riskFreeRate,
      trials,
    };
    if (args.values['json']) {
      io.out(toJson(scorecardPayload(card, about)));
      return 0;
    }
    io.out(scorecardText(card, about));
    return 0;
  },
};

export function scorecardText(card: Scorecard, about: Parameters<typeof scorecardPayload>[1]): string {
  const p = card.policies;
  const prediction = card.prediction;
  const row = (name: string, cell: (policy: Scorecard['policies'][PolicyName]) => string): string[] => [
    name,
    ...POLICIES.map((policy) => cell(p[policy])),
  ];
  const switched = card.decisions.filter((d) => d.action === 'switch').length;
  // Kept with a prediction in hand because the learner's ranking so far was no better than chance.
  const atChance = card.decisions.filter(
    (d) => d.predicted !== null && !ranksBetterThanChance(d.skill),
  ).length;
  const lines = [
    `Scorecard, ${about.strategy} on ${about.symbol} (${about.timeframe}): ${card.bars.toLocaleString('en-US')} bars, ${scorecardWindowsText(card)} ` +
      `after a train window of ${card.train} (purge ${card.purge}); cash ${about.cash}, commission ` +
      `${about.commission * 100} % a side, costs: ${costsText(about.costs)}; Sharpe over a risk-free rate of ${about.riskFreeRate * 100} %; ` +
      `the learner predicts windows of ${card.windowBars} bars and switched ${switched} of ${card.windows} times ` +
      `(kept ${atChance} times for a rank correlation over the windows closed so far short of a positive one at t >= ${SKILL_MIN_T}, ` +
      `whatever its confidence)`,
    '',
    table([
      ['out of sample', ...POLICIES.map((name) => LABELS[name])],
      row('Sharpe ratio', (x) => formatMetric('sharpeRatio', x.sharpeRatio)),
      row('max drawdown', (x) => formatMetric('maxDrawdown', x.maxDrawdown)),
      row('total return', (x) => formatMetric('totalReturn', x.totalReturn)),
      row('win rate', (x) => formatMetric('winRate', x.winRate)),
      row('trades', (x) => String(x.trades)),
      row('parameter stability', (x) => fixed(x.stability, 2)),
      row('deflated Sharpe', (x) => formatProbability(x.deflatedSharpe)),
      row('PBO', (x) => formatProbability(x.pbo)),
    ]),
    `Deflated Sharpe ratios count all ${card.trialCount} trials of all policies. PBO is n/a where no set is picked ` +
      'by its in-sample rank (the default parameters, the learner).',
    `Learner, delayed prequential over ${card.prediction.predictions.toLocaleString('en-US')} predictions ` +
      `(t and [95 % interval] over windows): "A beats B" ${formatShareInterval(prediction.pairwise, prediction.pairwiseInterval)}, ` +
      `rank correlation ${fixed(prediction.rank, 3)} (t ${fixed(prediction.rankT, 1)}), ` +
      `top-quintile precision ${formatShareInterval(prediction.topQuintile, prediction.topQuintileInterval)}, ` +
      `80 % interval coverage ${formatShareInterval(prediction.coverage80, prediction.coverage80Interval)}`,
    '',
    table([
      ['goal (against the default parameters)', LABELS.optimised, LABELS.regimeAware, LABELS.learner],
      ...card.goals.map((g) => [
        g.target,
        ...(['optimised', 'regimeAware', 'learner'] as const).map((name) => {
          const value = g.measured[name];
          if (value === undefined) return '-';
          const shown =
            g.goal === 'sharpe'
              ? signed(value, 2)
              : g.goal === 'drawdown'
                ? `${signed(value, 1, 100)} %`
                : g.goal === 'winRate'
                  ? `${signed(value, 1, 100)} pts`
                  : g.goal === 'predictionAccuracy'
                    ? `${fixed(value * 100, 1)} %`
                    : fixed(value, 2);
          return `${g.met[name] ? 'met' : 'not met'} (${shown})`;
        }),
      ]),
    ]),
    `Goals: Sharpe +${GOALS.sharpeDelta}, drawdown -${GOALS.drawdownReduction * 100} %, win rate +${GOALS.winRatePoints * 100} points, ` +
      `prediction accuracy above ${GOALS.predictionAccuracy * 100} %, stability above ${GOALS.stability}.`,
  ];
  return lines.join('\n');
}
