/**
 * The per-regime study and the comparison against one global set, as jobs on the compute pool: a
 * comparison over a year of minutes is minutes of backtests, so it reports progress through the job
 * lifecycle and `job:cancel` stops it (the pool abandons the worker's task).
 */
import { MessageChannel } from 'node:worker_threads';
import type { Timeframe } from '../../../core/data/bars.ts';
import { AXIS_LABELS } from '../../../core/regime/index.ts';
import type { RegimeScore, RegimeSelection } from '../../../core/regime/perRegime.ts';
import { warmupProbes, type Params } from '../../../core/optimize/index.ts';
import { sampleCandidates } from '../../../core/regime/perRegime.ts';
import type {
  RegimeCompareRequest,
  RegimeCompareResult,
  RegimeStudyRequest,
  RegimeStudyResult,
} from '../../../shared/regimeContract.ts';
import { InputError } from '../../../shared/errors.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { CompareProgress, RegimeCompareOutput, RegimeStudySpec } from '../../compute/tasks.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import { getStrategyOrThrow } from '../backtest/strategyCatalog.ts';
import { resolveCosts } from '../costs.ts';
import { runJob, type Job, type JobContext } from '../jobs.ts';
import { resolveSpace } from '../optimize/studySetup.ts';
import { finiteOrNull } from '../payloads.ts';
import { SCORECARD_PHASES } from '../learner/learnerService.ts';
import { runProgress, type RunPhase } from '../runProgress.ts';

export interface RegimeJobDeps {
  readonly bars: BarsRepository;
  readonly pool: ComputePool;
  readonly jobs: JobContext;
  /** The settings' annual risk-free rate in % (read per request): what every Sharpe ratio here is over. */
  readonly riskFreePercent?: () => number;
}

/** Where core refuses a setting (window sizes, too few bars), the caller asked for something impossible. */
const CORE_REFUSALS = /^(regime comparison|per-regime study|walk-forward|persistence|regime detector|jump):/;

async function onPool<T>(job: Job, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    job.throwIfCancelled();
    const message = error instanceof Error ? error.message : String(error);
    if (CORE_REFUSALS.test(message)) throw new InputError(message);
    throw error;
  }
}

/**
 * The sets whose longest warm-up is a comparison's strategy lookback: the probes of the space its trials
 * are drawn from (warmupProbes), as a walk-forward's 'warm-up' purge measures it.
 */
function spaceProbes(request: Pick<RegimeStudyRequest, 'strategy' | 'seed'>): Params[] {
  return warmupProbes(resolveSpace(getStrategyOrThrow(request.strategy), undefined, []), request.seed);
}

/** `stage(name, step)`: the two steps before the pool's work (0: loading bars, 1: bars loaded). */
async function studySpec(
  request: RegimeStudyRequest,
  deps: RegimeJobDeps,
  stage: (name: string, step: number) => void,
): Promise<RegimeStudySpec> {
  const definition = getStrategyOrThrow(request.strategy);
  const space = resolveSpace(definition, undefined, []);
  const candidates = sampleCandidates(space, { kind: request.sampler }, request.trials, request.seed);
  stage('loading bars', 0);
  const bars = await deps.bars.read(request.symbol, request.timeframe, { session: request.session });
  if (bars.t.length === 0)
    throw new InputError(`No ${request.timeframe} bars stored for ${request.symbol}`, 'timeframe');
  // The costs a backtest of the symbol charges (its asset class's defaults under the settings given), as
  // `regimen regimes compare` does: the app and the CLI compare at the same costs.
  const { models } = await resolveCosts(
    { commissionRate: request.commission, settings: request.costs },
    { kind: 'cache', symbol: request.symbol },
    deps.bars,
    bars.t,
  );
  stage(`${candidates.length} trials per regime`, 1);
  return {
    bars,
    timeframe: request.timeframe,
    detector: request.detector,
    settings: request.settings ?? {},
    axis: request.axis,
    strategy: request.strategy,
    candidates,
    backtest: {
      ...models,
      ...(request.cash === undefined ? {} : { cash: request.cash }),
    },
    minTrades: request.minTrades,
    minDwell: request.minDwell,
    riskFreeRate: (deps.riskFreePercent?.() ?? 0) / 100,
  };
}

const scoreOut = (score: RegimeScore): RegimeStudyResult['global']['score'] => ({
  bars: score.bars,
  sharpeRatio: finiteOrNull(score.sharpeRatio),
  totalReturn: finiteOrNull(score.totalReturn),
  trades: score.trades,
  winRate: finiteOrNull(score.winRate),
});

/** What a per-regime selection was made on and how, as its result names it. */
export type RegimeStudyContext = Pick<
  RegimeStudyRequest,
  'symbol' | 'timeframe' | 'detector' | 'axis' | 'strategy' | 'minTrades'
> & { readonly timeframes?: readonly Timeframe[] };

