import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { isTimeframe, type Bars, type Timeframe } from '../../../../core/data/bars.ts';
import { inferTimeframe } from '../../../../core/data/timeframe.ts';
import { defaultWindowBars, type PanelWindow } from '../../../../core/ml/learner/panel.ts';
import type { ParameterLearner } from '../../../../core/ml/learner/parameterLearner.ts';
import { SKILL_MIN_T, type PrequentialReport } from '../../../../core/ml/learner/prequential.ts';
import { recommend, type Recommendation } from '../../../../core/ml/learner/recommend.ts';
import type { SearchSpace } from '../../../../core/optimize/space.ts';
import type { LearnerState } from '../../../../shared/learnerContract.ts';
import {
  barsStanding,
  ledgerStanding,
  trainOnBars,
  TooFewWindows,
  type LearnerSettings,
  type LearnerStanding,
} from '../../../compute/learnerTasks.ts';
import { restoreLearner } from '../../../ml/ledgerLearner.ts';
import { getStrategyOrThrow, resolveSpace, StudyInputError } from '../../../services/optimize/studySetup.ts';
import { listOption, numberOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { on, openBackend } from '../../backend.ts';
import { learnerFeedText } from '../../../../shared/learnerFeedText.ts';
import { barsSourceFrom, csvFile, loadBarsSource, sessionOption } from '../../barsSource.ts';
import type { Command, CommandIO } from '../../command.ts';
import {
  ACCOUNT_USAGE,
  BACKTEST_OPTIONS,
  backtestTermsFrom,
  COMMISSION_HELP,
  COST_USAGE,
} from '../backtest/backtest.ts';
import type { CostSettings } from '../../../../core/engine/index.ts';
import { costsText } from '../../../../shared/costsText.ts';
import { formatShareInterval, table, timeFormatFrom, toJson } from '../../format.ts';

/** The product's stated aims for the learner (issue 12), printed beside what was measured. */
const GOALS = {
  topQuintile: 0.3,
  rank: 0.1,
  rankT: SKILL_MIN_T,
  pairwise: 0.7,
  coveragePoints: 0.02,
  confidenceRatio: 0.5,
} as const;

const PANEL_OPTIONS = {
  ...BACKTEST_OPTIONS,
  'risk-free': { type: 'string' },
  space: { type: 'string', multiple: true },
  constraint: { type: 'string', multiple: true },
  'window-bars': { type: 'string' },
  sets: { type: 'string' },
  seed: { type: 'string' },
  model: { type: 'string' },
} as const;

/** The usage of a command on a panel of windows and sets, `options` its own beside the panel's. */
const panelUsage = (options = ''): string =>
  '(--csv FILE | --symbol SYM) [--timeframe TF] [--start ISO] [--end ISO] [--strategy sma-cross] ' +
  '[--space name=min:max ... [--constraint "fast<slow" ...]] ' +
  `[--window-bars N] [--session regular|extended] [--sets 50] [--seed 1] [--model linear|forest]${options} [--json]\n` +
  `        ${ACCOUNT_USAGE}\n` +
  `        ${COST_USAGE}\n` +
  "        [--risk-free PCT: annual rate each window's Sharpe is measured over, default the settings' or 0]\n" +
  "        Each set's window score is its Sharpe ratio after the costs a backtest of these bars pays (the folder's settings, or the flags)." +
  COMMISSION_HELP;

interface PanelSettings extends LearnerSettings {
  readonly sets: number;
  /** What the JSON and the text report of the costs. */
  readonly terms: { cash: number; commission: number; costs: CostSettings; riskFreeRate: number };
}

async function panelSettings(
  args: ParsedArgs,
  io: CommandIO,
  { bars, timeframe }: { bars: Bars; timeframe: Timeframe | 'native' },
): Promise<PanelSettings> {
  const strategyName = stringOption(args, 'strategy') ?? 'sma-cross';
  let space: SearchSpace;
  try {
    const strategy = getStrategyOrThrow(strategyName);
    const specs = listOption(args, 'space');
    const own = strategy.constraints.map((c) => `${c.left}<${c.right}`);
    space = resolveSpace(strategy, specs.length > 0 ? specs : undefined, [
      ...(specs.length > 0 ? own : []),
      ...listOption(args, 'constraint'),
    ]);
  } catch (error) {
    if (error instanceof StudyInputError) throw new UsageError(error.message);
    throw error;
  }
  const guessed = isTimeframe(timeframe) ? timeframe : (inferTimeframe(bars.t).timeframe ?? '1d');
  const windowBars = numberOption(args, 'window-bars', defaultWindowBars(guessed));
  const sets = numberOption(args, 'sets', 50);
  const model = stringOption(args, 'model') ?? 'linear';
  if (model !== 'linear' && model !== 'forest')
    throw new UsageError(`--model must be linear or forest, got "${model}"`);
  if (!(Number.isInteger(windowBars) && windowBars >= 5))
    throw new UsageError(`--window-bars must be an integer of at least 5, got ${windowBars}`);
  if (!(Number.isInteger(sets) && sets >= 5))
    throw new UsageError(`--sets must be an integer of at least 5, got ${sets}`);
  return {
    strategy: strategyName,
    space,
    windowBars,
    sets,
    seed: numberOption(args, 'seed', 1),
    model,
    timeframe,
    session: sessionOption(args),
    ...(await panelTerms(args, io, bars)),
  };
}

async function panelTerms(
  args: ParsedArgs,
  io: CommandIO,
  bars: Bars,
): Promise<Pick<PanelSettings, 'backtest' | 'riskFreeRate' | 'terms'>> {
  const { account, riskFreeRate, commissionRate, costs } = await backtestTermsFrom(args, io, bars);
  return {
    backtest: account,
    riskFreeRate,
    terms: { cash: account.cash, commission: commissionRate, costs, riskFreeRate },
  };
}

/** The panel of windows x sets on the bars and the learner's pass over it, as the app's Learner tab builds it. */
function evaluateOn(
  args: ParsedArgs,
  bars: Bars,
  settings: PanelSettings,
): { panel: PanelWindow[]; report: PrequentialReport } {
  try {
    return trainOnBars(bars, settings, settings.sets);
  } catch (error) {
    // Too few windows: a smaller --window-bars fits when the trader chose one, else more bars are needed.
    if (error instanceof TooFewWindows) {
      const flag =
        stringOption(args, 'window-bars') !== undefined
          ? '--window-bars'
          : csvFile(args) === undefined
            ? '--symbol'
            : '--csv';
      throw new UsageError(`${flag}: ${error.message}`);
    }
    throw error;
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const met = (ok: boolean): string => (ok ? 'met' : 'not met');

/** The evaluation's figures as JSON-ready data (the learner itself left out). */
export function evaluationFigures(report: PrequentialReport): Omit<PrequentialReport, 'learner'> {
  return Object.fromEntries(Object.entries(report).filter(([key]) => key !== 'learner')) as Omit<
    PrequentialReport,
    'learner'
  >;
}

export function evaluationTable(r: PrequentialReport): string {
  const rank = (f: PrequentialReport['rank']): string => `${f.mean.toFixed(3)} (t ${f.t.toFixed(1)})`;
  const top = (f: PrequentialReport['topQuintile']): string =>
    f.predictions === 0 ? '-' : formatShareInterval(f.precision, f);
  const coverageOk =
    Math.abs(r.coverage80 - 0.8) <= GOALS.coveragePoints &&
    Math.abs(r.coverage90 - 0.9) <= GOALS.coveragePoints;
  return table([
    // Every t and [95 % interval] counts windows, not predictions: Newey-West HAC over the windows in time order.
    ['figure (t, [95 % interval] over windows)', 'learner', "baseline: last window's score", 'goal', ''],
    ['MAE', r.mae.toFixed(3), r.baselineMae.toFixed(3), '', ''],
    [
      'rank correlation',
      rank(r.rank),
      rank(r.baselineRank),
      `>= ${GOALS.rank}, t >= ${GOALS.rankT}`,
      met(r.rank.mean >= GOALS.rank && r.rank.t >= GOALS.rankT),
    ],
    [
      'top-quintile precision',
      top(r.topQuintile),
      top(r.baselineTopQuintile),
      `>= ${pct(GOALS.topQuintile)}, interval above 20 %`,
      met(r.topQuintile.precision >= GOALS.topQuintile && r.topQuintile.lower > 0.2),
    ],
    [
      'pairwise "A beats B"',
      formatShareInterval(r.pairwise, r.pairwiseInterval),
      pct(r.baselinePairwise),
      `> ${pct(GOALS.pairwise)}`,
      met(r.pairwise > GOALS.pairwise),
    ],
    [
      'coverage 80 % / 90 %',
      `${formatShareInterval(r.coverage80, r.coverage80Interval)} / ${formatShareInterval(r.coverage90, r.coverage90Interval)}`,
      '',
      'within 2 points',
      met(coverageOk),
    ],
    ['unbounded intervals 80 % / 90 %', `${pct(r.unbounded80)} / ${pct(r.unbounded90)}`, '', '', ''],
    [
      'MAE top / bottom confidence decile',
      `${r.confidenceDeciles.top.toFixed(3)} / ${r.confidenceDeciles.bottom.toFixed(3)}`,
      '',
      '<= half',
      met(r.confidenceDeciles.top <= GOALS.confidenceRatio * r.confidenceDeciles.bottom),
    ],
    [
      'calibration (nominal: realised)',
      r.calibration.map((c) => `${Math.round(100 * c.nominal)}: ${pct(c.realised)}`).join(', '),
      '',
      '',
      '',
    ],
    ['quintile named', pct(r.quintileAccuracy), 'chance 20.0 %', '', ''],
    ['next regime', pct(r.regime.model), `stays: ${pct(r.regime.stays)}`, '', ''],
    ['drift resets', String(r.resets), '', '', ''],
  ]);
}

export const learnerEvaluateCommand: Command = {
  usage: panelUsage(),
  options: PANEL_OPTIONS,
  async run(args, io) {
    const data = await loadBarsSource(args, io);
    const settings = await panelSettings(args, io, data);
    const { report } = evaluateOn(args, data.bars, settings);
    const { terms } = settings;
    if (args.values['json']) {
      // The engine's cost models stay out: the terms say what they were built from.
      const about = { ...settings, space: undefined, backtest: undefined, terms: undefined, ...terms };
      io.out(toJson({ source: data.label, ...about, ...evaluationFigures(report) }));
      return 0;
    }
    io.out(
      `Learner, delayed prequential, ${settings.strategy} on ${data.label}: ${report.windows} windows of ${settings.windowBars} bars x ${settings.sets} sets = ` +
        `${report.predictions.toLocaleString('en-US')} predictions (each window predicted at its opening, learned at its close); ` +
        `scores after costs (cash ${terms.cash}, commission ${terms.commission * 100} % a side, ${costsText(terms.costs)}) over a risk-free rate of ${terms.riskFreeRate * 100} %`,
    );
    io.out(evaluationTable(report));
    return 0;
  },
};

export const learnerRecommendCommand: Command = {
  // Its own options among the others: after the footer they read as part of the costs' explanation.
  usage: panelUsage('\n        [--threshold 0.5] [--trials 64] [--from-ledger]'),
  options: {
    ...PANEL_OPTIONS,
    threshold: { type: 'string' },
    trials: { type: 'string' },
    'from-ledger': { type: 'boolean' },
  },
  async run(args, io) {
    const data = await loadBarsSource(args, io);
    const settings = await panelSettings(args, io, data);
    const threshold = numberOption(args, 'threshold', 0.5);
    if (!(threshold >= 0 && threshold <= 1))
      throw new UsageError(`--threshold must be in [0, 1], got ${threshold}`);
    let learner: ParameterLearner;
    let basis: string;
    let standing: LearnerStanding;
    if (args.values['from-ledger']) {
      // The saved state and the scored sets candidates stand against are read where the folder is open
      // (its owner, or here), as the Learner view's recommendation reads them; the learner is restored here.
      const backend = await openBackend(args);
      let state: LearnerState;
      try {
        state = await backend.request('learner:state', {
          strategy: settings.strategy,
          population: {
            symbol: ledgerSymbol(args),
            timeframe: settings.timeframe,
            session: settings.session,
          },
        });
      } finally {
        await backend.close();
      }
      const loaded = restoreLearner(settings.strategy, state.saved ?? undefined);
      learner = loaded.learner;
      standing = ledgerStanding(state.population);
      basis =
        `the ledger's ${settings.strategy} learner (version ${loaded.version}, ${loaded.learner.count} results; ` +
        'its skill out of sample is not measured, so it switches on confidence alone)';
    } else {
      const { panel, report } = evaluateOn(args, data.bars, settings);
      learner = report.learner;
      // No ledger here: the candidates' standing is read among the panel's sets, as the app's 'bars' answer reads it.
      standing = barsStanding(panel, report);
      basis = `a learner trained on ${learner.count} window results of ${data.label} (rank correlation ${report.rank.mean.toFixed(3)}, t ${report.rank.t.toFixed(1)}, pairwise ${formatShareInterval(report.pairwise, report.pairwiseInterval)} out of sample)`;
    }
    const r = recommend(learner, data.bars, {
      ...settings,
      trials: numberOption(args, 'trials', 64),
      threshold,
      ...standing,
    });
    if (args.values['json']) {
      // The skill the answer was gated on (null: not measured), beside the answer.
      io.out(toJson({ source: data.label, strategy: settings.strategy, basis, skill: standing.skill, ...r }));
      return 0;
    }
    io.out(recommendationText(r, data.label, basis));
    return 0;
  },
};

/** The symbol the ledger files the bars' results under: the cache's symbol, or a file's name. */
function ledgerSymbol(args: ParsedArgs): string {
  const source = barsSourceFrom(args);
  return source.kind === 'cache' ? source.symbol : basename(source.path);
}

function recommendationText(r: Recommendation, label: string, basis: string): string {
  const params = Object.entries(r.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  const lines = [
    r.action === 'keep' ? `Keep the current set: ${r.reason ?? ''}` : `Switch to ${params}`,
    `for ${label} in regime ${r.regime ?? 'unknown (warm-up)'}, from ${basis}`,
    '',
    table(
      [
        ['best set found', params],
        ['predicted score (next window Sharpe, window-scaled)', r.score.toFixed(3)],
        ['80 % interval', `${r.interval80.lower.toFixed(3)} to ${r.interval80.upper.toFixed(3)}`],
        ['90 % interval', `${r.interval90.lower.toFixed(3)} to ${r.interval90.upper.toFixed(3)}`],
        ['confidence', `${r.confidence.toFixed(2)} (novelty ${r.novelty.toFixed(2)})`],
        ['candidates searched (TPE)', String(r.candidates)],
        ...r.drivers.map((d) => [`driver: ${d.feature}`, d.contribution.toFixed(3)]),
      ],
      true,
    ),
  ];
  return lines.join('\n');
}

export const learnerStatusCommand: Command = {
  usage: '[--json]',
  options: {},
  async run(args, io) {
    // Through the folder's owner when one runs (the app or `regimen serve`), else in this process.
    const backend = await openBackend(args);
    try {
      const status = await backend.request('learner:status', {});
      if (args.values['json']) {
        io.out(toJson(status));
        return 0;
      }
      io.out(
        `Results ledger: ${status.ledger.trial} trials, ${status.ledger.windowTrain} train windows, ${status.ledger.windowTest} test windows`,
      );
      if (status.learners.length === 0) {
        io.out(
          `No learner yet: ${learnerFeedText()}; \`regimen learner backfill\` learns the runs stored before.`,
        );
        return 0;
      }
      const time = timeFormatFrom(args);
      io.out(
        table([
          [
            'strategy',
            'learnable rows',
            'learned',
            'pending',
            'state version',
            'drift resets',
            `saved (${time.zone})`,
          ],
          ...status.learners.map((l) => [
            l.strategy,
            String(l.rows),
            String(l.learned),
            // Rows the background learner has not reached yet: it learns once results stop arriving.
            l.pending === 0 ? 'up to date' : String(l.pending),
            String(l.version),
            String(l.resets),
            l.savedAt === null ? '-' : time.dateTime(l.savedAt),
          ]),
        ]),
      );
      return 0;
    } finally {
      await backend.close();
    }
  },
};

export const learnerBackfillCommand: Command = {
  usage: '[--json]',
  options: {},
  async run(args, io) {
    const backend = await openBackend(args);
    const jobId = randomUUID();
    const stop = await backend.listen(
      on('job:progress', (p) => {
        if (p.jobId === jobId && io.interactive && !args.values['json'])
          io.err(`\rbackfill: ${p.stage} ${p.done} / ${p.total}`);
      }),
    );
    // Ctrl-C cancels the job where it runs: what it appended stays, a later backfill adds the rest.
    const interrupt = (): void => void backend.request('job:cancel', { jobId }).catch(() => undefined);
    process.once('SIGINT', interrupt);
    try {
      const report = await backend.request('learner:backfill', { jobId });
      if (io.interactive && !args.values['json']) io.err('\n');
      if (args.values['json']) io.out(toJson(report));
      else {
        io.out(
          `Backfilled the results ledger: ${report.added} new rows (${report.trials} trials of ${report.studies} studies, ` +
            `${report.windows} walk-forward windows); ${report.learned} results learned`,
        );
        for (const note of report.skipped) io.err(`skipped: ${note}\n`);
      }
      return 0;
    } finally {
      process.removeListener('SIGINT', interrupt);
      stop();
      await backend.close();
    }
  },
};
