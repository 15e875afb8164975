/**
 * Engine figures of issue 4: confluence on 100,000 synthetic one-minute bars (indicators cached, and
 * cold), sma-cross on ../shared/data/SPY_1min.csv, allocation and memory per trial. Every time is printed
 * next to a baseline measured in the same run (one plain pass summing closes over the same arrays), so
 * the ratio says how far a backtest is from the cost of touching the data once.
 *
 * `npx tsx bench/engine.bench.ts` or `npm run bench -- engine`. Kept short: the machine is shared.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Bars } from '../src/core/data/bars.ts';
import { parseBarsCsv } from '../src/core/data/csv/read.ts';
import {
  BacktestWorkspace,
  prepareDataset,
  randomWalkBars,
  runPrepared,
  type BacktestOptions,
} from '../src/core/engine/index.ts';
import { STRATEGIES, defaultParams } from '../src/core/strategy/index.ts';
import type { StrategyParams } from '../src/core/strategy/index.ts';

const SPY = fileURLToPath(new URL('../../shared/data/SPY_1min.csv', import.meta.url));

export interface EngineBenchFigures {
  baselineMsPer100k: number;
  confluenceCachedMs: number;
  confluenceColdMs: number;
  smaCrossSpyMs: number | null;
  allocatedBytesPerTrial: number;
  retainedBytesPerExtraTrial: number;
}

function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Median of `rounds` timings of `body` run `reps` times, in ms per call. */
function time(body: () => void, reps: number, rounds = 5): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let k = 0; k < reps; k++) body();
    samples.push((performance.now() - start) / reps);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

let sink = 0;
/** The baseline: one pass over the closes, the least any backtest must do. */
function sumCloses(bars: Bars): void {
  const c = bars.c;
  let total = 0;
  for (let i = 0; i < c.length; i++) total += c[i];
  sink += total;
}

/** Parameter sets a small optimizer batch might ask for: the defaults and neighbours of each. */
function confluenceTrials(count: number): StrategyParams[] {
  const base = defaultParams(STRATEGIES.confluence);
  const trials: StrategyParams[] = [];
  for (let k = 0; k < count; k++) {
    trials.push({
      ...base,
      fast_ma_period: 8 + (k % 5),
      slow_ma_period: 25 + (k % 7),
      confidence_threshold: 0.4 + 0.05 * (k % 5),
      bb_std: 1.5 + 0.1 * (k % 10),
    });
  }
  return trials;
}

const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;

