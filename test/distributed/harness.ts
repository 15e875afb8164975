/** What the distributed tests share: the study, the local reference run and the remote run. */
import { NO_COSTS } from '../../src/core/engine/index.ts';
import { parseSpace, type TrialRecord } from '../../src/core/optimize/index.ts';
import { RemoteCompute, type RemoteComputeOptions } from '../../src/main/services/compute/queueEvaluator.ts';
import { OptimizeService } from '../../src/main/services/optimize/optimizeService.ts';
import { studyRecords } from '../../src/main/services/optimize/studyRecords.ts';
import type { NewStudy } from '../../src/main/services/optimize/studySetup.ts';
import type { WalkForwardJob } from '../../src/main/services/optimize/walkForwardService.ts';
import type { StudyDetail } from '../../src/shared/contract.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { redisMissing } from '../support/redisServer.ts';
import { smaCrossDefinition, type OptimizeHarness } from '../support/studies.ts';
import { studyStrategyRef } from '../../src/main/services/backtest/strategyCatalog.ts';

export const goog = sharedDataFile('GOOG.csv');
/** Why the distributed tests cannot run here, or null. */
export const distributedSkip = redisMissing() ?? (goog.present ? null : `${goog.path} is absent`);
export const skipTitle = distributedSkip === null ? '' : ` (skipped: ${distributedSkip})`;

/** A random sma-cross study on GOOG (or the same sma-cross under another strategy name). */
export function googStudy(
  trials: number,
  options: { strategy?: string; space?: string[]; sampler?: NewStudy['sampler'] } = {},
): NewStudy {
  const definition = smaCrossDefinition({ kind: 'file', path: goog.path }, ['native'], trials);
  return {
    name: 'remote',
    definition: { ...definition, strategy: studyStrategyRef(options.strategy ?? 'sma-cross') },
    space: parseSpace(options.space ?? ['fast=16:40', 'slow=41:120'], []),
    sampler: options.sampler ?? { kind: 'random' },
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    seed: 11,
    minTrades: 0,
  };
}

/** A seeded walk-forward of sma-cross on GOOG: 8 random trials per window, 4 rolling windows of bars. */
export function googWalkForward(): WalkForwardJob {
  return {
    strategy: studyStrategyRef('sma-cross'),
    source: { kind: 'file', path: goog.path },
    timeframe: '1d',
    start: null,
    end: null,
    space: parseSpace(['fast=5:30', 'slow=35:90'], []),
    sampler: { kind: 'random' },
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    trials: 8,
    seed: 23,
    minTrades: 0,
    options: { cash: 10_000 },
    costs: { commissionRate: 0.002, settings: NO_COSTS },
    preferPlateau: false,
    windows: { mode: 'rolling', unit: 'bars', train: 500, test: 120, step: 120 },
  };
}

/** A trial without its clock times: what must be equal between two runs of the same seed. */
export const strip = (t: TrialRecord) => ({
  number: t.number,
  params: t.params,
  status: t.status,
  values: t.values,
  metrics: t.metrics,
  error: t.error,
});

/** Runs a study to its end on the harness's pool and returns its stored trials. */
export async function runLocally(h: OptimizeHarness, study: NewStudy): Promise<TrialRecord[]> {
  const id = await h.service.create(study);
  await h.service.resume(id);
  await h.service.wait(id);
  return studyRecords(h.db).loadTrials(id);
}

/**
 * Runs a study on the workers of `redisUrl`; `during` runs once the study has started (a kill, a
 * restart). Returns the stored trials and the study's final state.
 */
export async function runRemotely(
  h: OptimizeHarness,
  study: NewStudy,
  options: RemoteComputeOptions,
  during?: (remote: RemoteCompute) => Promise<void>,
): Promise<{ trials: TrialRecord[]; state: string; detail: StudyDetail }> {
  const remote = await RemoteCompute.connect({ ...options, pollMs: 250 });
  try {
    const service = new OptimizeService({
      studies: studyRecords(h.db),
      bars: h.bars,
      pool: h.pool,
      events: h.events,
      compute: remote.evaluators,
    });
    const id = await service.create(study);
    await service.resume(id);
    await during?.(remote);
    const detail = await service.wait(id);
    return { trials: await studyRecords(h.db).loadTrials(id), state: detail.summary.state, detail };
  } finally {
    await remote.close();
  }
}
