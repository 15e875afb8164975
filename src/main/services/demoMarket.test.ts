import { describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../store/barsRepository.ts';
import { DEMO_MARKET_NOTICE, ensureDemoMarket } from './demoMarket.ts';

/** A store that lists `datasets` and stops the first write, so no test pays for the whole market. */
function store(datasets: Partial<DatasetSummary>[]) {
  const stopped = new Error('stopped at the first write');
  return {
    stopped,
    repo: {
      list: async () => datasets as DatasetSummary[],
      write: async () => {
        throw stopped;
      },
    },
  };
}

describe('the demo market on first start', () => {
  it('says it is generating the demo market (and how long it takes) before the work starts', async () => {
    const { repo, stopped } = store([]);
    const notices: string[] = [];
    await expect(ensureDemoMarket(repo, (notice) => notices.push(notice))).rejects.toBe(stopped);
    expect(notices).toEqual([DEMO_MARKET_NOTICE]);
    expect(DEMO_MARKET_NOTICE).toMatch(/generating the demo market .*about 10 s/);
  });

  it('says nothing when the store already has data', async () => {
    const notices: string[] = [];
    const { repo } = store([{ symbol: 'GOOG', source: 'csv' }]);
    expect(await ensureDemoMarket(repo, (notice) => notices.push(notice))).toBe(false);
    expect(notices).toEqual([]);
  });
});
