import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { commissionSpecFromRate } from '../../src/core/engine/index.ts';
import { computeScorecard } from '../../src/core/ml/learner/scorecard.ts';
import { strategySpace } from '../../src/core/optimize/space.ts';
import { createDetector } from '../../src/core/regime/index.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { main } from '../../src/main/cli/main.ts';
import { commissionRateFromPercent } from '../../src/shared/commission.ts';
import { captureIO } from '../support/captureIO.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');

describe.skipIf(!goog.present)(`regimen scorecard on GOOG.csv${goog.skipReason}`, () => {
  it('--json is the core scorecard with the default 0.05 % commission, each goal marked met or not', async () => {
    const io = captureIO();
    expect(await main(['scorecard', '--csv', goog.path, '--trials', '4', '--json'], io)).toBe(0);
    const json = JSON.parse(io.stdout) as Record<string, unknown>;
    const bars = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
    const expected = computeScorecard(bars, {
      strategy: 'sma-cross',
      space: strategySpace(getStrategy('sma-cross')),
      trials: 4,
      seed: 1,
      timeframe: '1d',
      createDetector: () => createDetector('rules', '1d'),
      axis: 'volatility',
      // The CLI's percent as the engine's rate: PBO ranks trials that tie, so it must be the same double.
      backtest: { cash: 1_000_000, commission: commissionSpecFromRate(commissionRateFromPercent(0.05)) },
      windowBars: 21,
      threshold: 0.5,
      model: 'linear',
    });
    expect(json['commission']).toBeCloseTo(0.0005, 15);
    expect(json['policies']).toEqual(JSON.parse(JSON.stringify(expected.policies)));
    expect(json['goals']).toEqual(JSON.parse(JSON.stringify(expected.goals)));
    const goals = json['goals'] as { met: Record<string, boolean> }[];
    expect(goals.map((g) => Object.keys(g.met))).toContainEqual(['optimised', 'regimeAware', 'learner']);
  });
});

describe('regimen scorecard input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-scorecard-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the flag a bad value came from', async () => {
    const trials = captureIO();
    expect(await main(['scorecard', '--csv', join(dir, 'none.csv'), '--trials', '1'], trials)).toBe(2);
    expect(trials.stderr).toMatch(/--trials must be an integer >= 2, got 1/);
    const rows = Array.from({ length: 300 }, (_, i) => {
      const date = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const close = 100 + Math.sin(i / 7) * 5;
      return `${date},${close},${close + 1},${close - 1},${close},1000`;
    });
    const short = join(dir, 'short.csv');
    writeFileSync(short, ['Date,Open,High,Low,Close,Volume', ...rows].join('\n'));
    const few = captureIO();
    expect(await main(['scorecard', '--csv', short, '--trials', '2'], few)).toBe(2);
    expect(few.stderr).toMatch(/--csv: scorecard: 300 bars leave .* give more bars or a smaller window/);
  });
});
