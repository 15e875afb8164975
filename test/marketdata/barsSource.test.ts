import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { formatBarsCsv } from '../../src/core/data/csv/write.ts';
import { createSyntheticMarket } from '../../src/core/data/synthetic.ts';
import { parseCommandArgs } from '../../src/main/cli/args.ts';
import { BARS_SOURCE_OPTIONS, loadBarsSource } from '../../src/main/cli/barsSource.ts';
import { datasetFingerprint, loadDataset, loadDatasets } from '../../src/main/marketdata/barsSource.ts';
import { importBarsFile } from '../../src/main/marketdata/importer.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { throwawayDatabase } from '../support/throwawayDatabase.ts';

/** A --csv read says nothing on stderr (only a cached symbol's default timeframe is said). */
const io = { err: (): void => undefined };

const store = throwawayDatabase();
const market = createSyntheticMarket({ seed: 3, start: Date.UTC(2024, 6, 1), end: Date.UTC(2024, 6, 4) });
const bars = market.generate(0).bars;
const csvPath = join(store.dir, 'SYNX.csv');
beforeAll(async () => {
  writeFileSync(csvPath, formatBarsCsv(bars));
  await importBarsFile(store.db, csvPath, { symbol: 'SYNX', timeframe: '1m' });
});

it('gives the same bars the same id, from a file or from the cache', async () => {
  const repo = new BarsRepository(store.db);
  const fromFile = await loadDataset({ kind: 'file', path: csvPath }, 'native', {}, null);
  const fromCache = await loadDataset({ kind: 'cache', symbol: 'SYNX' }, '1m', {}, repo);
  expect(fromFile.bars.t.length).toBe(bars.t.length);
  expect(fromCache.id).toBe(fromFile.id);
  expect(fromFile.id).toBe(datasetFingerprint(bars));

  // Resampled from the file or derived by the cache: the same 5m bars, the same id.
  const range = { start: Date.UTC(2024, 6, 2), end: Date.UTC(2024, 6, 3) };
  const [file5m] = await loadDatasets({ kind: 'file', path: csvPath }, ['5m'], range, null);
  const cache5m = await loadDataset({ kind: 'cache', symbol: 'SYNX' }, '5m', range, repo);
  expect(cache5m.bars.t.length).toBe(78);
  expect(file5m!.id).toBe(cache5m.id);
  expect(file5m!.id).not.toBe(fromFile.id);
});

it('gives different bars different ids: any value of any column, or a range', () => {
  const before = datasetFingerprint(bars);
  for (const column of ['t', 'o', 'h', 'l', 'c', 'v'] as const) {
    const changed = { ...bars, [column]: bars[column].slice() };
    changed[column][Math.floor(bars.t.length / 2)]! += 0.5;
    expect(datasetFingerprint(changed), column).not.toBe(before);
  }
  const shorter = { t: bars.t.subarray(1), o: bars.o.subarray(1), h: bars.h.subarray(1) };
  expect(
    datasetFingerprint({ ...shorter, l: bars.l.subarray(1), c: bars.c.subarray(1), v: bars.v.subarray(1) }),
  ).not.toBe(before);
});

it('the CLI --csv dataset id is the content fingerprint, equal to the cache one', async () => {
  const fromCli = await loadBarsSource(parseCommandArgs(['--csv', csvPath], BARS_SOURCE_OPTIONS), io);
  expect(fromCli.id).toBe(datasetFingerprint(bars));
  expect(fromCli.label).toBe('SYNX.csv');
  const ranged = await loadBarsSource(
    parseCommandArgs(['--csv', csvPath, '--start', '2024-07-02'], BARS_SOURCE_OPTIONS),
    io,
  );
  expect(ranged.bars.t[0]).toBeGreaterThanOrEqual(Date.UTC(2024, 6, 2));
  expect(ranged.id).toBe(datasetFingerprint(ranged.bars));
  expect(ranged.id).not.toBe(fromCli.id);
});

it('refuses too few bars and unknown timeframes by name', async () => {
  const source = { kind: 'file', path: csvPath } as const;
  await expect(loadDataset(source, 'native', { start: Date.UTC(2030, 0, 1) }, null)).rejects.toThrow(
    'SYNX.csv: fewer than 2 native bars from 2030-01-01 on (found 0)',
  );
  await expect(loadDataset(source, '2m', {}, null)).rejects.toThrow('"2m" is not a timeframe');
  // The range as a person types it (UTC dates, the end day included: the forms send the next midnight)
  // and what is cached, not raw UTC instants with an exclusive end.
  const repo = new BarsRepository(store.db);
  const range = { start: Date.UTC(2030, 0, 1), end: Date.UTC(2030, 1, 1) };
  await expect(loadDataset({ kind: 'cache', symbol: 'SYNX' }, '1h', range, repo)).rejects.toThrow(
    'SYNX 1h: fewer than 2 1h bars from 2030-01-01 through 2030-01-31 (found 0); ' +
      'SYNX 1h is cached from 2024-07-01 to 2024-07-03',
  );
  await expect(loadDataset({ kind: 'cache', symbol: 'NOPE' }, '1d', range, repo)).rejects.toThrow(
    'No bars stored for symbol "NOPE": nothing of NOPE is cached: fetch it or import a file in the Data view',
  );
  await expect(loadDataset({ kind: 'cache', symbol: 'SYNX' }, 'native', {}, null)).rejects.toThrow(
    'no bar cache is open',
  );
});
