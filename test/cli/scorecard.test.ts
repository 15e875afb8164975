import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { costOptions, US_EQUITY_COSTS, type BacktestOptions } from '../../src/core/engine/index.ts';
import { computeScorecard, POLICIES } from '../../src/core/ml/learner/scorecard.ts';
import { strategySpace } from '../../src/core/optimize/space.ts';
import { createDetector } from '../../src/core/regime/index.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { scorecardText } from '../../src/main/cli/commands/ml/scorecard.ts';
import { main } from '../../src/main/cli/main.ts';
import { commissionRateFromPercent } from '../../src/shared/commission.ts';
import { captureIO } from '../support/captureIO.ts';
import { setPricedSettings } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');

/** The core scorecard of GOOG's sma-cross, 4 trials, with `backtest` and `riskFreeRate`. */
function coreScorecard(backtest: BacktestOptions, riskFreeRate = 0) {
  const bars = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
  return computeScorecard(bars, {
    strategy: 'sma-cross',
    space: strategySpace(getStrategy('sma-cross')),
    trials: 4,
    seed: 1,
    timeframe: '1d',
    createDetector: () => createDetector('rules', '1d'),
    axis: 'volatility',
    backtest,
    riskFreeRate,
    windowBars: 21,
    threshold: 0.5,
    model: 'linear',
  });
}

let atDefaults: ReturnType<typeof coreScorecard> | undefined;
/** The core scorecard at Settings' defaults: 10,000 cash, no commission, US equity costs, no risk-free rate. */
const defaultScorecard = () =>
  (atDefaults ??= coreScorecard({ cash: 10_000, ...costOptions(0, US_EQUITY_COSTS) }));

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function scorecardJson(...flags: string[]): Promise<Record<string, unknown>> {
  const io = captureIO();
  expect(
    await main(['scorecard', '--csv', goog.path, '--trials', '4', '--json', ...flags], io),
    io.stderr,
  ).toBe(0);
  return JSON.parse(io.stdout) as Record<string, unknown>;
}

