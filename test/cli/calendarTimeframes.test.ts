/**
 * Weekly and monthly timeframes through the CLI (issue 10 item 1): BTCUSD, stored as 1mo, is backtested
 * and optimised on its own bars; GOOG, stored as 1d, is backtested on weeks made of its days.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const btc = sharedDataFile('BTCUSD.csv');
const goog = sharedDataFile('GOOG.csv');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-calendar-tf-'));
  dirs.push(dir);
  return dir;
}

interface Metrics {
  totalReturn: number;
  annualizedReturn: number;
  numPeriods: number;
}

/** The periods a year the CAGR was annualised with: 1 + CAGR = (1 + total)^(P / n). */
function periodsPerYear({ totalReturn, annualizedReturn, numPeriods }: Metrics): number {
  return (Math.log1p(annualizedReturn) / Math.log1p(totalReturn)) * numPeriods;
}

describe.skipIf(!btc.present)(`BTCUSD stored as 1mo${btc.skipReason}`, () => {
  it('backtests and optimises with --timeframe 1mo, annualising with 12 periods a year', async () => {
    const d = ['--data-dir', dataDir()];
    const imported = await runCli(['data', 'import', btc.path, ...d, '--json']);
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toMatchObject({ symbol: 'BTCUSD', timeframe: '1mo' });
    const common = ['--symbol', 'BTCUSD', '--timeframe', '1mo', '--strategy', 'sma-cross', ...d];
    const run = await runCli(['backtest', ...common, '--param', 'fast=2', '--param', 'slow=6', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { bars: number; metrics: Metrics };
    expect(result.bars).toBe(156);
    expect(periodsPerYear(result.metrics)).toBeCloseTo(12, 9);
    const study = await runCli([
      'optimize',
      ...common,
      '--space',
      'fast=2:4',
      '--space',
      'slow=6:8',
      '--sampler',
      'grid',
      '--json',
    ]);
    expect(study.stderr).not.toMatch(/error/i);
    expect(study.code).toBe(0);
    const best = (JSON.parse(study.stdout) as { best: { status: string; metrics: Metrics } }).best;
    expect(best.status).toBe('complete');
    expect(best.metrics.numPeriods).toBe(155);
    expect(periodsPerYear(best.metrics)).toBeCloseTo(12, 9);
    const out = join(dirs.at(-1)!, 'btc.csv');
    const exported = await runCli([
      'data',
      'export',
      ...common.slice(0, 4),
      '--format',
      'csv',
      '--out',
      out,
      ...d,
    ]);
    expect(exported.stderr).toBe('');
    expect(exported.stdout.trim()).toBe(`Wrote 156 1mo bars of BTCUSD to ${out}`);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    // A crypto month is stamped at 00:00 UTC of its date, not 00:00 New York (05:00 UTC).
    expect([lines.length, lines[1]]).toEqual([157, '2012-01-31T00:00:00Z,4.58,7.38,3.8,5.55,2012.25343589']);
  });
});

describe.skipIf(!goog.present)(`GOOG stored as 1d, read as weeks${goog.skipReason}`, () => {
  it('backtests --timeframe 1w on Monday-based weeks, refuses 1h, which days cannot give, and repairs only days', async () => {
    const d = ['--data-dir', dataDir()];
    expect((await runCli(['data', 'import', goog.path, ...d])).code).toBe(0);
    const common = ['--symbol', 'GOOG', '--strategy', 'buy-and-hold', ...d, '--json'];
    const weekly = await runCli(['backtest', ...common, '--timeframe', '1w']);
    expect(weekly.stderr).toBe('');
    const result = JSON.parse(weekly.stdout) as { bars: number; metrics: Metrics };
    // 2004-08-19 to 2013-02-25 (the file's span): 446 Monday-based weeks.
    expect(result.bars).toBe(446);
    expect(periodsPerYear(result.metrics)).toBeCloseTo(52, 9);
    const hourly = await runCli(['backtest', ...common, '--timeframe', '1h']);
    expect(hourly.code).not.toBe(0);
    expect(hourly.stderr).toMatch(/stored as 1d only; 1h cannot be derived/);
    const repair = await runCli([
      'data',
      'quality',
      '--symbol',
      'GOOG',
      '--timeframe',
      '1w',
      '--repair',
      ...d,
    ]);
    expect(repair.code).not.toBe(0);
    expect(repair.stderr).toMatch(
      /1w bars of "GOOG" are derived from its stored 1d bars: repair those instead/,
    );
  });

  // --timeframe went unread with --csv: `backtest --csv GOOG.csv --timeframe 1w` ran the day bars.
  it('reads the file itself as weeks with --timeframe 1w, as the cache does, and refuses 1h', async () => {
    const d = ['--data-dir', dataDir()];
    const common = ['--csv', goog.path, '--strategy', 'buy-and-hold', ...d, '--json'];
    const weekly = await runCli(['backtest', ...common, '--timeframe', '1w']);
    expect(weekly.stderr).toBe('');
    const result = JSON.parse(weekly.stdout) as { bars: number; metrics: Metrics };
    expect(result.bars).toBe(446);
    expect(periodsPerYear(result.metrics)).toBeCloseTo(52, 9);
    const regimes = await runCli(['regimes', '--csv', goog.path, '--timeframe', '1w', ...d, '--json']);
    expect((JSON.parse(regimes.stdout) as { t: number[] }).t).toHaveLength(446);
    const hourly = await runCli(['backtest', ...common, '--timeframe', '1h']);
    expect(hourly.code).toBe(2);
    expect(hourly.stderr.split('\n')[0]).toBe(
      'regimen backtest: --timeframe: GOOG.csv holds 1d bars, so it has no 1h bars: bars resample to ' +
        'coarser timeframes only (1d, 1w, 1mo, native)',
    );
  });
});
