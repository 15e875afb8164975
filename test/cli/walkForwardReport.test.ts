/**
 * The walk-forward report of one symbol: each out-of-sample figure with the windows' in-sample mean beside
 * it (the Walk-forward view's "in sample, mean"), and the efficiency with the returns it divides.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WalkForwardResult } from '../../src/shared/optimizeContract.ts';
import { formatMetric } from '../../src/main/cli/format.ts';
import { runCli, SMA_GRID, SMALL_WALK_FORWARD } from '../support/runCli.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-walk-forward-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const csv = join(dir, 'aaa.csv');
writeFileSync(csv, dailyWaveCsv(0));
const run = ['walk-forward', '--csv', csv, ...SMA_GRID, ...SMALL_WALK_FORWARD, '--workers', '1'];

/** The cells of a text table's row whose first cell starts with `label`. */
function row(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no row "${label}" in:\n${text}`);
  return line.split(/\s{2,}/);
}

describe('the walk-forward report', () => {
  it('sets the in-sample mean beside each out-of-sample figure and explains the efficiency', async () => {
    const [text, json] = await Promise.all([runCli(run), runCli([...run, '--json'])]);
    expect(text.code, text.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as WalkForwardResult;
    expect(row(text.stdout, 'metric ')).toEqual(['metric', 'value', 'in sample (window mean)']);
    for (const [label, key] of [
      ['Total return', 'totalReturn'],
      ['Sharpe ratio', 'sharpeRatio'],
      ['Annualized return', 'annualizedReturn'],
    ] as const) {
      const inSample = result.inSampleMean[key];
      expect(inSample, key).not.toBeNull();
      expect(row(text.stdout, label)[2]).toBe(formatMetric(key, inSample!));
    }
    const line = text.stdout.split('\n').find((l) => l.startsWith('Walk-forward efficiency: '))!;
    expect(line).toContain(formatMetric('annualizedReturn', result.inSampleMean['annualizedReturn']!));
    expect(line).toMatch(/^Walk-forward efficiency: (-?[\d.]+ \(annualized return out of sample|n\/a: )/);
  }, 60_000);

  it('says over how many windows an in-sample mean is when a window has no such figure', async () => {
    // Flat for the first 110 bars: the first train window's winner never trades, so its Sharpe and Calmar
    // ratios are undefined and their means are over the other two windows.
    const lines = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 300; i++) {
      const close = i < 110 ? 100 : 100 + 8 * Math.sin((i - 110) / 15);
      const day = new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString();
      lines.push(`${day},${close},${close + 0.5},${close - 0.5},${close},1000`);
    }
    const flatStart = join(dir, 'flat.csv');
    writeFileSync(flatStart, `${lines.join('\n')}\n`);
    // Every day's bars read as crypto, whose fee would draw each winner down on entry and which is long
    // only: no costs and shorts allowed, so the planted shape alone decides which ratios exist.
    const walked = [
      ...['walk-forward', '--csv', flatStart, ...SMA_GRID, ...SMALL_WALK_FORWARD],
      ...['--workers', '1', '--costs', 'none', '--short-sales', 'allowed'],
    ];
    const [text, json] = await Promise.all([runCli(walked), runCli([...walked, '--json'])]);
    expect(text.code, text.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as WalkForwardResult;
    expect(result.windows.map((w) => w.inSample['sharpeRatio'])).toEqual([
      null,
      expect.any(Number),
      expect.any(Number),
    ]);
    expect(row(text.stdout, 'Sharpe ratio')[2]).toBe(
      `${formatMetric('sharpeRatio', result.inSampleMean['sharpeRatio']!)} (2 of 3 windows)`,
    );
    // The second window's winner never drew down in training either: one Calmar ratio of three.
    expect(result.windows.filter((w) => w.inSample['calmarRatio'] !== null)).toHaveLength(1);
    expect(row(text.stdout, 'Calmar ratio')[2]).toBe(
      `${formatMetric('calmarRatio', result.inSampleMean['calmarRatio']!)} (1 of 3 windows)`,
    );
    expect(row(text.stdout, 'Total return')[2]).toBe(
      formatMetric('totalReturn', result.inSampleMean['totalReturn']!),
    );
  }, 60_000);

  it('warns when the purge leaves a train window less than half its bars, and refuses one it empties', async () => {
    // Train windows of 100 bars: a purge of 60 leaves each 40. 300 bars make 3 windows: the last test
    // window's 20 left-over bars (under half of 60) join the one before (3467748).
    const short = await runCli([...run, '--purge', '60']);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toContain(
      'note: the purge of 60 bars leaves 3 of 3 train windows less than half their bars: window 0 keeps 40 ' +
        'of its 100 (40%), so its parameters were chosen on few bars; give a shorter purge or a longer train window',
    );
    const half = await runCli([...run, '--purge', '50']);
    expect(half.code, half.stderr).toBe(0);
    expect(half.stdout).not.toContain('note: the purge');
    const empty = await runCli([...run, '--purge', '100']);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain(
      "a purge of 100 bars leaves 0 bars in window 0's train window of 100 bars",
    );
  }, 60_000);
});
