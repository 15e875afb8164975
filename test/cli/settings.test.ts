/**
 * `regimen settings show|set` and the defaults every command takes from the settings (issue 15 item 11):
 * a changed setting is stored in the data folder and is the default of the flags that set the same thing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { US_EQUITY_COSTS } from '../../src/core/engine/index.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { runCli, SMA_GRID } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-cli-settings-'));
  dirs.push(dir);
  return dir;
}

describe('regimen settings', () => {
  it('sets and shows a setting, and refuses a bad value naming it without changing what is stored', async () => {
    const d = ['--data-dir', dataDir()];
    expect((await runCli(['settings', 'set', 'cash', '25000', ...d])).code).toBe(0);
    expect((await runCli(['settings', 'set', 'riskFreePercent', '4.5%', ...d])).code).toBe(0);
    const shown = await runCli(['settings', 'show', '--json', ...d]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ settings: { cash: 25_000, riskFreePercent: 4.5 } });
    const stored = readFileSync(join(d[1]!, 'settings.json'), 'utf8');

    const bad = await runCli(['settings', 'set', 'riskFreePercent', '45', ...d]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('riskFreePercent: must be at most 20 (%)');
    const unknown = await runCli(['settings', 'set', 'colour', 'blue', ...d]);
    expect(unknown.stderr).toContain('unknown setting "colour"');
    const notANumber = await runCli(['settings', 'set', 'workers', 'many', ...d]);
    expect(notANumber.stderr).toContain('workers must be a number or default, got "many"');
    // Version 1's on / off switch is a schedule's name now: the refusal lists the names.
    const oldSwitch = await runCli(['settings', 'set', 'fees', 'on', ...d]);
    expect(oldSwitch.code).toBe(2);
    expect(oldSwitch.stderr).toContain(
      'fees: Invalid option: expected one of "us-equity"|"alpaca-crypto"|"none"',
    );
    expect(readFileSync(join(d[1]!, 'settings.json'), 'utf8')).toBe(stored);

    const table = await runCli(['settings', 'show', ...d]);
    expect(table.stdout).toMatch(/cash\s+25000\s+set/);
    expect(table.stdout).toMatch(/spreadBps\s+default \(asset class\)/);
    expect(table.stdout).toMatch(
      /fees\s+default \(asset class\)\s+us-equity, alpaca-crypto, none: the venue's fees/,
    );
  });
});

/** GOOG's sma-cross backtest metrics with `flags`, in the folder `d` names. */
async function backtestMetrics(d: string[], ...flags: string[]) {
  const r = await runCli([
    'backtest',
    '--csv',
    goog.path,
    '--strategy',
    'sma-cross',
    '--json',
    ...flags,
    ...d,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return (
    JSON.parse(r.stdout) as { metrics: { finalEquity: number; sharpeRatio: number; sortinoRatio: number } }
  ).metrics;
}

interface StudyJson {
  best: { params: Record<string, number>; metrics: { sharpeRatio: number; sortinoRatio: number } };
}

describe.skipIf(!goog.present)(`the settings as defaults of backtest's flags${goog.skipReason}`, () => {
  it('--cash and --commission', async () => {
    const d = ['--data-dir', dataDir()];
    const run = async (...flags: string[]) => (await backtestMetrics(d, ...flags)).finalEquity;
    const plain = await run();
    const asked = await run('--cash', '25000', '--commission', '0.1');
    expect(asked).not.toBe(plain);
    await runCli(['settings', 'set', 'cash', '25000', ...d]);
    await runCli(['settings', 'set', 'commissionPercent', '0.1', ...d]);
    expect(await run()).toBe(asked);
    // A flag given still wins over the setting.
    expect(await run('--cash', '10000', '--commission', '0')).toBe(plain);
  });

  it("--fees: a schedule set is every backtest's, and the flag still wins", async () => {
    const d = ['--data-dir', dataDir()];
    const costsOf = async (...flags: string[]) => {
      const run = ['backtest', '--csv', goog.path, '--strategy', 'sma-cross', '--json', ...flags, ...d];
      const r = await runCli(run);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { costs: unknown }).costs;
    };
    // US equities' defaults (SEC and FINRA fees, a 2 bp spread, impact 0.01, no borrow fee, the first
    // tier, short sales allowed; analysis.test.ts spells them out).
    const equities = US_EQUITY_COSTS;
    expect(await costsOf()).toEqual(equities);
    expect((await runCli(['settings', 'set', 'fees', 'alpaca-crypto', ...d])).code).toBe(0);
    expect(await costsOf()).toEqual({ ...equities, fees: 'alpaca-crypto' });
    expect(await costsOf('--fees', 'none')).toEqual({ ...equities, fees: 'none' });
    // A crypto fee tier set is every run's too: Alpaca's crypto fee charges it, other fees ignore it.
    expect((await runCli(['settings', 'set', 'cryptoFeeTier', '3', ...d])).code).toBe(0);
    expect(await costsOf()).toMatchObject({ fees: 'alpaca-crypto', cryptoFeeTier: 3 });
    expect((await runCli(['settings', 'set', 'cryptoFeeTier', 'default', ...d])).code).toBe(0);
    expect((await runCli(['settings', 'set', 'fees', 'default', ...d])).code).toBe(0);
    expect(await costsOf()).toEqual(equities);
    // Short sales none (a cash account) makes every run long only, --costs none too; the flag still wins.
    expect((await runCli(['settings', 'set', 'shortSales', 'none', ...d])).code).toBe(0);
    expect(await costsOf()).toEqual({ ...equities, shortSales: 'none' });
    expect(await costsOf('--costs', 'none')).toMatchObject({ fees: 'none', shortSales: 'none' });
    expect(await costsOf('--short-sales', 'allowed')).toEqual(equities);
    expect((await runCli(['settings', 'set', 'shortSales', 'default', ...d])).code).toBe(0);
    expect(await costsOf()).toEqual(equities);
  });

  it('--risk-free', async () => {
    const d = ['--data-dir', dataDir()];
    const sharpe = async (...flags: string[]) => (await backtestMetrics(d, ...flags)).sharpeRatio;
    const atZero = await sharpe();
    const atFour = await sharpe('--risk-free', '4');
    expect(atFour).toBeLessThan(atZero);
    await runCli(['settings', 'set', 'riskFreePercent', '4', ...d]);
    expect(await sharpe()).toBe(atFour);
  });

  // `metrics` measured every Sharpe over 0 whatever Settings said, and took no --risk-free.
  it("metrics measures an equity column's Sharpe and Sortino over the settings' rate, or --risk-free", async () => {
    const d = ['--data-dir', dataDir()];
    const metrics = async (...flags: string[]) => {
      const r = await runCli(['metrics', '--csv', goog.path, '--column', 'Close', '--json', ...flags, ...d]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { metrics: { sharpeRatio: number; sortinoRatio: number } }).metrics;
    };
    const atZero = await metrics();
    const atFour = await metrics('--risk-free', '4');
    expect(atFour.sharpeRatio).toBeLessThan(atZero.sharpeRatio);
    expect(atFour.sortinoRatio).toBeLessThan(atZero.sortinoRatio);
    await runCli(['settings', 'set', 'riskFreePercent', '4', ...d]);
    expect(await metrics()).toEqual(atFour);
  });

  it("a study's winner has the backtest's Sharpe and Sortino at the settings' rate", async () => {
    const d = ['--data-dir', dataDir()];
    await runCli(['settings', 'set', 'riskFreePercent', '4', ...d]);
    const optimize = [
      ...['optimize', '--csv', goog.path, '--strategy', 'sma-cross', '--sampler', 'grid', '--json'],
      ...['--space', 'fast=5:15:5', '--space', 'slow=30:50:20', ...d],
    ];
    const study = await runCli(optimize);
    expect(study.code, study.stderr).toBe(0);
    const best = (JSON.parse(study.stdout) as StudyJson).best;
    const params = Object.entries(best.params).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
    const backtest = await backtestMetrics(d, ...params);
    expect(best.metrics.sharpeRatio).toBeCloseTo(backtest.sharpeRatio, 12);
    expect(best.metrics.sortinoRatio).toBeCloseTo(backtest.sortinoRatio, 12);
    // The rate is the study's: a flag naming another one changes it.
    const atZero = JSON.parse((await runCli([...optimize, '--risk-free', '0'])).stdout) as StudyJson;
    expect(atZero.best.metrics.sharpeRatio).toBeGreaterThan(best.metrics.sharpeRatio);
  });
});

describe('a setting fills only the flags that mean the same thing', () => {
  // The settings' cash filled compare add's --cash, which a trial's pin refuses, and the settings' display
  // zone filled data import's --tz (the file's zone, UTC or America/New_York): both commands stopped
  // working for a trader who had changed either setting in the app.
  it('compare add --study and data import run with cash and time zone set; a typed --cash is still refused', async () => {
    const d = ['--data-dir', dataDir()];
    for (const [key, value] of [
      ['cash', '25000'],
      ['timeZone', 'utc'],
    ])
      expect((await runCli(['settings', 'set', key, value, ...d])).code).toBe(0);
    const csv = join(d[1]!, 'WAVE.csv');
    writeFileSync(csv, dailyWaveCsv());

    const imported = await runCli(['data', 'import', csv, ...d]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('300 1d bars of WAVE');

    const study = await runCli(['optimize', '--csv', csv, ...SMA_GRID, '--workers', '1', '--json', ...d]);
    expect(study.code, study.stderr).toBe(0);
    const { studyId } = JSON.parse(study.stdout) as { studyId: string };
    const pinned = await runCli(['compare', 'add', '--study', studyId, '--trial', '0', ...d]);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.stdout).toContain('Pinned');
    const typed = await runCli(['compare', 'add', '--study', studyId, '--trial', '1', '--cash', '5', ...d]);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toContain("--cash describes a backtest, not a study's trial");
  }, 60_000);
});
