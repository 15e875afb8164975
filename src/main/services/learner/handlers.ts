import type { Bars, Timeframe } from '../../../core/data/bars.ts';
import {
  LearnerEvaluation,
  LearnerRecommendations,
  ScorecardResult,
  type DomainHandlers,
} from '../../../shared/contract.ts';
import type { LEARNER_CHANNELS } from '../../../shared/learnerChannels.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import { backfillLedger } from '../../ml/backfill.ts';
import { LedgerLearner } from '../../ml/ledgerLearner.ts';
import type { Settings } from '../../../shared/settingsContract.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import { settingsBacktestTerms } from '../costs.ts';
import type { Database } from '../../store/database.ts';
import { LedgerRepository } from '../../store/ledgerRepository.ts';
import { runJob, type Job, type JobContext } from '../jobs.ts';
import { runProgress } from '../runProgress.ts';
import {
  asInputError,
  chosenWindowField,
  finiteDeep,
  learnerSettings,
  learnerStatus,
  recommendationPopulation,
  runScorecard,
  SCORECARD_PHASES,
  scorecardPayload,
} from './learnerService.ts';

export interface LearnerHandlersDeps {
  readonly db: Database;
  readonly bars: BarsRepository;
  /** Where the backtests run (the pool; a test's in-process executor). */
  readonly pool: TaskExecutor;
  readonly jobs: JobContext;
  /** The settings record: the scorecard's cash, costs and risk-free rate where the request leaves them. */
  readonly settings: () => Settings;
}

/**
 * The learner's channels. Status reads the ledger; the evaluation, the recommendations and the scorecard
 * are backtests by the hundred, run on the compute pool as jobs, so other requests are answered meanwhile.
 */
export function createLearnerHandlers(deps: LearnerHandlersDeps): DomainHandlers<typeof LEARNER_CHANNELS> {
  const ledger = new LedgerRepository(deps.db);
  // The session asked for, explicitly: left out, stored 1m bars would be read with their extended hours,
  // where the CLI's --session (regular by default) reads them kept to the session it names.
  const readBars = async (
    job: Job,
    { symbol, timeframe, session }: { symbol: string; timeframe: Timeframe; session: 'regular' | 'extended' },
  ): Promise<Bars> => {
    job.progress(0, 2, { stage: 'loading bars' });
    const bars = await deps.bars.read(symbol, timeframe, { session });
    job.progress(1, 2, { stage: 'computing' });
    return bars;
  };
  // What a backtest of the symbol at these settings runs with and pays (its asset class filling what they
  // leave), and the rate its Sharpe ratios are over: every learner request's windows and policies.
  const backtestTerms = (
    request: Parameters<typeof settingsBacktestTerms>[0] & { readonly symbol: string },
    bars: Bars,
  ) =>
    settingsBacktestTerms(
      request,
      deps.settings(),
      { kind: 'cache', symbol: request.symbol },
      deps.bars,
      bars.t,
    );

  return {
    'learner:status': () => learnerStatus(ledger),
    'learner:state': async ({ strategy, population }) => ({
      saved: (await ledger.latestState(strategy)) ?? null,
      population:
        population === undefined
          ? []
          : (await recommendationPopulation(ledger, { ...population, strategy })).map(
              ({ params, score, endTime }) => ({ params, score, endTime }),
            ),
    }),
    'learner:backfill': (request) =>
      runJob(deps.jobs, { jobId: request.jobId, stage: 'ledger backfill', cancellable: true }, (job) =>
        backfillLedger(deps.db, job),
      ),

    'learner:evaluate': (request) =>
      runJob(
        deps.jobs,
        { jobId: request.jobId, stage: 'learner evaluation', cancellable: false },
        async (job) => {
          const bars = await readBars(job, request);
          const settings = learnerSettings({ ...request, ...(await backtestTerms(request, bars)) }, bars);
          const figures = await deps.pool
            .run({ kind: 'learner-evaluate', bars, settings, sets: request.sets })
            .catch((error: unknown) => {
              throw asInputError(error, {
                bars: 'symbol',
                windowBars: chosenWindowField(request.windowBars),
              });
            });
          job.progress(2, 2, { stage: 'done' });
          return LearnerEvaluation.parse(
            finiteDeep({
              ...figures,
              symbol: request.symbol,
              timeframe: request.timeframe,
              strategy: settings.strategy,
              windowBars: settings.windowBars,
              sets: request.sets,
            }),
          );
        },
      ),

    'learner:recommend': (request) =>
      runJob(
        deps.jobs,
        { jobId: request.jobId, stage: 'learner recommendation', cancellable: false },
        async (job) => {
          const bars = await readBars(job, request);
          const settings = learnerSettings({ ...request, ...(await backtestTerms(request, bars)) }, bars);
          // A fresh loader: the recorder's learner may have saved a newer version since the last request.
          const loaded = await new LedgerLearner(ledger).load(settings.strategy);
          const { calibrationWindow } = loaded.learner.options;
          // Below one calibration window the ledger's intervals and confidence are read over a handful of
          // results (a new user's few walk-forwards): the bars' own panel gives the learner thousands.
          const learnFrom =
            request.learnFrom ?? (loaded.learner.count >= calibrationWindow ? 'ledger' : 'bars');
          const { recommendations, trained } = await deps.pool
            .run({
              kind: 'learner-recommend',
              bars,
              settings,
              learner:
                learnFrom === 'bars'
                  ? { from: 'bars', sets: request.sets }
                  : {
                      from: 'ledger',
                      state: loaded.version === 0 ? null : loaded.learner.toState(),
                      population: await recommendationPopulation(ledger, {
                        symbol: request.symbol,
                        timeframe: request.timeframe,
                        strategy: settings.strategy,
                        session: request.session,
                      }),
                    },
              trials: request.trials,
              threshold: request.threshold,
              regimes: request.regimes,
            })
            .catch((error: unknown) => {
              throw asInputError(error, {
                bars: 'symbol',
                windowBars: chosenWindowField(request.windowBars),
              });
            });
          job.progress(2, 2, { stage: 'done' });
          return LearnerRecommendations.parse(
            finiteDeep({
              symbol: request.symbol,
              timeframe: request.timeframe,
              strategy: settings.strategy,
              basis:
                trained === null
                  ? {
                      source: 'ledger',
                      version: loaded.version,
                      learned: loaded.learner.count,
                      resets: loaded.learner.resets,
                    }
                  : { source: 'bars', ...trained },
              ledger: { learned: loaded.learner.count, calibrationWindow },
              recommendations,
            }),
          );
        },
      ),

    'learner:scorecard': (request) =>
      runJob(deps.jobs, { jobId: request.jobId, stage: 'scorecard', cancellable: false }, async (job) => {
        const bars = await readBars(job, request);
        const { account, riskFreeRate, commissionRate, costs } = await backtestTerms(request, bars);
        const progress = runProgress(deps.jobs.events, 'learner:scorecard-progress', job.jobId, {
          windowsTotal: 0,
          phase: SCORECARD_PHASES.study,
        });
        const input = { ...request, account, riskFreeRate };
        const card = await runScorecard(deps.pool, bars, input, 'symbol', progress);
        job.progress(2, 2, { stage: 'done' });
        return ScorecardResult.parse(
          finiteDeep(
            scorecardPayload(card, {
              symbol: request.symbol,
              timeframe: request.timeframe,
              strategy: request.strategy,
              cash: account.cash,
              commission: commissionRate,
              costs,
              riskFreeRate,
              trials: request.trials,
            }),
          ),
        );
      }),
  };
}
