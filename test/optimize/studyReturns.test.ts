/**
 * A study's statistics (deflated Sharpe, PBO) use the period returns its trials' own runs brought back:
 * the top trials are not run again on the pool, and the figures equal those of running them again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket } from '../../src/core/data/synthetic.ts';
import { Study, parseSpace } from '../../src/core/optimize/index.ts';
import { ComputePool } from '../../src/main/compute/pool.ts';
import type { WorkerTask } from '../../src/main/compute/tasks.ts';
import { studyStrategyRef } from '../../src/main/services/backtest/strategyCatalog.ts';
import { analyseStudy } from '../../src/main/services/optimize/analysis.ts';
import { poolEvaluators } from '../../src/main/services/optimize/evaluator.ts';
import { runStudyOnPool } from '../../src/main/services/optimize/studyExecution.ts';
import { oneSliceData } from '../../src/main/services/optimize/studySetup.ts';

describe('study statistics from the trials’ own returns', () => {
  let pool: ComputePool;
  const tasks: WorkerTask[] = [];
  beforeAll(() => {
    pool = new ComputePool(2);
    const run = pool.run.bind(pool);
    pool.run = ((task, signal) => {
      tasks.push(task);
      return run(task, signal);
    }) as ComputePool['run'];
  });
  afterAll(() => pool.close());

  const bars = createSyntheticMarket({
    seed: 5,
    start: Date.UTC(2023, 0, 2),
    end: Date.UTC(2023, 2, 1),
  }).generate(0).bars;
  const data = oneSliceData('synthetic', '1m', { id: 'synthetic-returns', bars });
  const settings = {
    strategy: studyStrategyRef('sma-cross'),
    options: { cash: 10_000 },
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' as const }],
    aggregation: 'mean' as const,
  };

  const analyse = async (keepReturns: boolean) => {
    const study = new Study({
      space: parseSpace(['fast=5:30:5', 'slow=40:120:20'], ['fast<slow']),
      sampler: { kind: 'grid' },
      objectives: settings.objectives,
      seed: 1,
      minTrades: 0,
      maxTrials: 30,
    });
    const evaluator = await poolEvaluators(pool, { keepReturns })(data, settings, 'returns-test');
    await runStudyOnPool(study, { evaluator, isCancelled: () => false });
    const during = tasks.length;
    const analysis = await analyseStudy(study, evaluator, { preferPlateau: false, periodsPerYear: 252 });
    return { analysis, after: tasks.slice(during), tasksDuring: tasks.slice(0, during) };
  };

  it('runs no trial again for PBO, and finds what running them again finds', async () => {
    tasks.length = 0;
    const kept = await analyse(true);
    expect(kept.analysis.report.pbo?.trialsUsed).toBe(30);
    expect(kept.after.filter((t) => t.kind === 'trials' && t.periodReturns === true)).toEqual([]);
    expect(kept.tasksDuring.every((t) => t.kind === 'trials' && t.periodReturns === true)).toBe(true);

    tasks.length = 0;
    const rerun = await analyse(false);
    const again = rerun.after.filter((t) => t.kind === 'trials' && t.periodReturns === true);
    expect(again.flatMap((t) => (t.kind === 'trials' ? t.paramSets : []))).toHaveLength(30);
    expect(kept.analysis.report).toEqual(rerun.analysis.report);
  });
});
