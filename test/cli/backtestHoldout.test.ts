/**
 * `regimen backtest --start` over a study's held-out dates gives the study's holdout figure: both warm
 * the strategy's indicators on the bars before the cut. The holdout is one run over the whole range, so
 * the two agree where that run is flat at the cut (long-only sma-cross with the fast SMA below the slow
 * one there): a position it held across the cut is one a backtest from the cut never opened. Cash is
 * large so whole-share sizing from the two runs' different cash at the cut does not show.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { runCli } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-backtest-holdout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ACCOUNT = ['--long-only', '--cash', '1000000000'];

interface Figures {
  holdout: number;
  backtest: number;
  trades: number;
  range: { first: number; tradingFrom: number; warmup?: string };
  from: number;
}

async function holdoutAndBacktest(
  file: string,
  space: string[],
  range: string[],
  cut: string,
): Promise<Figures> {
  const study = await runCli([
    'optimize',
    '--csv',
    file,
    '--strategy',
    'sma-cross',
    ...space.flatMap((s) => ['--space', s]),
    '--sampler',
    'grid',
    ...range,
    '--holdout',
    cut,
    ...ACCOUNT,
    '--progress',
    'none',
    '--data-dir',
    join(dir, `${Math.random()}`),
    '--json',
  ]);
  expect(study.code, study.stderr).toBe(0);
  const { best, holdout } = JSON.parse(study.stdout) as {
    best: { params: Record<string, number> };
    holdout: { from: number; outOfSample: Record<string, number> };
  };
  const end = range.indexOf('--end');
  const run = await runCli([
    'backtest',
    '--csv',
    file,
    '--strategy',
    'sma-cross',
    ...Object.entries(best.params).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
    '--start',
    new Date(holdout.from).toISOString(),
    ...(end < 0 ? [] : ['--end', range[end + 1]!]),
    ...ACCOUNT,
    '--json',
  ]);
  expect(run.code).toBe(0);
  const backtest = JSON.parse(run.stdout) as {
    metrics: Record<string, number>;
    trades: unknown[];
    range: Figures['range'];
  };
  return {
    holdout: holdout.outOfSample['totalReturn']!,
    backtest: backtest.metrics['totalReturn']!,
    trades: backtest.trades.length,
    range: backtest.range,
    from: holdout.from,
  };
}

describe('a backtest over a holdout’s dates', () => {
  it('on synthetic day bars: the holdout’s return, trading from the cut', async () => {
    const file = join(dir, 'wave.csv');
    writeFileSync(file, dailyWaveCsv());
    const figures = await holdoutAndBacktest(file, ['fast=5:5:5', 'slow=40:40:40'], [], '2022-08-20');
    expect(figures.range.first).toBe(figures.from);
    expect(figures.range.tradingFrom).toBe(figures.from);
    expect(figures.range.warmup).toBeUndefined();
    expect(figures.trades).toBeGreaterThan(0);
    expect(figures.backtest).not.toBe(0);
    expect(figures.backtest).toBeCloseTo(figures.holdout, 6);
  });

  const orcl = sharedDataFile('ORCL.csv');
  it.skipIf(!orcl.present)(
    `on ORCL.csv from 1999-06-01: the holdout’s return${orcl.skipReason}`,
    async () => {
      const figures = await holdoutAndBacktest(
        orcl.path,
        ['fast=10:50:20', 'slow=100:200:100'],
        ['--start', '1995-01-01', '--end', '2000-01-01'],
        '1999-06-01',
      );
      // A cold start would warm a 100-day SMA on the 150 held-out days and miss the June 1999 entry.
      expect(figures.range.tradingFrom).toBe(figures.from);
      expect(figures.trades).toBeGreaterThan(0);
      expect(Math.abs(figures.backtest / figures.holdout - 1)).toBeLessThan(1e-6);
    },
  );
});
