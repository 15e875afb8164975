/**
 * Study benchmarks through the whole main-side optimizer (figures printed, never asserted):
 * 1. Throughput: 10,000 sma-cross trials on 100,000 one-minute bars, on the compute pool, every trial
 *    persisted (DuckDB, in memory) and announced as it finishes; target under 30 s on a 2-core machine.
 * 2. Search quality on `confluence` over the demo market: best Sharpe ratio reached by TPE and GA against
 *    random search at the same budget, median over seeds, side by side.
 * 3. The study's statistics (deflated Sharpe, PBO over the top 200 trials): with the period returns the
 *    trials' own runs brought back (now) against running the top trials again (before, the baseline),
 *    both in this run on the same study.
 * Run: npx tsx bench/study.bench.ts (or `npm run bench -- study`)
 */
import { availableParallelism } from 'node:os';
import { createSyntheticMarket } from '../src/core/data/synthetic.ts';
import { randomWalkBars } from '../src/core/engine/random-walk.ts';
import type { Bars } from '../src/core/data/bars.ts';
import { parseSpace, strategySpace, Study, type SamplerConfig } from '../src/core/optimize/index.ts';
import type { ComputePool } from '../src/main/compute/pool.ts';
import { analyseStudy } from '../src/main/services/optimize/analysis.ts';
import { poolEvaluators } from '../src/main/services/optimize/evaluator.ts';
import { runStudyOnPool } from '../src/main/services/optimize/studyExecution.ts';
import { getStrategy } from '../src/core/strategy/index.ts';
import { median } from '../src/core/math/statistics.ts';
import { DEMO_MARKET } from '../src/main/services/demoMarket.ts';
import { oneSliceData, type NewStudy } from '../src/main/services/optimize/studySetup.ts';
import { optimizeHarness, smaCrossDefinition } from '../test/support/studies.ts';
import { studyStrategyRef } from '../src/main/services/backtest/strategyCatalog.ts';

export interface StudyBenchResult {
  readonly throughput: {
    readonly trials: number;
    readonly bars: number;
    readonly seconds: number;
    readonly trialsPerSecond: number;
  };
  /** Seconds of the study and of its statistics, with the trials' returns kept and run again. */
  readonly statistics: {
    readonly trials: number;
    readonly kept: { readonly study: number; readonly analysis: number };
    readonly rerun: { readonly study: number; readonly analysis: number };
  };
  readonly quality: {
    readonly budget: number;
    readonly seeds: number;
    readonly medianBest: Readonly<Record<string, number>>;
  };
}

