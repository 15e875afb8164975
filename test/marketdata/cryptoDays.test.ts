/**
 * Crypto day, week and month bars are stamped at 00:00 UTC of their dates (a market that trades around
 * the clock has UTC days, as Alpaca stamps crypto bars), where a date-only file used to be stored at
 * 00:00 New York: on import (CSV and Parquet, calendar inferred or given), in the weeks and months read
 * from them, in an export and in a file read as it is. Equities' days keep 00:00 New York. Bars an older
 * import stored at 00:00 New York are replaced by a new import of the same dates, and the import says so.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocateBars } from '../../src/core/data/bars.ts';
import { exportBars } from '../../src/main/marketdata/exporter.ts';
import { importBarsFile } from '../../src/main/marketdata/importer.ts';
import { loadDataset } from '../../src/main/marketdata/barsSource.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { throwawayDatabase } from '../support/throwawayDatabase.ts';

const store = throwawayDatabase('regimen-crypto-days-');
const DAY = 86_400_000;
/** 2024-01-01 (a Monday) and the 27 days after it, Saturdays and Sundays included. */
const DATES = Array.from({ length: 28 }, (_, i) =>
  new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
);
const dateOnlyCsv = (dates: readonly string[]) =>
  `date,open,high,low,close,volume\n${dates.map((d, i) => `${d},${100 + i},${102 + i},${99 + i},${101 + i},5`).join('\n')}\n`;
/** 00:00 New York on a January date: 05:00 UTC. */
const NEW_YORK_MIDNIGHT = 5 * 3_600_000;

function planted(name: string, text: string): string {
  const path = join(store.dir, name);
  writeFileSync(path, text);
  return path;
}

const storedTimes = async (symbol: string, timeframe: '1d' | '1w' | '1mo') =>
  Array.from((await new BarsRepository(store.db).read(symbol, timeframe)).t);

describe('crypto day bars at 00:00 UTC', () => {
  it('are stored at 00:00 UTC of their dates by an import that infers the calendar, and weeks follow', async () => {
    const result = await importBarsFile(store.db, planted('BTCD.csv', dateOnlyCsv(DATES)));
    expect(result).toMatchObject({ calendar: 'crypto', calendarInferred: true, utcDays: { replaced: 0 } });
    expect([result.start, result.end]).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 28)]);
    const days = await storedTimes('BTCD', '1d');
    expect(days).toEqual(DATES.map((d) => Date.parse(`${d}T00:00:00Z`)));
    // Weeks from them open on Monday at 00:00 UTC, months on the 1st.
    expect(await storedTimes('BTCD', '1w')).toEqual([1, 8, 15, 22].map((d) => Date.UTC(2024, 0, d)));
    expect(await storedTimes('BTCD', '1mo')).toEqual([Date.UTC(2024, 0, 1)]);
    const out = join(store.dir, 'btcd-1w.csv');
    await exportBars(store.db, { symbol: 'BTCD', timeframe: '1w', format: 'csv', out });
    expect(readFileSync(out, 'utf8').split('\n')[1]).toBe('2024-01-01T00:00:00Z,100,108,99,107,35');
  });

  it('replace, and count, the same dates an older import stored at 00:00 New York', async () => {
    const repo = new BarsRepository(store.db);
    // As an import before this change left them: 00:00 New York, calendar crypto.
    const old = allocateBars(DATES.length);
    DATES.forEach((d, i) => {
      old.t[i] = Date.parse(`${d}T00:00:00Z`) + NEW_YORK_MIDNIGHT;
      old.o[i] = old.h[i] = old.l[i] = old.c[i] = 1;
      old.v[i] = 1;
    });
    await repo.write('OLDC', '1d', old, 'import:OLDC.csv');
    await repo.setCalendar('OLDC', 'crypto');
    const result = await importBarsFile(store.db, planted('OLDC.csv', dateOnlyCsv(DATES.slice(0, 10))));
    expect(result).toMatchObject({ calendar: 'crypto', calendarInferred: false, utcDays: { replaced: 10 } });
    const days = await storedTimes('OLDC', '1d');
    // One bar a date: the ten imported at 00:00 UTC, the 18 not imported again as they were.
    expect(days).toEqual([
      ...DATES.slice(0, 10).map((d) => Date.parse(`${d}T00:00:00Z`)),
      ...DATES.slice(10).map((d) => Date.parse(`${d}T00:00:00Z`) + NEW_YORK_MIDNIGHT),
    ]);
  });

  it('follow --calendar crypto on weekdays-only dates; equities keep 00:00 New York', async () => {
    const weekdays = DATES.filter((d) => ![0, 6].includes(new Date(d).getUTCDay()));
    const chosen = await importBarsFile(store.db, planted('ETHW.csv', dateOnlyCsv(weekdays)), {
      calendar: 'crypto',
    });
    expect(chosen).toMatchObject({ calendar: 'crypto', calendarInferred: false, utcDays: { replaced: 0 } });
    expect((await storedTimes('ETHW', '1d'))[0]).toBe(Date.UTC(2024, 0, 1));
    const equities = await importBarsFile(store.db, planted('EQTY.csv', dateOnlyCsv(weekdays)));
    expect(equities).toMatchObject({ calendar: 'equities', calendarInferred: true, utcDays: null });
    expect((await storedTimes('EQTY', '1d'))[0]).toBe(Date.UTC(2024, 0, 1) + NEW_YORK_MIDNIGHT);
  });

  it('come from a Parquet file of DATE values too', async () => {
    const path = join(store.dir, 'SOLD.parquet');
    await store.db.run(
      `COPY (SELECT (DATE '2024-01-01' + i::INTEGER) AS date, 10.0 + i AS open, 11.0 + i AS high,
               9.0 + i AS low, 10.5 + i AS close, 1.0 AS volume FROM range(28) t(i))
       TO '${path}' (FORMAT parquet)`,
    );
    const result = await importBarsFile(store.db, path);
    expect(result).toMatchObject({ format: 'parquet', calendar: 'crypto', utcDays: { replaced: 0 } });
    expect(await storedTimes('SOLD', '1d')).toEqual(DATES.map((d) => Date.parse(`${d}T00:00:00Z`)));
  });

  it('are what a crypto file read as it is gives (a backtest on --csv)', async () => {
    const path = planted('FILEC.csv', dateOnlyCsv(DATES));
    const { bars } = await loadDataset({ kind: 'file', path }, '1d', {}, null);
    expect(Array.from(bars.t.slice(0, 2))).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2)]);
  });
});

const btc = sharedDataFile('BTCUSD.csv');
const goog = sharedDataFile('GOOG.csv');

describe.skipIf(!btc.present || !goog.present)(
  `the shared BTCUSD and GOOG${btc.skipReason || goog.skipReason}`,
  () => {
    it('stores BTCUSD month-ends at 00:00 UTC and GOOG days at 00:00 New York', async () => {
      const result = await importBarsFile(store.db, btc.path);
      expect(result).toMatchObject({ symbol: 'BTCUSD', timeframe: '1mo', calendar: 'crypto', bars: 156 });
      const months = await storedTimes('BTCUSD', '1mo');
      expect([months[0], months.at(-1)]).toEqual([Date.UTC(2012, 0, 31), Date.UTC(2024, 11, 31)]);
      expect(months.every((t) => t % DAY === 0)).toBe(true);
      await importBarsFile(store.db, goog.path);
      const days = await storedTimes('GOOG', '1d');
      // 2004-08-19 is in daylight saving time: 00:00 New York is 04:00 UTC.
      expect(days[0]).toBe(Date.UTC(2004, 7, 19, 4));
    });
  },
);
