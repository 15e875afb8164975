import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { costOptions, US_EQUITY_COSTS, type BacktestOptions } from '../../src/core/engine/index.ts';
import { compareRegimeAware } from '../../src/core/regime/compare.ts';
import {
  allocateRegimeOutput,
  createDetector,
  type DetectorSettings,
  type RegimeDetector,
} from '../../src/core/regime/index.ts';
import { sampleCandidates } from '../../src/core/regime/perRegime.ts';
import { parseSpace } from '../../src/core/optimize/space.ts';
import { STRATEGIES } from '../../src/core/strategy/registry.ts';
import { main } from '../../src/main/cli/main.ts';
import { commissionRateFromPercent } from '../../src/shared/commission.ts';
import { captureIO } from '../support/captureIO.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');
const search = ['--space', 'fast=5:15:5', '--space', 'slow=20:60:20', '--constraint', 'fast<slow'];

/**
 * What the command should print: core's comparison of the grid above on GOOG, 3 trades to earn a set, by
 * default at Settings' default costs (no commission, US equity fees, spread and impact).
 */
function coreComparison(
  detector: () => RegimeDetector,
  backtest: BacktestOptions = costOptions(0, US_EQUITY_COSTS),
  options: { minDwell?: number } = {},
) {
  const bars = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
  const space = parseSpace(['fast=5:15:5', 'slow=20:60:20'], ['fast<slow']);
  return compareRegimeAware(bars, {
    definition: STRATEGIES['sma-cross'],
    candidates: sampleCandidates(space, { kind: 'grid' }, 40, 1),
    createDetector: detector,
    axis: 'volatility',
    backtest,
    minTrades: 3,
    ...options,
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!goog.present)(`regimen regimes compare on GOOG.csv${goog.skipReason}`, () => {
  it("--json: the core comparison of the same trials, at Settings' default costs; its progress on stderr", async () => {
    const io = captureIO();
    const args = ['regimes', 'compare', '--csv', goog.path, '--detector', 'rules', '--sampler', 'grid'];
    expect(await main([...args, ...search, '--min-trades', '3', '--json', '--progress', 'lines'], io)).toBe(
      0,
    );
    const json = JSON.parse(io.stdout) as Record<string, unknown>;
    const expected = coreComparison(() => createDetector('rules', '1d'));
    const windows = expected.windows.length;
    // The app's words, a line per progress event (throttled, each part's start and the end always).
    const lines = io.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('progress full-sample study of the trials');
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^progress global and regime-aware policies · 0 of ${windows} windows done · ~\\d+ (s|min) left$`,
        ),
      ),
    );
    const done = lines
      .map((line) => Number(/ (\d+) of \d+ windows done/.exec(line)?.[1] ?? NaN))
      .filter(Number.isFinite);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(lines.at(-1)).toBe('progress probability of backtest overfitting');
    expect(json['purge']).toBe(expected.purge);
    expect(json['regimeAware']).toEqual(JSON.parse(JSON.stringify(expected.regimeAware)));
    expect(json['global']).toEqual(JSON.parse(JSON.stringify(expected.global)));
    expect(json['verdict']).toBe(expected.verdict);
    expect((json['windows'] as unknown[]).length).toBe(expected.windows.length);
  });

  it("charges the data folder's settings (commission, spread) as a backtest does; a flag still wins", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-regimes-compare-'));
    dirs.push(dir);
    const d = ['--data-dir', dir];
    for (const [key, value] of [
      ['commissionPercent', '0.2'],
      ['spreadBps', '5'],
    ])
      expect(await main(['settings', 'set', key!, value!, ...d], captureIO())).toBe(0);
    const compare = async (...flags: string[]) => {
      const io = captureIO();
      const args = ['regimes', 'compare', '--csv', goog.path, '--detector', 'rules', '--sampler', 'grid'];
      expect(await main([...args, ...search, '--min-trades', '3', '--json', ...d, ...flags], io)).toBe(0);
      return JSON.parse(io.stdout) as Record<string, unknown>;
    };
    const costs = { ...US_EQUITY_COSTS, spreadBps: 5 };
    const rules = () => createDetector('rules', '1d');
    const expected = coreComparison(rules, costOptions(commissionRateFromPercent(0.2), costs));
    expect((await compare())['global']).toEqual(JSON.parse(JSON.stringify(expected.global)));
    const flagged = coreComparison(rules, costOptions(0, costs));
    expect((await compare('--commission', '0'))['global']).toEqual(
      JSON.parse(JSON.stringify(flagged.global)),
    );
    expect(flagged.global.totalReturn).not.toBe(expected.global.totalReturn);
  });

  it('prints the per-regime winners, both policies out of sample, and the verdict', async () => {
    const io = captureIO();
    expect(
      await main(
        ['regimes', 'compare', '--csv', goog.path, '--detector', 'rules', '--trials', '6', ...search],
        io,
      ),
    ).toBe(0);
    // Not a terminal, no --progress: nothing on stderr (a bar is drawn only on a terminal).
    expect(io.stderr).toBe('');
    for (const text of [
      'Per-regime winners on all bars',
      'global set: at most',
      'Out of sample (stitched test windows, costs included)',
      'deflated Sharpe',
      '(24 trials)',
      'turnover / year',
      'PBO per regime: low',
    ])
      expect(io.stdout).toContain(text);
    expect(io.stdout).toMatch(
      /\nRegime-awareness is (not shown to be )?better here: out-of-sample Sharpe .*\.\n$/,
    );
    // Probabilities as percentages, as the Optimize view shows them (not fractions such as 0.950).
    const figure = String.raw`(?:\d+\.\d%|n/a)`;
    expect(io.stdout).toMatch(
      new RegExp(String.raw`^deflated Sharpe\s+${figure} \(24 trials\)\s+${figure} \(`, 'm'),
    );
    expect(io.stdout).toMatch(new RegExp(String.raw`^PBO\s+${figure}\s+${figure}$`, 'm'));
    expect(io.stdout).toMatch(new RegExp(String.raw`^PBO per regime: low ${figure},`, 'm'));
  });

  it("passes the jump detector's half-life, penalty and hysteresis to each window's detector", async () => {
    const io = captureIO();
    const flags = ['--halflife', '2', '--jump-penalty', '5', '--hysteresis', '0.55'];
    const args = [
      'regimes',
      'compare',
      '--csv',
      goog.path,
      '--detector',
      'jump',
      ...flags,
      '--sampler',
      'grid',
    ];
    expect(await main([...args, ...search, '--min-trades', '3', '--json'], io)).toBe(0);
    const json = JSON.parse(io.stdout) as Record<string, unknown>;
    const compare = (settings: DetectorSettings) =>
      coreComparison(() => createDetector('jump', '1d', settings, ['volatility']));
    const expected = JSON.parse(JSON.stringify(compare({ halflife: 2, jumpPenalty: 5, hysteresis: 0.55 })));
    expect(json['regimeAware']).toEqual(expected.regimeAware);
    expect(json['global']).toEqual(expected.global);
    expect(JSON.parse(JSON.stringify(compare({}))).regimeAware).not.toEqual(expected.regimeAware);
    // The study's own --min-dwell is the regime sets'; a jump-only setting on the rules is refused.
    const refused = captureIO();
    const rules = ['regimes', 'compare', '--csv', goog.path, '--detector', 'rules', '--halflife', '2'];
    expect(await main(rules, refused)).toBe(2);
    expect(refused.stderr).toContain('--halflife applies to the jump detector only, not rules, got 2');
  });

  it("--detector-min-dwell is each window's detector's dwell (--min-dwell stays the sets'); out of range, refused by name", async () => {
    const bars = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
    const switches = (settings: DetectorSettings): number => {
      const detector = createDetector('rules', '1d', settings, ['volatility']);
      const out = allocateRegimeOutput(detector.inputs, bars.t.length);
      detector.label(bars, out);
      const label = out.volatility.label;
      let count = 0;
      for (let t = 1; t < label.length; t++) if (label[t] !== label[t - 1]) count++;
      return count;
    };
    // The dwell holds the rules' volatility labels longer: fewer switches on GOOG than by default.
    expect(switches({ minDwell: 40 })).toBeLessThan(switches({}));

    const io = captureIO();
    const args = ['regimes', 'compare', '--csv', goog.path, '--detector', 'rules', '--sampler', 'grid'];
    const dwell = ['--detector-min-dwell', '40', '--min-dwell', '3'];
    expect(await main([...args, ...dwell, ...search, '--min-trades', '3', '--json'], io)).toBe(0);
    const json = JSON.parse(io.stdout) as Record<string, unknown>;
    const compare = (settings: DetectorSettings) =>
      JSON.parse(
        JSON.stringify(
          coreComparison(() => createDetector('rules', '1d', settings, ['volatility']), undefined, {
            minDwell: 3,
          }),
        ),
      );
    const expected = compare({ minDwell: 40 });
    expect(json['regimeAware']).toEqual(expected.regimeAware);
    expect(json['windows']).toEqual(
      expected.windows.map((w: { regimes: object[] }) => ({
        ...w,
        regimes: w.regimes.map((r, k) => ({ label: ['low', 'normal', 'high'][k], ...r })),
      })),
    );
    expect(compare({}).windows).not.toEqual(expected.windows);

    for (const [value, message] of [
      ['0', '--detector-min-dwell must be at least 1 bar, got 0'],
      ['2.5', '--detector-min-dwell must be a whole number of bars, got 2.5'],
    ]) {
      const refused = captureIO();
      expect(await main([...args, '--detector-min-dwell', value!], refused)).toBe(2);
      expect(refused.stderr).toContain(message);
    }
  });

  it('a sampler whose trials depend on scores, or a train window shorter than the purge gaps, is a usage error', async () => {
    const io = captureIO();
    expect(await main(['regimes', 'compare', '--csv', goog.path, '--sampler', 'tpe'], io)).toBe(2);
    expect(io.stderr).toContain('--sampler must be random or grid');
    const short = captureIO();
    const args = [
      'regimes',
      'compare',
      '--csv',
      goog.path,
      '--detector',
      'rules',
      '--train',
      '500',
      ...search,
    ];
    expect(await main(args, short)).toBe(2);
    expect(short.stderr).toContain('a train window of 500 bars less the 350-bar purge gap');
  });
});
