/**
 * sma-cross short through a gap up loses more than the account. The engine stops the run there, as
 * backtesting.py does, and the backtest says so: it used to go on (NVDA.csv, fast 112 / slow 221: a
 * Sharpe of +0.36 beside a return of -124 %, over returns of a negative base).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gapUpCsv } from '../support/gapUp.ts';
import { runCli } from '../support/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-ruin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a backtest whose equity falls to or below 0', () => {
  it('says the account was wiped out and when, ends at 0, and a run that stays above 0 says nothing', async () => {
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
    const wiped = await runCli([...args, ...d, '--json']);
    expect(wiped.code, wiped.stderr).toBe(0);
    const json = JSON.parse(wiped.stdout) as {
      wipedOutAt: string | null;
      metrics: { finalEquity: number; totalReturn: number; maxDrawdown: number };
      trades: { exitReason: string; exitTime: number }[];
    };
    // Bar 100 (2022-05-23) gaps from 54.8 to 300: the short of 96 units is worth -8,854.4 there.
    expect(json.wipedOutAt).toBe('2022-05-23 America/New_York');
    expect(json.metrics).toMatchObject({ finalEquity: 0, totalReturn: -1, maxDrawdown: -1 });
    expect(json.trades.at(-1)?.exitReason).toBe('WipedOut');
    expect(wiped.stderr).toMatch(
      /^Account wiped out on 2022-05-23 America\/New_York: the equity fell to or below 0 at that close/,
    );
    const table = await runCli([...args, ...d]);
    expect(table.stderr).toBe(wiped.stderr);
    // Its tear sheet says so above the figures, as the app's does.
    const sheet = join(dir, 'gap.html');
    const html = await runCli([...args, ...d, '--out', sheet]);
    expect(html.code, html.stderr).toBe(0);
    expect(readFileSync(sheet, 'utf8')).toContain(
      '<p data-testid="tear-sheet-notice"><strong>Account wiped out on 2022-05-23 America/New_York: the equity fell',
    );
    const longOnly = await runCli([...args, ...d, '--long-only', '--json']);
    expect(longOnly.code, longOnly.stderr).toBe(0);
    expect(longOnly.stderr).toBe('');
    expect((JSON.parse(longOnly.stdout) as { wipedOutAt: string | null }).wipedOutAt).toBeNull();
  });

  it('optimize ranks a wiped-out trial last and says how many there were', async () => {
    const csv = join(dir, 'gap-optimize.csv');
    writeFileSync(csv, gapUpCsv());
    // slow 20 shorts before the gap and is wiped out; slow 110 warms up past it and never trades.
    const run = await runCli([
      'optimize',
      ...['--csv', csv, '--strategy', 'sma-cross', '--space', 'fast=5:5', '--space', 'slow=20:110:90'],
      ...['--sampler', 'grid', '--costs', 'none', '--progress', 'none', '--data-dir', dir],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      '1 trial wiped out the account (equity to 0, the run stopped there), ranked last, e.g. #0 fast=5 slow=20',
    );
    expect(run.stdout).toMatch(/Best: trial #1 fast=5 slow=110/);
  });
});
