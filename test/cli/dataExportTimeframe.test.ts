/**
 * `regimen data export` without --timeframe writes the timeframe the symbol is stored as (the finest of
 * several): a fixed 1m default was refused for a symbol stored only as day bars, such as an imported
 * GOOG.csv.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../marketdata/helpers.ts';
import { runCli } from '../support/runCli.ts';

const dir = tempDir('regimen-cli-export-timeframe-');
afterAll(() => dir.remove());
const data = ['--data-dir', join(dir.path, 'data')];

/** A CSV of `count` bars `stepMs` apart from `start` (date-only rows when the step is whole days). */
function writeBars(name: string, start: number, stepMs: number, count: number): string {
  const path = join(dir.path, name);
  const rows = ['timestamp,open,high,low,close,volume'];
  for (let i = 0, t = start; i < count; i++, t += stepMs) {
    const day = new Date(t).getUTCDay();
    if (stepMs >= 86_400_000 && (day === 0 || day === 6)) {
      i--;
      continue;
    }
    const stamp = stepMs >= 86_400_000 ? new Date(t).toISOString().slice(0, 10) : new Date(t).toISOString();
    rows.push(`${stamp},${100 + i},${101 + i},${99 + i},${100.5 + i},${1000 + i}`);
  }
  writeFileSync(path, rows.join('\n'));
  return path;
}

const exported = (name: string): string[] => readFileSync(join(dir.path, name), 'utf8').trim().split('\n');

/** `regimen data export` of a symbol to a CSV file in the test folder, without --timeframe. */
const exportCsv = (symbol: string, name: string, ...extra: string[]): ReturnType<typeof runCli> =>
  runCli([
    'data',
    'export',
    '--symbol',
    symbol,
    '--format',
    'csv',
    '--out',
    join(dir.path, name),
    ...extra,
    ...data,
  ]);

describe('data export without --timeframe', () => {
  it('writes a symbol stored only as day bars as day bars', async () => {
    const file = writeBars('days.csv', Date.UTC(2024, 0, 1), 86_400_000, 30);
    expect((await runCli(['data', 'import', file, '--symbol', 'DAYS', ...data])).code).toBe(0);
    const out = join(dir.path, 'days-out.csv');
    const run = await exportCsv('days', 'days-out.csv');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`Wrote 30 1d bars of DAYS to ${out}`);
    const rows = exported('days-out.csv');
    expect(rows.length).toBe(31);
    expect(rows[1]).toMatch(/^2024-01-01T05:00:00Z,100,101,99,100.5,1000$/);
  });

  it('writes the finest timeframe of a symbol stored as several, and says which in --json', async () => {
    const hours = writeBars('hours.csv', Date.UTC(2024, 0, 2, 15), 3_600_000, 5);
    const days = writeBars('more-days.csv', Date.UTC(2024, 1, 1), 86_400_000, 10);
    for (const [file, timeframe] of [
      [days, '1d'],
      [hours, '1h'],
    ] as const) {
      const run = await runCli([
        'data',
        'import',
        file,
        '--symbol',
        'BOTH',
        '--timeframe',
        timeframe,
        ...data,
      ]);
      expect(run.code, run.stderr).toBe(0);
    }
    const run = await exportCsv('BOTH', 'both-out.csv', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ timeframe: '1h', bars: 5 });
    expect(exported('both-out.csv').length).toBe(6);
  });

  it('names a symbol that is not cached, and --help says what the default is', async () => {
    const run = await exportCsv('NONE', 'none.csv');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--symbol: no bars of NONE are cached');
    const help = await runCli(['data', 'export', '--help']);
    expect(help.stdout).toContain(
      'default the timeframe SYM is stored as (the finest, when it is stored as several)',
    );
  });
});
