/**
 * The engine calls no margin: sma-cross short through a gap up loses more than the account, and every
 * return after the equity crossed 0 is over a base of the wrong sign. On NVDA.csv (fast 112, slow 221)
 * the backtest printed a Sharpe of +0.36 beside a return of -124 % and said nothing of it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-ruin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Weekday bars: 30 up, 70 down (sma-cross turns short), then a gap from 54.8 to 300 and up. */
function gapUpCsv(): string {
  const closes = [
    ...Array.from({ length: 30 }, (_, k) => 80 + k),
    ...Array.from({ length: 70 }, (_, k) => 110 - 0.8 * k),
    ...Array.from({ length: 40 }, (_, k) => 300 + k),
  ];
  const rows = ['date,open,high,low,close,volume'];
  const day = new Date(Date.UTC(2022, 0, 3));
  closes.forEach((close, i) => {
    while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
    const open = closes[i - 1] ?? close;
    const date = day.toISOString().slice(0, 10);
    rows.push(`${date},${open},${Math.max(open, close) + 0.1},${Math.min(open, close) - 0.1},${close},1000`);
    day.setUTCDate(day.getUTCDate() + 1);
  });
  return `${rows.join('\n')}\n`;
}

describe('a backtest whose equity falls to or below 0', () => {
  it('warns that the account was ruined and when, and a run that stays above 0 does not', async () => {
    const csv = join(dir, 'gap.csv');
    writeFileSync(csv, gapUpCsv());
    const args = [
      'backtest',
      '--csv',
      csv,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=5',
      '--param',
      'slow=20',
    ];
    const d = ['--costs', 'none', '--data-dir', dir];
    const ruined = await runCli([...args, ...d, '--json']);
    expect(ruined.code, ruined.stderr).toBe(0);
    expect(
      (JSON.parse(ruined.stdout) as { metrics: { finalEquity: number } }).metrics.finalEquity,
    ).toBeLessThan(0);
    expect(ruined.stderr).toMatch(
      /^warning: equity fell to -[\d,.]+ on 2022-05-23 America\/New_York, at or below 0: the account was ruined there/,
    );
    const longOnly = await runCli([...args, ...d, '--long-only']);
    expect(longOnly.code, longOnly.stderr).toBe(0);
    expect(longOnly.stderr).toBe('');
  });
});
