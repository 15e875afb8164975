/**
 * Monte Carlo robustness figures (issue 15 item 8): 1,000 resamples of 2 years of daily returns (504) by
 * trade-order shuffle and by stationary block bootstrap (target < 1 s each), next to a baseline measured
 * in the same run: compounding the same returns and taking their drawdown 1,000 times, i.e. the path work
 * without resampling or the pointwise bands (equity and drawdown from the running peak, step by step).
 * Run: `npm run bench -- robustness`.
 */
import { createRng } from '../src/core/math/random.ts';
import { blockBootstrap, compoundPath, shuffleTrades } from '../src/core/robustness/index.ts';
import { bestOf, RUNS } from './timing.ts';

const RESAMPLES = 1000;
const DAYS = 504;

const ms = (x: { wall: number; cpu: number }): string =>
  `${x.wall.toFixed(1)} ms (CPU ${x.cpu.toFixed(1)} ms)`;

export function runRobustnessBench(): void {
  const rng = createRng(15);
  const daily = Float64Array.from({ length: DAYS }, () => 0.0004 + 0.012 * rng.normal());
  const equity = new Float64Array(DAYS + 1);
  let sink = 0;
  const baseline = bestOf(() => {
    for (let s = 0; s < RESAMPLES; s++) sink += compoundPath(daily, equity);
  });
  const shuffle = bestOf(() => {
    sink += shuffleTrades(daily, { resamples: RESAMPLES, seed: 1 }).probRuin;
  });
  const bootstrap = bestOf(() => {
    sink += blockBootstrap(daily, { resamples: RESAMPLES, seed: 1 }).probRuin;
  });
  console.log(`${RESAMPLES.toLocaleString('en-US')} resamples of ${DAYS} daily returns, best of ${RUNS}`);
  console.log(`  baseline: plain compounded drawdown x ${RESAMPLES}: ${ms(baseline)}`);
  console.log(
    `  trade-order shuffle, equity + drawdown bands:        ${ms(shuffle)} (${(shuffle.cpu / baseline.cpu).toFixed(1)}x baseline)`,
  );
  console.log(
    `  stationary block bootstrap, equity + drawdown bands: ${ms(bootstrap)} (${(bootstrap.cpu / baseline.cpu).toFixed(1)}x baseline)`,
  );
  if (Number.isNaN(sink)) console.log('unreachable: keeps the work observable');
}
