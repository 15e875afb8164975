import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEFRAMES, type Bars } from '../../core/data/bars.ts';
import { sessionOf } from '../../core/data/calendar.ts';
import { parseBarsCsv } from '../../core/data/csv/read.ts';
import { resampleBars, resampleDays } from '../../core/data/resample.ts';
import { sharedDataFile } from '../../../test/support/sharedData.ts';
import { BarsRepository } from './barsRepository.ts';
import { Database } from './database.ts';

const spy = sharedDataFile('SPY_1min.csv');

/**
 * Differential: DuckDB's resampling equals the core reference resampler on real 1-minute data that has
 * pre- and post-market bars, gaps and a DST switch, in both session modes.
 */
describe.skipIf(!spy.present)(
  `DuckDB resampling equals core/data/resample.ts on SPY_1min.csv${spy.skipReason}`,
  () => {
    let db: Database;
    let repo: BarsRepository;
    let minutes: Bars;

    beforeAll(async () => {
      minutes = parseBarsCsv(readFileSync(spy.path, 'utf8'), { source: 'SPY_1min.csv' }).bars;
      db = await Database.open(':memory:');
      repo = new BarsRepository(db);
      await repo.write('SPY', '1m', minutes, 'test');
    });
    afterAll(() => db.close());

    for (const session of ['regular', 'extended'] as const) {
      for (const timeframe of TIMEFRAMES.filter((tf) => tf !== '1m')) {
        it(`${timeframe}, ${session} hours`, async () => {
          const expected = resampleBars(minutes, timeframe, { session });
          const actual = await repo.read('SPY', timeframe, { session });
          expect(actual.t.length).toBe(expected.t.length);
          for (const field of ['t', 'o', 'h', 'l', 'c', 'v'] as const) {
            expect(Array.from(actual[field])).toEqual(Array.from(expected[field]));
          }
        });
      }
    }

    it('keeps 1m bars to the session when regular hours are asked for, as every other timeframe', async () => {
      const regular = await repo.read('SPY', '1m', { session: 'regular' });
      const inSession = minutes.t.filter((t) => sessionOf(t) !== null);
      expect(Array.from(regular.t)).toEqual(Array.from(inSession));
      // SPY_1min's first bar is at 04:00 pre-market: read as stored unless a session is asked for.
      expect((await repo.read('SPY', '1m')).t.length).toBe(minutes.t.length);
      expect((await repo.read('SPY', '1m', { session: 'extended' })).t.length).toBe(minutes.t.length);
    });

    it('keeps regular-hours day bars to the session: 63 days, none from the extended bars', async () => {
      const days = await repo.read('SPY', '1d');
      const extendedDays = await repo.read('SPY', '1d', { session: 'extended' });
      expect(days.t.length).toBe(63);
      expect(extendedDays.t.length).toBe(63);
      expect(days.v.reduce((a, b) => a + b, 0)).toBeLessThan(extendedDays.v.reduce((a, b) => a + b, 0));
    });
  },
);

const goog = sharedDataFile('GOOG.csv');

describe.skipIf(!goog.present)(
  `DuckDB weeks and months from stored day bars equal resampleDays on GOOG.csv${goog.skipReason}`,
  () => {
    for (const timeframe of ['1w', '1mo'] as const) {
      it(`${timeframe}, and a stored timeframe is read as it is`, async () => {
        const days = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
        const db = await Database.open(':memory:');
        try {
          const repo = new BarsRepository(db);
          await repo.write('GOOG', '1d', days, 'test');
          const expected = resampleDays(days, timeframe);
          const actual = await repo.read('GOOG', timeframe);
          for (const field of ['t', 'o', 'h', 'l', 'c', 'v'] as const) {
            expect(Array.from(actual[field])).toEqual(Array.from(expected[field]));
          }
          await repo.write('MONTHLY', timeframe, expected, 'test');
          expect(Array.from((await repo.read('MONTHLY', timeframe)).t)).toEqual(Array.from(expected.t));
          await expect(repo.read('MONTHLY', '1d')).rejects.toThrow(/stored as .* only; 1d cannot be derived/);
        } finally {
          await db.close();
        }
      });
    }
  },
);
