import type { Database } from '../../src/main/store/database.ts';
import { WalkForwardRepository } from '../../src/main/store/walkForwardRepository.ts';

/**
 * Stores the windows of a walk-forward run on a file (`symbol`: its name), as a run stores them: the
 * backfill cannot recreate such a run (a file's bars are not in the cache), which is what the ledger's
 * backfill tests need. Window i trains on bars 20i to 20i + 9 and tests on the next ten (1-minute times).
 */
export async function storeFileWindows(
  db: Database,
  runId: string,
  symbol: string,
  count: number,
): Promise<void> {
  const range = (start: number) => ({
    start,
    end: start + 10,
    startTime: start * 60_000,
    endTime: (start + 9) * 60_000,
  });
  const repository = new WalkForwardRepository(db);
  for (let index = 0; index < count; index++)
    await repository.saveWindow(
      {
        runId,
        jobId: `${runId}-job`,
        datasetId: 'file',
        symbol,
        timeframe: 'native',
        strategy: 'sma-cross',
        strategyVersion: '1',
        seed: 1,
      },
      {
        index,
        train: range(20 * index),
        test: range(20 * index + 10),
        params: { fast: 5, slow: 20 },
        inSample: { sharpeRatio: 1 },
        outOfSample: { sharpeRatio: 0.5 },
      },
      index + 1,
    );
}
