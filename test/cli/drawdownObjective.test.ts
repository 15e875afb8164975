/**
 * An objective on max drawdown compares its depth. `maxDrawdown:max` reads as "the drawdown closest to
 * 0" but asks for the deepest; the trial tables printed its depth as a positive figure under "Max
 * drawdown (min)" or "Max drawdown", beside the negative one of every other table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { runCli, SMA_GRID } from '../support/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-drawdown-objective-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const csv = join(dir, 'WAVE.csv');
writeFileSync(csv, dailyWaveCsv());

async function study(objective: string) {
  const run = await runCli([
    'optimize',
    ...['--csv', csv, ...SMA_GRID, '--objective', 'sharpeRatio', '--objective', objective],
    ...['--progress', 'none', '--data-dir', dir],
  ]);
  expect(run.code, run.stderr).toBe(0);
  const header = run.stdout.split('\n').find((line) => line.startsWith('#'))!;
  return { run, header, drawdowns: [...run.stdout.matchAll(/Max drawdown.*\n((?:\d.*\n)+)/g)] };
}

describe('optimize with a max drawdown objective', () => {
  it('says which sense it asks for, warns of :max, and prints the drawdown signed as elsewhere', async () => {
    const shallowest = await study('maxDrawdown');
    expect(shallowest.run.stderr).not.toContain('warning');
    expect(shallowest.header).toMatch(/Max drawdown \(shallowest\)/);
    const deepest = await study('maxDrawdown:max');
    expect(deepest.run.stderr).toContain(
      'warning: --objective maxDrawdown:max asks for the deepest max drawdown (it is compared by its depth); ' +
        'maxDrawdown or maxDrawdown:min asks for the shallowest',
    );
    expect(deepest.header).toMatch(/Max drawdown \(deepest\)/);
    for (const { drawdowns } of [shallowest, deepest]) {
      expect(drawdowns.length).toBeGreaterThan(0);
      for (const [, rows] of drawdowns)
        for (const row of rows!.trim().split('\n')) {
          // The column after the Sharpe ratio: the drawdown, as the metric reports it (<= 0).
          const cells = row.trim().split(/\s+/);
          expect(cells[4], row).toMatch(/^(-\d+\.\d+|0\.00)%$/);
        }
    }
  });
});