describe.skipIf(!goog.present)(`regimen scorecard on GOOG.csv${goog.skipReason}`, () => {
  it("--json is the core scorecard at Settings' default cash and costs (US equities), each goal marked met or not", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-scorecard-settings-'));
    dirs.push(dir);
    const json = await scorecardJson('--data-dir', dir);
    const expected = defaultScorecard();
    expect(json).toMatchObject({ cash: 10_000, commission: 0, costs: US_EQUITY_COSTS, riskFreeRate: 0 });
    expect(json['policies']).toEqual(JSON.parse(JSON.stringify(expected.policies)));
    expect(json['goals']).toEqual(JSON.parse(JSON.stringify(expected.goals)));
    // The learner's prediction figures travel with their t and intervals over windows.
    expect(json['prediction']).toEqual(JSON.parse(JSON.stringify(expected.prediction)));
    expect(json['prediction']).toHaveProperty('pairwiseInterval.lower');
    const goals = json['goals'] as { met: Record<string, boolean> }[];
    expect(goals.map((g) => Object.keys(g.met))).toContainEqual(['optimised', 'regimeAware', 'learner']);
  });

  it('prints the deflated Sharpe and PBO as percentages, as the Optimize view and every other table do', () => {
    const card = defaultScorecard();
    const about = {
      ...{ symbol: 'GOOG', timeframe: '1d', strategy: 'sma-cross', cash: 10_000, commission: 0 },
      ...{ costs: US_EQUITY_COSTS, riskFreeRate: 0, trials: 4 },
    };
    const lines = scorecardText(card, about).split('\n');
    const cells = (label: string): string[] =>
      lines
        .find((line) => line.startsWith(label))!
        .slice(label.length)
        .trim()
        .split(/\s{2,}/);
    const percent = (x: number | null): string =>
      x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`;
    expect(cells('deflated Sharpe')).toEqual(
      POLICIES.map((name) => percent(card.policies[name].deflatedSharpe)),
    );
    expect(cells('PBO')).toEqual(POLICIES.map((name) => percent(card.policies[name].pbo)));
  });

  it('folds bars left over that are fewer than half a test window into the last one, and says so', () => {
    // GOOG: a sixth test window of the bars left (18 after a 1,500-bar train window) was scored on its own
    // (ORCL's day bars: 2 bars); fewer than half a test window (63) now join the fifth (walkForward.ts,
    // MIN_LAST_TEST_SHARE).
    const card = defaultScorecard();
    const last = card.bars - card.train - (card.windows - 1) * card.test;
    expect(card.windows).toBe(5);
    expect(last).toBe(card.test + 18);
    const text = scorecardText(card, {
      symbol: 'GOOG',
      timeframe: '1d',
      strategy: 'sma-cross',
      cash: 10_000,
      commission: 0,
      costs: US_EQUITY_COSTS,
      riskFreeRate: 0,
      trials: 4,
    });
    expect(text).toContain(
      `${card.windows} test windows of ${card.test} bars (the last of ${last}: with the bars left) after a train window`,
    );
  });

  it("takes the data folder's cash, costs and risk-free rate, the ones a backtest there runs with", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-scorecard-settings-'));
    dirs.push(dir);
    const d = ['--data-dir', dir];
    await setPricedSettings(dir);
    const json = await scorecardJson(...d);
    const costs = { ...US_EQUITY_COSTS, spreadBps: 10 };
    // The CLI's percent as the engine's rate: PBO ranks trials that tie, so it must be the same double.
    const rate = commissionRateFromPercent(0.1);
    const expected = coreScorecard({ cash: 25_000, ...costOptions(rate, costs) }, 0.04);
    expect(json).toMatchObject({ cash: 25_000, commission: rate, costs, riskFreeRate: 0.04 });
    expect(json['policies']).toEqual(JSON.parse(JSON.stringify(expected.policies)));
    // What `regimen backtest` charges in the same folder.
    const io = captureIO();
    expect(await main(['backtest', '--csv', goog.path, '--strategy', 'sma-cross', '--json', ...d], io)).toBe(
      0,
    );
    expect((JSON.parse(io.stdout) as { costs: unknown }).costs).toEqual(costs);
    // The settings move the figures (the risk-free rate alone: src/core/ml/learner/scorecard.test.ts).
    for (const name of POLICIES)
      expect(expected.policies[name].sharpeRatio).not.toBe(defaultScorecard().policies[name].sharpeRatio);
  });
});

describe('regimen scorecard input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-scorecard-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the flag a bad value came from', async () => {
    const trials = captureIO();
    expect(await main(['scorecard', '--csv', join(dir, 'none.csv'), '--trials', '1'], trials)).toBe(2);
    expect(trials.stderr).toMatch(/--trials must be a whole number from 2 to 500, got 1/);
    // The contract's bound, which the Scorecard view's field keeps to: the CLI took 501 before.
    const many = captureIO();
    expect(await main(['scorecard', '--csv', join(dir, 'none.csv'), '--trials', '501'], many)).toBe(2);
    expect(many.stderr).toMatch(/--trials must be a whole number from 2 to 500, got 501/);
    const dailyCsv = (name: string, length: number): string => {
      const rows = Array.from({ length }, (_, i) => {
        const date = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
        const close = 100 + Math.sin(i / 7) * 5;
        return `${date},${close},${close + 1},${close - 1},${close},1000`;
      });
      const file = join(dir, name);
      writeFileSync(file, ['Date,Open,High,Low,Close,Volume', ...rows].join('\n'));
      return file;
    };
    // Fewer bars than the train window alone: the bars are short whatever the window (this said "300
    // bars leave -750 after a train window of 1050").
    const short = dailyCsv('short.csv', 300);
    for (const window of [[], ['--window-bars', '50']]) {
      const few = captureIO();
      expect(await main(['scorecard', '--csv', short, '--trials', '2', ...window], few)).toBe(2);
      expect(few.stderr).toMatch(
        /^regimen scorecard: --csv: scorecard: 300 bars are fewer than its train window alone, 1050 bars \(three purge gaps of 350, .*\): give more bars/,
      );
    }
    // Enough for the train window, too few for five learner windows after it.
    const tight = dailyCsv('tight.csv', 1600);
    const few = captureIO();
    expect(await main(['scorecard', '--csv', tight, '--trials', '2'], few)).toBe(2);
    expect(few.stderr).toMatch(
      /--csv: scorecard: 1600 bars leave 100 after a train window of 1500 .* give more bars or a smaller window/,
    );
    // A window the trader chose is the flag to change (it was blamed on --csv).
    const wide = captureIO();
    expect(await main(['scorecard', '--csv', tight, '--trials', '2', '--window-bars', '50'], wide)).toBe(2);
    expect(wide.stderr).toMatch(
      /^regimen scorecard: --window-bars: scorecard: 1600 bars leave .* learner windows of 50 bars/,
    );
  });
});
