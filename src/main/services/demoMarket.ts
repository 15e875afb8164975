import { createSyntheticMarket } from '../../core/data/synthetic.ts';
import type { DemoMarketResult } from '../../shared/dataContract.ts';
import type { BarsRepository } from '../store/barsRepository.ts';

/**
 * The embedded demo market a new user gets with no API keys: fixed seed and dates, so every install
 * (and every test) sees the same bytes.
 */
export const DEMO_MARKET = {
  seed: 20_240_101,
  start: Date.UTC(2023, 0, 1),
  end: Date.UTC(2025, 0, 1),
} as const;

/** Generates the demo market and stores it symbol by symbol (one bulk upsert each). */
export async function writeDemoMarket(
  repo: Pick<BarsRepository, 'write'>,
  onSymbol?: (symbol: string, index: number, total: number) => void,
  onStart?: (total: number) => void,
): Promise<DemoMarketResult> {
  let t0 = performance.now();
  const market = createSyntheticMarket(DEMO_MARKET);
  onStart?.(market.symbols.length);
  let generateMs = performance.now() - t0;
  let storeMs = 0;
  const symbols: string[] = [];
  for (let i = 0; i < market.symbols.length; i++) {
    t0 = performance.now();
    const series = market.generate(i);
    const t1 = performance.now();
    generateMs += t1 - t0;
    await repo.write(series.symbol, '1m', series.bars, 'demo');
    storeMs += performance.now() - t1;
    symbols.push(series.symbol);
    onSymbol?.(series.symbol, i + 1, market.symbols.length);
  }
  return { symbols, bars: market.barCount * symbols.length, generateMs, storeMs };
}

/** What a first start says before the demo market's silent seconds of work. */
export const DEMO_MARKET_NOTICE =
  'First start: generating the demo market (synthetic symbols to try Regimen on without data), about 10 s…';

/** How far a first start's demo market is: symbols stored of the total. */
export interface DemoProgress {
  done: number;
  total: number;
}

/**
 * Writes the demo market on first start (an empty store), saying so first through `announce` and telling
 * `progress` after each symbol; tells whether the demo is what is loaded.
 */
export async function ensureDemoMarket(
  repo: Pick<BarsRepository, 'list' | 'write'>,
  announce: (notice: string) => void = () => undefined,
  progress: (done: DemoProgress) => void = () => undefined,
): Promise<boolean> {
  const datasets = await repo.list();
  if (datasets.length === 0) {
    announce(DEMO_MARKET_NOTICE);
    await writeDemoMarket(
      repo,
      (_symbol, done, total) => progress({ done, total }),
      (total) => progress({ done: 0, total }),
    );
    return true;
  }
  return datasets.some((d) => d.source === 'demo');
}