export function runEngineBench(): EngineBenchFigures {
  const gc = exposeGc();
  const options: BacktestOptions = {
    cash: 100_000,
    commission: { kind: 'per-share', perShare: 0.005, minimum: 1 },
  };
  const bars = randomWalkBars(100_000, 42, { volatility: 0.0008 });
  const baseline = time(() => sumCloses(bars), 50);
  console.log(`baseline: one pass summing 100,000 closes: ${fmt(baseline)}`);

  // Cached: every trial's indicators are already in the dataset's cache (the optimizer's steady state).
  const dataset = prepareDataset(bars);
  const workspace = new BacktestWorkspace();
  const trials = confluenceTrials(20);
  let trades = 0;
  for (const params of trials)
    trades += runPrepared(dataset, STRATEGIES.confluence, params, options, workspace).trades.count;
  let next = 0;
  const cached = time(() => {
    runPrepared(dataset, STRATEGIES.confluence, trials[next++ % trials.length], options, workspace);
  }, 40);
  console.log(
    `confluence, 100,000 1m bars, indicators cached: ${fmt(cached)}/backtest ` +
      `(${Math.round(1000 / cached)} backtests/s/core, ${(cached / baseline).toFixed(1)}x baseline; ` +
      `${Math.round(trades / trials.length)} trades/backtest; target <= 2 ms)`,
  );

  // Cold: a fresh cache each time, so every indicator is computed inside the timing.
  const params = defaultParams(STRATEGIES.confluence);
  const cold = time(() => {
    runPrepared(prepareDataset(bars), STRATEGIES.confluence, params, options, workspace);
  }, 5);
  console.log(
    `confluence, 100,000 1m bars, cold (indicators computed): ${fmt(cold)}/backtest ` +
      `(${(cold / baseline).toFixed(1)}x baseline; target <= 10 ms)`,
  );

  let smaCross: number | null = null;
  if (existsSync(SPY)) {
    const spy = parseBarsCsv(readFileSync(SPY, 'utf8'), { source: 'SPY_1min.csv' }).bars;
    const spyBaseline = time(() => sumCloses(spy), 50);
    const spyData = prepareDataset(spy);
    const smaOptions: BacktestOptions = { cash: 10_000, commission: { kind: 'percent', rate: 0.002 } };
    runPrepared(spyData, STRATEGIES['sma-cross'], { fast: 10, slow: 30 }, smaOptions, workspace);
    smaCross = time(() => {
      runPrepared(spyData, STRATEGIES['sma-cross'], { fast: 10, slow: 30 }, smaOptions, workspace);
    }, 40);
    console.log(
      `sma-cross 10/30 on SPY_1min.csv (${spy.c.length} bars), cached: ${fmt(smaCross)}/backtest ` +
        `(baseline ${fmt(spyBaseline)}, ${(smaCross / spyBaseline).toFixed(1)}x; target < 1 ms)`,
    );
  } else {
    console.log(`sma-cross on SPY_1min.csv: skipped, ${SPY} is absent`);
  }

  // Allocation of one trial with a reused workspace and cached indicators: growth of V8's young
  // generation across the run, in the steady state (no forced GC in between: a forced full GC drops
  // optimised code, and the re-warm-up's interpreted frames would be measured instead). Samples during
  // which a scavenge emptied the young generation come out negative and are dropped. A per-bar
  // allocation would show as >= 1.6 MB for 100,000 bars; what remains is per trade (boxed arguments).
  const youngUsed = (): number =>
    v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;
  const allocations: number[] = [];
  for (let k = 0; k < 15; k++) {
    const before = youngUsed();
    runPrepared(dataset, STRATEGIES.confluence, trials[k % trials.length], options, workspace);
    const grown = youngUsed() - before;
    if (grown >= 0) allocations.push(grown);
  }
  allocations.sort((a, b) => a - b);
  const allocated = allocations.length > 0 ? allocations[Math.floor(allocations.length / 2)] : NaN;

  // Memory kept per extra trial when each trial keeps its own result (own workspace): the equity curve
  // (8 bytes per bar) plus the trade log and broker buffers.
  const kept: unknown[] = [];
  gc();
  const memoryBefore = process.memoryUsage();
  const extra = 20;
  for (let k = 0; k < extra; k++) {
    kept.push(runPrepared(dataset, STRATEGIES.confluence, trials[k], options, new BacktestWorkspace()));
  }
  gc();
  const memoryAfter = process.memoryUsage();
  const retained =
    (memoryAfter.heapUsed + memoryAfter.arrayBuffers - memoryBefore.heapUsed - memoryBefore.arrayBuffers) /
    extra;
  console.log(
    `memory per extra trial: ${(allocated / 1024).toFixed(1)} KB allocated per trial with a reused workspace ` +
      `(${trades > 0 ? Math.round(allocated / (trades / trials.length)) : 0} B per trade); ` +
      `${(retained / 1024 / 1024).toFixed(3)} MB retained when each trial keeps its own results ` +
      `(${kept.length} kept; target < 1 MB)`,
  );
  if (sink === 42) console.log('');
  return {
    baselineMsPer100k: baseline,
    confluenceCachedMs: cached,
    confluenceColdMs: cold,
    smaCrossSpyMs: smaCross,
    allocatedBytesPerTrial: allocated,
    retainedBytesPerExtraTrial: retained,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runEngineBench();
