/**
 * A study of several symbols prints its winner combined and per symbol. Under --aggregate worst only the
 * objectives and the trade count take the worst symbol; every other metric is the mean. The column was
 * headed "worst" for all of them, so GOOG+ORCL+NVDA's winner read "Final equity (worst) 87,043.97" while
 * ORCL ended on 12,736.82: each row now says how it was combined, as does a walk-forward's stitched
 * out-of-sample table of several symbols.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, SMA_GRID, SMALL_WALK_FORWARD } from '../support/runCli.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-optimize-combined-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The cells of a text table's row whose first cell starts with `label`. */
function row(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no row "${label}" in:\n${text}`);
  return line.split(/\s{2,}/);
}

describe('the winner of a study of several symbols', () => {
  const aaa = file('aaa.csv', dailyWaveCsv(0));
  const bbb = file('bbb.csv', dailyWaveCsv(2));
  const run = ['optimize', '--csv', `${aaa},${bbb}`, ...SMA_GRID, '--workers', '1', '--data-dir', dir];

  it('labels each combined figure worst or mean, and the figures are what the labels say', async () => {
    const ran = await runCli(run);
    expect(ran.code, ran.stderr).toBe(0);
    expect(row(ran.stdout, 'metric ')).toEqual(['metric', 'combined', 'AAA', 'BBB']);
    const number = (cell: string): number => Number(cell.replace(/[,%]/g, ''));
    const sharpe = row(ran.stdout, 'Sharpe ratio (worst)').slice(1).map(number);
    expect(sharpe[0]).toBe(Math.min(sharpe[1]!, sharpe[2]!));
    const trades = row(ran.stdout, 'Trades (worst)').slice(1).map(number);
    expect(trades[0]).toBe(Math.min(trades[1]!, trades[2]!));
    const equity = row(ran.stdout, 'Final equity (mean)').slice(1).map(number);
    expect(equity[1]).not.toBe(equity[2]);
    expect(equity[0]).toBeCloseTo((equity[1]! + equity[2]!) / 2, 1);
  }, 60_000);

  it('says mean on every row under --aggregate mean', async () => {
    const ran = await runCli([...run, '--aggregate', 'mean']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(row(ran.stdout, 'Sharpe ratio (mean)')).toHaveLength(4);
    expect(row(ran.stdout, 'Trades (mean)')).toHaveLength(4);
  }, 60_000);

  it("labels a walk-forward's stitched figures of several symbols the same way", async () => {
    const ran = await runCli([
      'walk-forward',
      '--csv',
      `${aaa},${bbb}`,
      ...SMA_GRID,
      ...SMALL_WALK_FORWARD,
      '--workers',
      '1',
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const number = (cell: string): number => Number(cell.replace(/[,%]/g, ''));
    const sharpe = row(ran.stdout, 'Sharpe ratio (worst)').slice(1).map(number);
    expect(sharpe[0]).toBe(Math.min(sharpe[1]!, sharpe[2]!));
    const total = row(ran.stdout, 'Total return (mean)').slice(1).map(number);
    expect(total[0]).toBeCloseTo((total[1]! + total[2]!) / 2, 1);
    // The sentence the Walk-forward view shows under its combined figures (the service's combinationText).
    expect(ran.stdout).toContain(
      "Combined: AAA, BBB scored together: Sharpe ratio, the trade count: the worst symbol's; every other " +
        "figure: the mean of the symbols' (each symbol's own are listed); the stitched curve holds equal " +
        'capital in each.',
    );
  }, 60_000);
});
