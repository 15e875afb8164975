/**
 * What `regimen data quality` says its expected bars are (the session or calendar they are counted by),
 * and its repair of an FX symbol's bars from the closed weekend (Friday 17:00 to Sunday 17:00 New York):
 * flagged by the report, dropped by --repair, which says how many and when.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-quality-calendars-'));
  dirs.push(dir);
  return dir;
}

interface QualityJson {
  report: { calendar: string; expectedFor: string; counts: Record<string, number>; rows: number };
  repair?: { droppedBars: number; closedMarketBars: number; closedMarketTimes: number[] };
}

async function quality(d: string[], ...more: string[]): Promise<QualityJson> {
  const run = await runCli(['data', 'quality', '--json', ...more, ...d]);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as QualityJson;
}

describe('data quality', () => {
  it('says which calendar its expected count is for, and drops FX weekend bars on --repair', async () => {
    const dir = tempDir();
    const d = ['--data-dir', dir];
    // Hourly FX bars around the weekend of 2024-03-02 (New York is UTC-5), three of them planted in
    // the closed hours: at the Friday 17:00 close, Saturday noon and Sunday 16:00 New York.
    const hoursUtc = [
      '2024-03-01T19:00:00Z',
      '2024-03-01T20:00:00Z',
      '2024-03-01T21:00:00Z',
      '2024-03-01T22:00:00Z', // Friday 17:00 New York: closed
      '2024-03-02T17:00:00Z', // Saturday 12:00: closed
      '2024-03-03T21:00:00Z', // Sunday 16:00: closed
      '2024-03-03T22:00:00Z',
      '2024-03-03T23:00:00Z',
      '2024-03-04T00:00:00Z',
    ];
    const file = join(dir, 'EURUSD.csv');
    writeFileSync(
      file,
      `timestamp,open,high,low,close\n${hoursUtc.map((t) => `${t},1.08,1.09,1.07,1.08`).join('\n')}\n`,
    );
    expect((await runCli(['data', 'import', file, '--calendar', 'fx', ...d])).code).toBe(0);

    const before = await runCli(['data', 'quality', '--symbol', 'EURUSD', ...d]);
    expect(before.stdout).toContain('(0 missing of 6 expected)');
    expect(before.stdout).toContain(
      'expected (calendar fx): 1h bars in the FX week, Sunday 17:00 to Friday 17:00 New York',
    );
    expect(before.stdout).toContain('non-session-bar: 3');

    const repaired = await runCli(['data', 'quality', '--symbol', 'EURUSD', '--repair', ...d]);
    expect(repaired.stdout).toContain(
      'Repaired: dropped 3 bars (3 when the FX market is closed, at 2024-03-01 17:00, 2024-03-02 12:00, 2024-03-03 16:00 America/New_York), marked 0 gaps (no bars added)',
    );
    const after = await quality(d, '--symbol', 'EURUSD');
    expect([after.report.rows, after.report.counts['non-session-bar']]).toEqual([6, 0]);
  }, 300_000);

  it("counts an equities symbol's minutes in regular hours, and says so", async () => {
    const dir = tempDir();
    const d = ['--data-dir', dir];
    // 2024-03-01 (EST): two pre-market minutes, 09:30-09:34 and one after hours.
    const minutes = ['13:00', '13:01', '14:30', '14:31', '14:32', '14:33', '14:34', '21:10'];
    const file = join(dir, 'SPY.csv');
    writeFileSync(
      file,
      `timestamp,open,high,low,close,volume\n${minutes.map((m) => `2024-03-01T${m}:00Z,500,501,499,500,100`).join('\n')}\n`,
    );
    expect((await runCli(['data', 'import', file, ...d])).code).toBe(0);
    const run = await runCli(['data', 'quality', '--symbol', 'SPY', '--timeframe', '1m', ...d]);
    // The whole session of the day is expected, its 390 regular minutes; the 3 others are not.
    expect(run.stdout).toContain('(385 missing of 390 expected)');
    expect(run.stdout).toContain(
      'expected (calendar equities): 1m bars in NYSE regular hours, 09:30-16:00 New York (13:00 on early closes), holidays closed; extended-hours bars are not expected; 3 bars outside them not counted',
    );
  }, 300_000);
});

const eurusd = sharedDataFile('EURUSD.csv');
const spy = sharedDataFile('SPY_1min.csv');

describe.skipIf(!eurusd.present || !spy.present)(
  `the shared EURUSD hourly and SPY minutes${eurusd.skipReason || spy.skipReason}`,
  () => {
    it('repairs EURUSD of its two Friday 17:00 bars; SPY counts 24,570 regular-hours minutes', async () => {
      const dir = tempDir();
      const d = ['--data-dir', dir];
      expect((await runCli(['data', 'import', eurusd.path, ...d])).code).toBe(0);
      const before = await quality(d, '--symbol', 'EURUSD');
      expect([before.report.calendar, before.report.counts['non-session-bar']]).toEqual(['fx', 2]);
      const repaired = await quality(d, '--symbol', 'EURUSD', '--repair');
      expect(repaired.repair!.closedMarketTimes.map((t) => new Date(t).toISOString())).toEqual([
        '2017-10-06T21:00:00.000Z',
        '2017-10-20T21:00:00.000Z',
      ]);
      expect([repaired.repair!.droppedBars, repaired.repair!.closedMarketBars]).toEqual([2, 2]);
      const after = await quality(d, '--symbol', 'EURUSD');
      expect([after.report.rows, after.report.counts['non-session-bar']]).toEqual([4998, 0]);

      expect((await runCli(['data', 'import', spy.path, ...d])).code).toBe(0);
      const spyRun = await runCli(['data', 'quality', '--symbol', 'SPY', '--timeframe', '1m', ...d]);
      expect(spyRun.stdout).toContain('(0 missing of 24570 expected)');
      expect(spyRun.stdout).toContain(
        'extended-hours bars are not expected; 25,150 bars outside them not counted',
      );
    }, 300_000);
  },
);
