/**
 * Tear sheet figures (issue 15 item 3, target < 1 s): the tear sheet of a 2-year 1-minute backtest
 * (synthetic market, regular sessions), computed (core), made the contract's payload (main) and
 * rendered as the self-contained HTML page (shared), next to a baseline measured in the same run: the
 * backtest that produced the equity curve.
 * Run: `npm run bench -- tearSheet`.
 */
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../src/core/data/synthetic.ts';
import { runBacktest } from '../src/core/engine/index.ts';
import { tearSheet } from '../src/core/metrics/tearSheet.ts';
import { STRATEGIES } from '../src/core/strategy/index.ts';
import { backtestTearSheet } from '../src/main/services/tearSheet.ts';
import { tearSheetHtml } from '../src/shared/tearSheetHtml.ts';
import { bestOf, RUNS } from './timing.ts';

const ms = (x: { wall: number; cpu: number }): string =>
  `${x.wall.toFixed(1)} ms (CPU ${x.cpu.toFixed(1)} ms)`;

export function runTearSheetBench(): void {
  const market = createSyntheticMarket({
    seed: 15,
    start: Date.UTC(2022, 0, 3),
    end: Date.UTC(2024, 0, 2),
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.slice(0, 1),
  });
  const bars = market.generate(0).bars;
  const params = { fast: 30, slow: 120 };
  let run = runBacktest(bars, STRATEGIES['sma-cross'], params, { cash: 10_000 });
  const baseline = bestOf(() => {
    run = runBacktest(bars, STRATEGIES['sma-cross'], params, { cash: 10_000 });
  });
  let sink = 0;
  const core = bestOf(() => {
    sink += tearSheet(bars.t, run.equity, { startingWealth: 10_000, benchmark: bars.c }).drawdowns.length;
  });
  const metrics = { finalEquity: run.finalEquity, numTrades: run.trades.count };
  let bytes = 0;
  const whole = bestOf(() => {
    const sheet = backtestTearSheet(bars.t, run.equity, 10_000, { label: 'buy & hold', values: bars.c });
    bytes = tearSheetHtml({ title: 'bench', subtitle: '', metrics, sheet }).length;
  });
  console.log(
    `${bars.t.length.toLocaleString('en-US')} 1-minute bars (2 years of sessions), ${run.trades.count} trades, best of ${RUNS}`,
  );
  console.log(`  baseline: the backtest itself:                 ${ms(baseline)}`);
  console.log(
    `  tear sheet (core computations):                 ${ms(core)} (${(core.cpu / baseline.cpu).toFixed(2)}x baseline)`,
  );
  console.log(
    `  tear sheet computed, as payload, rendered HTML: ${ms(whole)} (${(whole.cpu / baseline.cpu).toFixed(2)}x baseline; ${(bytes / 1024).toFixed(0)} KiB page)`,
  );
  if (Number.isNaN(sink)) console.log('unreachable: keeps the work observable');
}
