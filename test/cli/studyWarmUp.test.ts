/**
 * The trader's case: `regimen backtest --symbol GOOG --timeframe 1d --start 2008-10-27 --end 2009-10-27`
 * of sma-cross 26/71 warms up on the cached days before the start; `regimen optimize` over the same
 * dates now scores trial 26/71 the same (it warmed up inside the range and held no position all year),
 * and its report says where its trials warmed up in a "Warm-up:" line, as a backtest's does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');

describe.skipIf(!goog.present)(
  `a study's trials warm up as a backtest does, GOOG 1d${goog.skipReason}`,
  () => {
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'regimen-study-warmup-'));
      expect((await runCli(['data', 'import', goog.path, '--data-dir', dir])).code).toBe(0);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const range = ['--symbol', 'GOOG', '--timeframe', '1d', '--start', '2008-10-27', '--end', '2009-10-27'];
    const search = (...rest: string[]): string[] => [
      'optimize',
      '--strategy',
      'sma-cross',
      '--space',
      'fast=26:27',
      '--space',
      'slow=70:71',
      '--sampler',
      'grid',
      '--seed',
      '1',
      '--data-dir',
      dir,
      ...rest,
    ];

    it('scores trial 26/71 as the backtest of 26/71 over the same dates', async () => {
      const backtest = await runCli([
        'backtest',
        ...range,
        '--strategy',
        'sma-cross',
        '--param',
        'fast=26',
        '--param',
        'slow=71',
        '--data-dir',
        dir,
        '--json',
      ]);
      expect(backtest.code, backtest.stderr).toBe(0);
      const tested = JSON.parse(backtest.stdout) as { metrics: Record<string, number> };
      expect(tested.metrics['sharpeRatio']).toBeCloseTo(2.11, 2);

      const study = await runCli(search(...range, '--json'));
      expect(study.code, study.stderr).toBe(0);
      const { trials } = JSON.parse(study.stdout) as {
        trials: { params: Record<string, number>; metrics: Record<string, number> }[];
      };
      const trial = trials.find((t) => t.params['fast'] === 26 && t.params['slow'] === 71)!;
      for (const key of ['sharpeRatio', 'totalReturn', 'maxDrawdown', 'exposure', 'finalEquity'])
        expect(trial.metrics[key], key).toBeCloseTo(tested.metrics[key]!, 9);
    });

    it('says in its Warm-up line where the trials warmed up: before the range, or inside it', async () => {
      const before = await runCli(search(...range));
      expect(before.code, before.stderr).toBe(0);
      expect(before.stdout).toContain(
        "Warm-up: on the 71 bars before the range (the space's longest warm-up is 71), so every trial " +
          'trades from its first bar, as a backtest from its start does.',
      );
      // `regimen studies ID` says it too.
      const studyId = /^Study (\S+) /m.exec(before.stdout)![1]!;
      const shown = await runCli(['studies', studyId, '--data-dir', dir]);
      expect(shown.stdout).toContain(
        "Warm-up: on the 71 bars before the range (the space's longest warm-up is 71)",
      );
      // From the file's first day: no bar before it, so the trials warm up inside the range.
      const inside = await runCli(search('--symbol', 'GOOG', '--timeframe', '1d', '--start', '2004-08-19'));
      expect(inside.code, inside.stderr).toBe(0);
      expect(inside.stdout).toMatch(/^Warm-up: inside the range: no bars before its start/m);
    });
  },
);
