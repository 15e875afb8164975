/**
 * Optimizer benchmarks (figures printed, never asserted):
 * 1. Sampler overhead per trial (ask + tell, no evaluation) on the 12-parameter confluence space.
 * 2. Best value reached at equal budget on standard test functions, median of 10 seeds, samplers side by side.
 * Run: npx tsx bench/optimize.bench.ts
 */
import { Study } from '../src/core/optimize/study.ts';
import { median } from '../src/core/math/statistics.ts';
import { strategySpace, type Params } from '../src/core/optimize/space.ts';
import { confluence } from '../src/core/strategy/confluence.ts';
import type { SamplerConfig } from '../src/core/optimize/sampler.ts';
import {
  bestOf,
  branin,
  hartmann6,
  rastrigin10,
  type TestFunction,
} from '../src/core/optimize/testFunctions.test-util.ts';

export interface OverheadFigure {
  readonly sampler: string;
  readonly trials: number;
  /** Mean ask + tell time per trial over the whole run, ms. */
  readonly meanMs: number;
  /** Mean over the last 10% of trials (the largest history), ms. */
  readonly tailMs: number;
}

export interface QualityFigure {
  readonly problem: string;
  readonly budget: number;
  readonly minimum: number;
  /** Median best value of 10 seeds per sampler. */
  readonly medianBest: Readonly<Record<string, number>>;
}

export interface OptimizeBenchResult {
  readonly overhead: readonly OverheadFigure[];
  readonly quality: readonly QualityFigure[];
}

/** A cheap stand-in for a backtest: smooth in the parameters, so model-based samplers have structure to use. */
function syntheticSharpe(p: Params): number {
  const n = (k: string): number => p[k] as number;
  return (
    1.5 -
    ((n('fast_ma_period') - 10) / 10) ** 2 -
    ((n('slow_ma_period') - 30) / 30) ** 2 -
    ((n('risk_per_trade') - 0.02) / 0.03) ** 2 -
    (n('confidence_threshold') - 0.6) ** 2 -
    0.1 * (n('volume_threshold') - 1.5) ** 2 -
    ((n('macd_slow') - n('macd_fast') - 14) / 10) ** 2
  );
}

function overhead(sampler: SamplerConfig, trials: number, batch: number): OverheadFigure {
  const study = new Study({
    space: strategySpace(confluence),
    sampler,
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    seed: 42,
    maxTrials: trials,
  });
  const tailStart = Math.floor(trials * 0.9);
  let total = 0;
  let tail = 0;
  let done = 0;
  for (;;) {
    const t0 = performance.now();
    const asked = study.ask(batch);
    if (asked.length === 0) break;
    for (const t of asked)
      study.tell(t.number, { status: 'complete', metrics: { sharpeRatio: syntheticSharpe(t.params) } });
    const dt = performance.now() - t0;
    total += dt;
    if (done >= tailStart) tail += dt;
    done += asked.length;
  }
  return {
    sampler: sampler.kind === 'tpe' ? `tpe/batch ${sampler.batchSize ?? 8}` : sampler.kind,
    trials,
    meanMs: total / trials,
    tailMs: tail / (trials - tailStart),
  };
}

const COMPARED: readonly SamplerConfig[] = [
  { kind: 'random' },
  { kind: 'tpe' },
  { kind: 'ga' },
  { kind: 'nsga2' },
];

export function runOptimizeBench(
  options: { readonly log?: (line: string) => void } = {},
): OptimizeBenchResult {
  const log = options.log ?? ((line: string): void => console.log(line));
  log('optimizer: sampler overhead per trial (ask + tell, confluence space, 12 parameters)');
  const overheadFigures = [
    overhead({ kind: 'tpe' }, 2000, 8),
    overhead({ kind: 'tpe', batchSize: 1 }, 2000, 1),
    overhead({ kind: 'random' }, 2000, 64),
    overhead({ kind: 'grid' }, 2000, 64),
    overhead({ kind: 'ga' }, 2000, 20),
    overhead({ kind: 'nsga2' }, 2000, 20),
  ];
  for (const f of overheadFigures) {
    log(
      `  ${f.sampler.padEnd(12)} ${String(f.trials).padStart(5)} trials  mean ${f.meanMs.toFixed(3)} ms/trial  ` +
        `last 10% ${f.tailMs.toFixed(3)} ms/trial`,
    );
  }
  // The batch-1 TPE row above is the worst case (a model rebuilt for every trial); the default batch is 8.
  log('optimizer: median best of 10 seeds at equal budget (lower is better)');
  const problems: readonly [TestFunction, number][] = [
    [branin, 60],
    [hartmann6, 150],
    [rastrigin10, 300],
  ];
  const quality: QualityFigure[] = [];
  log(
    `  ${'problem'.padEnd(13)} ${'budget'.padStart(6)} ${'minimum'.padStart(9)} ${COMPARED.map((s) => s.kind.padStart(9)).join(' ')}`,
  );
  for (const [fn, budget] of problems) {
    const medianBest: Record<string, number> = {};
    for (const sampler of COMPARED) {
      medianBest[sampler.kind] = median(
        Array.from({ length: 10 }, (_, i) => bestOf(fn, sampler, i + 1, budget)),
      );
    }
    quality.push({ problem: fn.name, budget, minimum: fn.minimum, medianBest });
    log(
      `  ${fn.name.padEnd(13)} ${String(budget).padStart(6)} ${fn.minimum.toFixed(4).padStart(9)} ` +
        COMPARED.map((s) => medianBest[s.kind]!.toFixed(4).padStart(9)).join(' '),
    );
  }
  return { overhead: overheadFigures, quality };
}

if (process.argv[1]?.endsWith('optimize.bench.ts')) runOptimizeBench();