export async function runStudyBench(log: (line: string) => void = console.log): Promise<StudyBenchResult> {
  const threads = Math.max(1, availableParallelism());
  const optimizer = await optimizeHarness(threads);
  const { bars, service } = optimizer;
  try {
    // 1. Throughput.
    const walk = randomWalkBars(100_000, 42, { volatility: 0.0008 });
    await bars.write('BENCH', '1m', walk, 'bench');
    const trials = 10_000;
    const throughputStudy: NewStudy = {
      name: 'bench throughput',
      definition: smaCrossDefinition({ kind: 'cache', symbol: 'BENCH' }, ['1m'], trials),
      space: parseSpace(['fast=2:200', 'slow=5:600'], ['fast<slow']),
      sampler: { kind: 'random' },
      objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
      seed: 1,
      minTrades: 0,
    };
    const id = await service.create(throughputStudy);
    const started = performance.now();
    await service.resume(id);
    const detail = await service.wait(id);
    const seconds = (performance.now() - started) / 1000;
    const done = detail.summary.trialsDone;
    log(
      `sma-cross, ${trials.toLocaleString('en-US')} random trials on ${walk.t.length.toLocaleString('en-US')} 1m bars, ` +
        `${threads} workers, persisted + overfitting report: ${seconds.toFixed(1)} s total, ` +
        `${(done / seconds).toFixed(0)} trials/s (target < 30 s)`,
    );

    // 3. Statistics from the trials' own returns, against running the top trials again.
    const statistics = await statisticsBench(optimizer.pool, walk);
    log(
      `study statistics after ${statistics.trials} sma-cross trials on ${walk.t.length.toLocaleString('en-US')} 1m bars: ` +
        `${statistics.kept.analysis.toFixed(2)} s with the trials' own returns (study ${statistics.kept.study.toFixed(2)} s), ` +
        `${statistics.rerun.analysis.toFixed(2)} s running the top trials again (study ${statistics.rerun.study.toFixed(2)} s)`,
    );

    // 2. Quality on confluence over the demo market (one symbol, 15-minute bars of 2023).
    const market = createSyntheticMarket(DEMO_MARKET);
    const series = market.generate(0);
    await bars.write(series.symbol, '1m', series.bars, 'demo');
    const budget = 120;
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const samplers: Record<string, SamplerConfig> = {
      random: { kind: 'random' },
      tpe: { kind: 'tpe' },
      ga: { kind: 'ga' },
    };
    const bests: Record<string, number[]> = {};
    const qualityStarted = performance.now();
    for (const [name, sampler] of Object.entries(samplers)) {
      bests[name] = [];
      for (const seed of seeds) {
        const studyId = await service.create({
          name: `bench ${name} ${seed}`,
          definition: {
            strategy: studyStrategyRef('confluence'),
            source: { kind: 'cache', symbol: series.symbol },
            timeframes: ['15m'],
            start: Date.UTC(2023, 0, 1),
            end: Date.UTC(2024, 0, 1),
            aggregation: 'worst',
            options: { cash: 10_000, commission: { kind: 'percent', rate: 0.0005 } },
            preferPlateau: false,
            trials: budget,
          },
          space: strategySpace(getStrategy('confluence')),
          sampler,
          objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
          seed,
          minTrades: 5,
        });
        await service.resume(studyId);
        const result = await service.wait(studyId);
        const best = result.best?.values?.[0];
        bests[name].push(best === null || best === undefined ? Number.NEGATIVE_INFINITY : best);
      }
    }
    const medianBest = Object.fromEntries(Object.entries(bests).map(([k, v]) => [k, median(v)]));
    log(
      `confluence (its 12 parameters) on demo ${series.symbol}, 15m bars of 2023, ` +
        `best Sharpe at ${budget} trials, median of ${seeds.length} seeds (${((performance.now() - qualityStarted) / 1000).toFixed(1)} s):`,
    );
    log(
      `  ${Object.keys(medianBest)
        .map((k) => k.padStart(8))
        .join('')}`,
    );
    log(
      `  ${Object.values(medianBest)
        .map((v) => v.toFixed(3).padStart(8))
        .join('')}`,
    );
    return {
      throughput: { trials: done, bars: walk.t.length, seconds, trialsPerSecond: done / seconds },
      quality: { budget, seeds: seeds.length, medianBest },
      statistics,
    };
  } finally {
    await optimizer.close();
  }
}

/** The same seeded study twice on the pool: returns kept from its trials, then the top trials run again. */
export async function statisticsBench(
  pool: ComputePool,
  bars: Bars,
): Promise<StudyBenchResult['statistics']> {
  const trials = 1_000;
  const data = oneSliceData('BENCH', '1m', { id: 'bench-statistics', bars });
  const settings = {
    strategy: studyStrategyRef('sma-cross'),
    options: { cash: 10_000, commission: { kind: 'percent' as const, rate: 0.002 } },
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' as const }],
    aggregation: 'mean' as const,
  };
  const once = async (keepReturns: boolean) => {
    const study = new Study({
      space: parseSpace(['fast=2:200', 'slow=5:600'], ['fast<slow']),
      sampler: { kind: 'random' },
      objectives: settings.objectives,
      seed: 1,
      minTrades: 0,
      maxTrials: trials,
    });
    const evaluator = await poolEvaluators(pool, { keepReturns })(data, settings, 'bench');
    const started = performance.now();
    await runStudyOnPool(study, { evaluator, isCancelled: () => false });
    const ran = performance.now();
    await analyseStudy(study, evaluator, { preferPlateau: false, periodsPerYear: 252 });
    return { study: (ran - started) / 1000, analysis: (performance.now() - ran) / 1000 };
  };
  const rerun = await once(false);
  const kept = await once(true);
  return { trials, kept, rerun };
}

if (import.meta.url === `file://${process.argv[1]}`) await runStudyBench();
