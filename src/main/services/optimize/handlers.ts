import type { DomainHandlers } from '../../../shared/contract.ts';
import type { OPTIMIZE_CHANNELS } from '../../../shared/optimizeChannels.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { Database } from '../../store/database.ts';
import { backfillLedger } from '../../ml/backfill.ts';
import { createLedgerRecorder } from '../../ml/ledgerLearner.ts';
import { LedgerRepository } from '../../store/ledgerRepository.ts';
import { WalkForwardRepository } from '../../store/walkForwardRepository.ts';
import { cancelAsOutcome, type JobContext, type JobRegistry } from '../jobs.ts';
import type { EvaluatorSource } from './evaluator.ts';
import { OptimizeService } from './optimizeService.ts';
import { studyRecords } from './studyRecords.ts';
import { runWalkForwardJob, walkForwardJobFrom } from './walkForwardService.ts';

/** The optimizer's request handlers and the service behind them (closed with the other services). */
export function createOptimizeHandlers(deps: {
  db: Database;
  bars: BarsRepository;
  pool: ComputePool;
  /** Where studies and walk-forward windows compute (Settings > Compute); the pool when absent. */
  compute?: EvaluatorSource;
  /** Studies and walk-forward runs are jobs of its registry, so `job:cancel` reaches them. */
  jobs: JobContext & { readonly jobs: JobRegistry };
  /** The Settings' annual risk-free rate in percent: a study's or walk-forward's unless it names one. */
  riskFreePercent?: () => number;
}): { handlers: DomainHandlers<typeof OPTIMIZE_CHANNELS>; service: OptimizeService } {
  // A failure to record a result for the learner is logged, never a failure of the study that produced it.
  const ledger = createLedgerRecorder(deps.db, (message) => console.warn(message));
  // What a killed process still held in its queue is recorded from the stored results, and the learner
  // learns what it had appended and not learned, before any new result is recorded.
  void ledger.recover(async () => {
    if (await new LedgerRepository(deps.db).missesStoredResults()) await backfillLedger(deps.db);
  });
  const service = new OptimizeService({
    studies: studyRecords(deps.db),
    bars: deps.bars,
    pool: deps.pool,
    events: deps.jobs.events,
    jobs: deps.jobs.jobs,
    ledger,
    ...(deps.compute === undefined ? {} : { compute: deps.compute }),
    ...(deps.riskFreePercent === undefined ? {} : { riskFreePercent: deps.riskFreePercent }),
  });
  const windows = new WalkForwardRepository(deps.db);
  return {
    service,
    handlers: {
      'optimize:start': (request) => service.start(request),
      'optimize:resume': ({ studyId }) => service.resume(studyId),
      'optimize:list': () => service.list(),
      'optimize:get': ({ studyId, includeTrials, offset, limit }) =>
        service.get(studyId, { offset, limit: includeTrials ? limit : 0 }),
      'optimize:delete': ({ studyId }) => service.delete(studyId),
      'optimize:annotate': (request) => service.annotate(request),
      'optimize:importance': (request) => service.importance(request),
      'optimize:neighbourhood': ({ studyId }) => service.neighbourhood(studyId),
      'optimize:trial-backtest': ({ studyId, trialNumber }) => service.trialBacktest(studyId, trialNumber),
      'optimize:approve': (request) => service.approve(request),
      'walkforward:run': (request) =>
        cancelAsOutcome(
          runWalkForwardJob(
            walkForwardJobFrom({
              ...request,
              riskFreePercent: request.riskFreePercent ?? deps.riskFreePercent?.() ?? 0,
            }),
            {
              ...deps.jobs,
              pool: deps.pool,
              bars: deps.bars,
              windows,
              ledger,
              ...(deps.compute === undefined ? {} : { compute: deps.compute }),
            },
          ),
        ),
    },
  };
}
