/**
 * The stock borrow fee through the CLI: sma-cross reverses into shorts by default, and each night a short
 * is held costs its value x the annual rate / 360 (three nights over a weekend), recomputed here from the
 * trades and the file's closes, apart from the engine.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Run {
  metrics: { finalEquity: number };
  costs: { borrowPercent: number };
  financingPaid: number;
  trades: { entryTime: number; exitTime: number; size: number }[];
}

const DAY_MS = 86_400_000;

describe.skipIf(!goog.present)(`--borrow-rate on GOOG.csv${goog.skipReason}`, () => {
  it('charges every short the nights it is held, as recomputed from its trades and the closes', async () => {
    const d = ['--data-dir', mkdtempSync(join(tmpdir(), 'regimen-borrow-'))];
    dirs.push(d[1]!);
    const common = ['backtest', '--csv', goog.path, '--strategy', 'sma-cross', '--param', 'fast=10', ...d];
    const plain = await runCli([...common, '--param', 'slow=30', '--json']);
    const borrowed = await runCli([...common, '--param', 'slow=30', '--borrow-rate', '2', '--json']);
    expect(borrowed.stderr).toBe('');
    expect(borrowed.code).toBe(0);
    const without = JSON.parse(plain.stdout) as Run;
    const run = JSON.parse(borrowed.stdout) as Run;
    expect(without.financingPaid).toBe(0);
    expect(run.costs.borrowPercent).toBe(2);

    // The file's days and closes, by the UTC date a bar's time falls on.
    const rows = readFileSync(goog.path, 'utf8').trim().split('\n').slice(1);
    const dates = rows.map((row) => row.split(',')[0]!);
    const closes = rows.map((row) => Number(row.split(',')[4]));
    const index = new Map(dates.map((date, k) => [date, k]));
    const at = (t: number): number => index.get(new Date(t).toISOString().slice(0, 10))!;
    let expected = 0;
    let shorts = 0;
    for (const trade of run.trades) {
      if (trade.size >= 0) continue;
      shorts++;
      // Held at each close from the entry bar's to the one before the exit (a cover fills at an open).
      for (let k = at(trade.entryTime); k < at(trade.exitTime); k++) {
        const nights = (Date.parse(dates[k + 1]!) - Date.parse(dates[k]!)) / DAY_MS;
        expected += (nights * -trade.size * closes[k]! * 0.02) / 360;
      }
    }
    expect(shorts).toBeGreaterThan(10);
    expect(run.financingPaid).toBeGreaterThan(0);
    expect(Math.abs(run.financingPaid - expected)).toBeLessThan(1e-6 * expected);
    expect(run.metrics.finalEquity).toBeLessThan(without.metrics.finalEquity);

    // The cost line and the tear sheet's subtitle say the rate and what it cost.
    const sheet = join(d[1]!, 'sheet.html');
    const text = await runCli([...common, '--param', 'slow=30', '--borrow-rate', '2', '--out', sheet]);
    const paid = `borrow fee 2 % a year; financing paid ${run.financingPaid.toFixed(2)} (in the trades`;
    expect(text.stdout).toContain(paid);
    expect(readFileSync(sheet, 'utf8')).toContain(paid);
  });

  it('takes the rate from the settings, and refuses one that is not an annual percent, naming the flag', async () => {
    const d = ['--data-dir', mkdtempSync(join(tmpdir(), 'regimen-borrow-settings-'))];
    dirs.push(d[1]!);
    expect((await runCli(['settings', 'set', 'borrowPercent', '0.75', ...d])).code).toBe(0);
    const common = ['backtest', '--csv', goog.path, '--strategy', 'sma-cross', ...d, '--json'];
    const run = JSON.parse((await runCli(common)).stdout) as Run;
    expect(run.costs.borrowPercent).toBe(0.75);
    expect(run.financingPaid).toBeGreaterThan(0);
    // --costs none outranks the setting, as it does the other costs.
    const none = JSON.parse((await runCli([...common, '--costs', 'none'])).stdout) as Run;
    expect(none.costs.borrowPercent).toBe(0);
    expect(none.financingPaid).toBe(0);

    const bad = await runCli([...common, '--borrow-rate', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--borrow-rate must be between 0 and 1,000 % a year, got "-1"');
    // Every numeric cost flag is refused by the one range Settings and the forms keep (COST_NUMBER_BOUNDS).
    for (const [flag, value, range] of [
      ['--spread-bps', '1001', '1,000 bp'],
      ['--impact', '2', '1'],
      ['--spread-bps', '5%', '1,000 bp'],
    ]) {
      const refused = await runCli([...common, flag!, value!]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${flag} must be between 0 and ${range}, got "${value}"`);
    }
  });
});
