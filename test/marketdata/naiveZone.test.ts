/**
 * The import infers the zone of naive date-times and says which it used and why (issue 10 item 3): real
 * files as they are, and the same bars rewritten in New York wall-clock time, which must store the same
 * instants. A zone chosen by the caller wins.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { etOffsetMs } from '../../src/core/data/calendar.ts';
import { importBarsFile } from '../../src/main/marketdata/importer.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { throwawayDatabase } from '../support/throwawayDatabase.ts';

const eurusd = sharedDataFile('EURUSD.csv');
const goog = sharedDataFile('GOOG.csv');
const spy = sharedDataFile('SPY_1min.csv');

const store = throwawayDatabase('regimen-naive-zone-');

/** "2017-04-19 09:00:00" read as UTC, written again as New York wall-clock time (same shape). */
function toNewYorkWallClock(naiveUtc: string): string {
  const t = Date.parse(`${naiveUtc.replace(' ', 'T')}Z`);
  return new Date(t + etOffsetMs(t)).toISOString().slice(0, 19).replace('T', ' ');
}

/** A copy of a CSV file with each row's first cell rewritten. */
function rewriteTimes(from: string, to: string, rewrite: (cell: string) => string): string {
  const [header, ...rows] = readFileSync(from, 'latin1').trimEnd().split('\n');
  const path = join(store.dir, to);
  const body = rows.map((row) => {
    const comma = row.indexOf(',');
    return rewrite(row.slice(0, comma)) + row.slice(comma);
  });
  writeFileSync(path, `${header}\n${body.join('\n')}\n`);
  return path;
}

const stored = async (symbol: string, timeframe: '1m' | '1h'): Promise<number[]> =>
  Array.from((await new BarsRepository(store.db).read(symbol, timeframe)).t);

describe.skipIf(!eurusd.present)(`EURUSD hourly (naive stamps)${eurusd.skipReason}`, () => {
  it('is read as UTC, inferred from its weekend gap; shifted to New York time it is inferred so and stores the same instants', async () => {
    const asIs = await importBarsFile(store.db, eurusd.path);
    expect(asIs.timeZone).toMatchObject({ zone: 'UTC', source: 'inferred' });
    expect(asIs.timeZone.basis).toMatch(
      /^the weekly gap opens Friday 17:00 and closes Sunday 17:00 New York time \(FX\) when read as UTC: \d+ of \d+ weekends, against 0 read as America\/New_York$/,
    );

    const shifted = rewriteTimes(eurusd.path, 'EURNY.csv', toNewYorkWallClock);
    const ny = await importBarsFile(store.db, shifted);
    expect(ny.timeZone).toMatchObject({ zone: 'America/New_York', source: 'inferred' });
    expect(await stored('EURNY', '1h')).toEqual(await stored('EURUSD', '1h'));

    // A zone the caller chooses is used as given, even against the data.
    const chosen = await importBarsFile(store.db, shifted, { symbol: 'EURNYUTC', naiveTimeZone: 'UTC' });
    expect(chosen.timeZone).toEqual({ zone: 'UTC', source: 'chosen', basis: 'chosen for this import' });
    const [first] = await stored('EURNYUTC', '1h');
    expect(first! - (await stored('EURUSD', '1h'))[0]!).toBe(-4 * 3_600_000);
  });
});

describe.skipIf(!goog.present)(`GOOG daily (dates only)${goog.skipReason}`, () => {
  it('has no naive date-time, and the import says there was no zone to choose', async () => {
    const result = await importBarsFile(store.db, goog.path);
    expect(result.timeZone).toMatchObject({ source: 'not-needed' });
    expect(result.timeZone.basis).toMatch(/^no date-time without an offset/);
  });
});

describe.skipIf(!spy.present)(`SPY 1-minute${spy.skipReason}`, () => {
  it('with offsets needs no zone; without them (New York wall clock) the session places it in New York', async () => {
    expect((await importBarsFile(store.db, spy.path)).timeZone.source).toBe('not-needed');
    const naive = rewriteTimes(spy.path, 'SPYNAIVE.csv', (cell) => cell.slice(0, 19));
    const result = await importBarsFile(store.db, naive);
    expect(result.timeZone).toMatchObject({ zone: 'America/New_York', source: 'inferred' });
    expect(result.timeZone.basis).toMatch(
      /^read as America\/New_York, 09:30-16:00 New York \(the NYSE regular session\) is the busiest 6.5 hours of the day, with [\d,]+ of [\d,]+ bars; read as UTC it would hold [\d,]+$/,
    );
    expect(await stored('SPYNAIVE', '1m')).toEqual(await stored('SPY', '1m'));
  });
});
