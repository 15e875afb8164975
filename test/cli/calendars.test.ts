/**
 * Calendars per asset class through the CLI (issue 10 item 3): the import infers EURUSD's calendar (FX)
 * or takes --calendar, says which calendar and time zone it used, stores the calendar with the symbol,
 * and the quality report judges the symbol by it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const eurusd = sharedDataFile('EURUSD.csv');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Quality {
  report: { outsideRegularHours: number; counts: Record<string, number> };
}

describe.skipIf(!eurusd.present)(`EURUSD hourly${eurusd.skipReason}`, () => {
  it('is imported as FX (inferred, and said), and its quality has no false gaps or outside-hours bars', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-calendars-'));
    dirs.push(dir);
    const d = ['--data-dir', dir];
    const imported = await runCli(['data', 'import', eurusd.path, ...d]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('calendar fx (inferred from the timestamps) (--calendar to choose)');
    expect(imported.stdout).toMatch(
      /times without an offset read as UTC, inferred: the weekly gap opens Friday 17:00 and closes Sunday 17:00 New York time \(FX\) when read as UTC: \d+ of \d+ weekends, against 0 read as America\/New_York \(--tz to choose\)/,
    );
    const fx = JSON.parse(
      (await runCli(['data', 'quality', '--symbol', 'EURUSD', '--json', ...d])).stdout,
    ) as Quality;
    expect([fx.report.counts['gap'], fx.report.outsideRegularHours]).toEqual([2, 0]);

    // Chosen at import, the calendar is stored with the symbol and used: as equities, NYSE hours again.
    const chosen = await runCli(['data', 'import', eurusd.path, '--calendar', 'equities', '--json', ...d]);
    expect(JSON.parse(chosen.stdout)).toMatchObject({ calendar: 'equities', calendarInferred: false });
    const nyse = JSON.parse(
      (await runCli(['data', 'quality', '--symbol', 'EURUSD', '--json', ...d])).stdout,
    ) as Quality;
    expect([nyse.report.counts['gap'], nyse.report.outsideRegularHours]).toEqual([203, 3373]);

    const bad = await runCli(['data', 'import', eurusd.path, '--calendar', 'forex', ...d]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--calendar must be one of equities, fx, crypto, got "forex"');
  });
});

describe('a crypto import', () => {
  it('says its calendar, and that its day bars are stamped at 00:00 UTC, replacing older ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-calendars-'));
    dirs.push(dir);
    const d = ['--data-dir', dir];
    // Date-only daily bars, Saturdays and Sundays included: crypto.
    const rows = Array.from({ length: 21 }, (_, i) => {
      const date = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
      return `${date},${100 + i},${102 + i},${99 + i},${101 + i},5`;
    });
    const file = join(dir, 'BTCD.csv');
    writeFileSync(file, `date,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const imported = await runCli(['data', 'import', file, ...d]);
    expect(imported.stdout).toContain(
      'BTCD.csv: 21 1d bars of BTCD from 2024-01-01T00:00:00.000Z to 2024-01-21T00:00:00.000Z',
    );
    expect(imported.stdout).toContain(
      'calendar crypto (inferred from the timestamps) (--calendar to choose): around the clock, every day, days from 00:00 UTC; its 1d bars are stamped at 00:00 UTC of their dates\n',
    );
    const exported = join(dir, 'btcd.csv');
    const run = await runCli([
      'data',
      'export',
      '--symbol',
      'BTCD',
      '--format',
      'csv',
      '--out',
      exported,
      ...d,
    ]);
    expect(run.code).toBe(0);
    // Read back as it was written (00:00 UTC stamps), the import replaces nothing.
    const again = await runCli(['data', 'import', exported, '--symbol', 'BTCD', ...d]);
    expect(again.stdout).toContain(
      'calendar crypto: around the clock, every day, days from 00:00 UTC; its 1d bars are stamped at 00:00 UTC of their dates\n',
    );
  }, 300_000);
});