/** A per-regime selection as the contract carries it (regimes:winners, and an optimizer study's sets). */
export function regimeStudyResult(
  request: RegimeStudyContext,
  bars: number,
  selection: RegimeSelection,
): RegimeStudyResult {
  const names = AXIS_LABELS[request.axis];
  return {
    symbol: request.symbol,
    timeframe: request.timeframe,
    ...(request.timeframes === undefined ? {} : { timeframes: [...request.timeframes] }),
    detector: request.detector,
    axis: request.axis,
    strategy: request.strategy,
    bars,
    global: { params: { ...selection.global.params }, score: scoreOut(selection.global.all) },
    regimes: selection.regimes.map((r) => ({
      label: names[r.regime]!,
      params: { ...r.params },
      score: scoreOut(r.score),
      fellBack: r.fellBack,
      reason: r.reason,
    })),
    trialCount: selection.trialCount,
    minTrades: request.minTrades,
  };
}

/** `regimes:winners`: each regime's best set over all stored bars, or the global set and why. */
export function runRegimeStudy(request: RegimeStudyRequest, deps: RegimeJobDeps): Promise<RegimeStudyResult> {
  return runJob(
    deps.jobs,
    { jobId: request.jobId, stage: 'per-regime study', cancellable: true },
    async (job) => {
      const spec = await studySpec(request, deps, (stage, step) => job.progress(step, 3, { stage }));
      const selection = await onPool(job, () => deps.pool.run({ kind: 'regime-study', ...spec }, job.signal));
      job.progress(3, 3, { stage: 'done' });
      return regimeStudyResult(request, spec.bars.t.length, selection);
    },
  );
}

const policyOut = (report: RegimeCompareOutput['global']): RegimeCompareResult['globalPolicy'] => ({
  sharpeRatio: finiteOrNull(report.sharpeRatio),
  maxDrawdown: finiteOrNull(report.maxDrawdown),
  totalReturn: finiteOrNull(report.totalReturn),
  winRate: finiteOrNull(report.winRate),
  trades: report.trades,
  turnover: finiteOrNull(report.turnover),
  deflatedSharpe: finiteOrNull(report.deflatedSharpe),
  trialCount: report.trialCount,
  pbo: finiteOrNull(report.pbo),
});

/**
 * The comparison's parts as its progress names them, each with the share of the run it spans: rough
 * shares of a run's time at the default 40 trials, measured from the CLI's progress line on GOOG's day
 * bars (4.8 s: study 18 %, windows 61 %, overfitting 20 %) and SPY's minutes (6.1 s: 42, 41, 18).
 */
export const COMPARE_PHASES = {
  study: { name: SCORECARD_PHASES.study.name, from: 0, to: 0.3 },
  windows: { name: 'global and regime-aware policies', from: 0.3, to: 0.8 },
  overfitting: { name: SCORECARD_PHASES.overfitting.name, from: 0.8, to: 1 },
} as const satisfies Record<string, RunPhase>;

/** `regimes:compare`: walk-forward of the regime-switched policy against one global set, with its verdict. */
export function runRegimeCompare(
  request: RegimeCompareRequest,
  deps: RegimeJobDeps,
): Promise<RegimeCompareResult> {
  return runJob(
    deps.jobs,
    { jobId: request.jobId, stage: 'regime comparison', cancellable: true },
    async (job) => {
      // Nothing is done until a window is: the window count (the total) is known only once they are laid out.
      const spec = await studySpec(request, deps, (stage) => job.progress(0, 1, { stage }));
      const windows = {
        ...(request.train ? { train: request.train } : {}),
        ...(request.test ? { test: request.test } : {}),
      };
      // The windows are the long part: each one tested is a step, after loading and the full-sample study.
      // regimes:compare-progress says the same with the part running and a rough time left.
      const progress = runProgress(deps.jobs.events, 'regimes:compare-progress', job.jobId, {
        windowsTotal: 0,
        phase: COMPARE_PHASES.study,
      });
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (message: CompareProgress) => {
        if (message.part === 'overfitting') {
          progress.phase(COMPARE_PHASES.overfitting, 0);
          return;
        }
        const { done, total } = message;
        job.progress(2 + done, total + 2, { stage: `window ${done} of ${total}` });
        if (done === 0) progress.phase(COMPARE_PHASES.windows, total);
        else progress.windowDone(done);
      });
      let result;
      try {
        result = await onPool(job, () =>
          deps.pool.run(
            {
              kind: 'regime-compare',
              ...spec,
              ...windows,
              warmupSets: spaceProbes(request),
              progress: port2,
            },
            job.signal,
          ),
        );
      } finally {
        port1.close();
      }
      progress.finished();
      // A port's last messages may arrive after the result: the total is the result's own.
      const steps = result.windows.length + 2;
      job.progress(steps, steps, { stage: 'done' });
      return {
        ...regimeStudyResult(request, spec.bars.t.length, result.fullSample),
        windows: result.windows.length,
        train: result.train,
        test: result.test,
        purge: result.purge,
        fellBackWindows: AXIS_LABELS[request.axis].map(
          (_, k) => result.windows.filter((w) => w.regimes[k]!.fellBack).length,
        ),
        regimeAware: policyOut(result.regimeAware),
        globalPolicy: policyOut(result.global),
        better: result.better,
        verdict: result.verdict,
      };
    },
  );
}
