/**
 * Issue 15 item 4 from the CLI: `backtest --out` writes the trades as CSV (which reloads to the same
 * totals as the run) or the tear sheet as one self-contained HTML page, and refuses to replace a file
 * unless --overwrite is given.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli/main.ts';
import { TRADES_CSV_HEADER } from '../../src/shared/exportCsv.ts';
import { tempDir } from '../marketdata/helpers.ts';
import { captureIO } from '../support/captureIO.ts';
import { googSmaCross10x30 } from '../support/googBacktest.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { readCsv } from '../support/csvRows.ts';

const goog = sharedDataFile('GOOG.csv');
const dir = tempDir('regimen-cli-export-');
afterAll(() => dir.remove());

const backtest = (extra: string[]) => [...googSmaCross10x30(goog.path), '--close-at-end', ...extra];

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIO();
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe.skipIf(!goog.present)(`backtest --out on GOOG.csv${goog.skipReason}`, () => {
  it('the trades CSV reloads to the run’s trade count and total P&L', async () => {
    const path = join(dir.path, 'trades.csv');
    const result = await run(backtest(['--out', path, '--json']));
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { trades: { pnl: number }[]; metrics: { finalEquity: number } };
    const [header, ...rows] = readCsv(readFileSync(path, 'utf8'));
    expect(header).toEqual([...TRADES_CSV_HEADER]);
    expect(rows.length).toBe(json.trades.length);
    const pnl = header!.indexOf('pnl');
    const total = rows.reduce((sum, row) => sum + Number(row[pnl]), 0);
    expect(total).toBe(json.trades.reduce((sum, t) => sum + t.pnl, 0));
    // Closed at the end: the cash plus every trade's P&L is the final equity.
    expect(Math.abs(10_000 + total - json.metrics.finalEquity)).toBeLessThan(1e-6);
  });

  it('the tear sheet is one HTML file with its charts inline and nothing fetched', async () => {
    const path = join(dir.path, 'sheet.html');
    expect((await run(backtest(['--out', path]))).code).toBe(0);
    const html = readFileSync(path, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(6);
    expect(html).toContain('data-testid="monthly-heatmap"');
    expect(html).toContain('GOOG.csv buy &amp; hold');
    // Nothing outside the file: no script, stylesheet, image or frame source.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=/i);
    // Every metric row explains itself on hover.
    expect(html).toMatch(/<tr title="Mean excess over the risk-free rate[^"]*"><th>Sharpe ratio<\/th>/);
  });

  it('an existing file is kept unless --overwrite; a wrong extension is refused', async () => {
    const path = join(dir.path, 'kept.csv');
    writeFileSync(path, 'mine\n');
    const refused = await run(backtest(['--out', path]));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exists: choose another --out or pass --overwrite');
    expect(readFileSync(path, 'utf8')).toBe('mine\n');
    expect((await run(backtest(['--out', path, '--overwrite']))).code).toBe(0);
    expect(readFileSync(path, 'utf8').startsWith('entry_time,')).toBe(true);
    const wrong = await run(backtest(['--out', join(dir.path, 'x.txt')]));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('must end in .html or .csv');
    expect(existsSync(join(dir.path, 'x.txt'))).toBe(false);
  });
});

describe.skipIf(!goog.present)(`optimize and walk-forward --out on GOOG.csv${goog.skipReason}`, () => {
  const search = [
    '--csv',
    goog.path,
    '--strategy',
    'sma-cross',
    '--space',
    'fast=5:20:5',
    '--space',
    'slow=30:90:30',
  ];

  it('optimize writes every trial as a CSV row', async () => {
    const path = join(dir.path, 'trials.csv');
    const dataDir = join(dir.path, 'data');
    const args = [
      'optimize',
      ...search,
      '--sampler',
      'grid',
      '--trials',
      '12',
      '--seed',
      '3',
      '--data-dir',
      dataDir,
    ];
    const result = await run([...args, '--out', path]);
    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = readCsv(readFileSync(path, 'utf8'));
    expect(header!.slice(0, 5)).toEqual(['number', 'status', 'feasible', 'param.fast', 'param.slow']);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    expect(header).toContain('sharpeRatio');
  });

  it('walk-forward writes its out-of-sample tear sheet and its windows', async () => {
    const windows = ['--unit', 'bars', '--train', '500', '--test', '250', '--step', '250', '--trials', '4'];
    const args = ['walk-forward', ...search, '--sampler', 'random', '--seed', '9', ...windows];
    const html = join(dir.path, 'wf.html');
    const first = await run([...args, '--out', html]);
    expect(first.code, first.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('out of sample');
    expect(page).toContain('data-testid="worst-drawdowns"');
    const csv = join(dir.path, 'wf.csv');
    expect((await run([...args, '--out', csv])).code).toBe(0);
    const [header, ...rows] = readCsv(readFileSync(csv, 'utf8'));
    expect(header!.slice(0, 5)).toEqual(['window', 'train_start', 'train_end', 'test_start', 'test_end']);
    expect(rows.length).toBeGreaterThanOrEqual(5);
  });
});
