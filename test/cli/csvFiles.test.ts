/**
 * `--csv a.csv,b.csv` (issue 15 item 10): several files scored together by `optimize` and `walk-forward`,
 * each its own symbol (its file name's stem in capitals, or named SYM=path), as several cached symbols
 * are; a bad row names its file and row, a file name that makes no symbol or two files of one symbol are
 * refused naming them. `--csv a.csv --csv b.csv` means the same; a command that reads one file refuses a
 * second --csv (parseArgs alone kept the last one, silently).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as cli, SMA_GRID, SMALL_WALK_FORWARD } from '../support/runCli.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-csv-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const SEARCH = [...SMA_GRID, '--workers', '1', '--data-dir', dir, '--json'];

describe('several CSV files as several symbols', () => {
  const aaa = file('aaa.csv', dailyWaveCsv(0));
  const bbb = file('bbb.csv', dailyWaveCsv(2));

  it('optimize scores each file as its own symbol (named by its stem) and combines them', async () => {
    const ran = await cli(['optimize', '--csv', `${aaa},${bbb}`, '--aggregate', 'mean', ...SEARCH]);
    expect(ran.code, ran.stderr).toBe(0);
    const { best } = JSON.parse(ran.stdout) as { best: { metrics: Record<string, number> } };
    const [a, b] = [best.metrics['sharpeRatio@AAA']!, best.metrics['sharpeRatio@BBB']!];
    expect([a, b].every(Number.isFinite)).toBe(true);
    expect(a).not.toBe(b);
    expect(best.metrics['sharpeRatio']).toBeCloseTo((a + b) / 2, 12);
  }, 30_000);

  it('walk-forward runs each file as a symbol named SYM=path, windows on their shared dates', async () => {
    const ran = await cli([
      'walk-forward',
      '--csv',
      `GOOG=${aaa},ORCL=${bbb}`,
      ...SMALL_WALK_FORWARD,
      ...SEARCH,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const result = JSON.parse(ran.stdout) as {
      symbols: { symbol: string; outOfSample: Record<string, number> }[];
      outOfSample: Record<string, number>;
      windows: unknown[];
    };
    expect(result.symbols.map((s) => s.symbol)).toEqual(['GOOG', 'ORCL']);
    expect(result.windows.length).toBeGreaterThan(1);
    // Combined by 'worst' (the default): the lower of the two Sharpe ratios.
    expect(result.outOfSample['sharpeRatio']).toBe(
      Math.min(...result.symbols.map((s) => s.outOfSample['sharpeRatio']!)),
    );
  }, 30_000);

  it("walk-forward's window table prints a day bar's test start as its date alone, as every table does", async () => {
    const ran = await cli([
      'walk-forward',
      '--csv',
      aaa,
      ...['--trials', '4', '--train', '100', '--test', '60', '--step', '60', '--unit', 'bars'],
      ...SEARCH.filter((arg) => arg !== '--json'),
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const rows = ran.stdout
      .split('\n')
      .filter((line) => /^\d+ /.test(line))
      .map((line) => line.split(/\s+/));
    // Bar 100 of the file is 2022-04-13 (UTC midnight, 20:00 the day before in New York); windows step 60 bars.
    expect(rows.slice(0, 2).map((row) => row[1])).toEqual(['2022-04-13', '2022-06-12']);
    expect(rows.filter((row) => /^\d\d:\d\d$/.test(row[2] ?? ''))).toEqual([]);
  }, 30_000);

  it('refuses a bad row naming its file and row, and names that make no symbol or one symbol twice', async () => {
    const lines = dailyWaveCsv(1).split('\n');
    lines[5] = '2022-01-07T00:00:00.000Z,abc,1,1,1,1';
    const broken = file('broken.csv', lines.join('\n'));
    const bad = await cli(['optimize', '--csv', `${aaa},${broken}`, ...SEARCH]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('broken.csv line 6, column "open": "abc" is not a number');

    const spaced = file('two words.csv', dailyWaveCsv(1));
    const unnamed = await cli(['optimize', '--csv', `${aaa},${spaced}`, ...SEARCH]);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain(`the name of ${spaced} does not make a symbol`);
    expect(unnamed.stderr).toContain(`name it as SYM=${spaced}`);

    const twice = await cli(['optimize', '--csv', `${aaa},AAA=${bbb}`, ...SEARCH]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`${aaa} and ${bbb} are both AAA: name them as SYM=path`);
  }, 30_000);

  it('optimize and walk-forward take --csv repeated as they take the comma list', async () => {
    const listed = await cli(['optimize', '--csv', `${aaa},${bbb}`, '--aggregate', 'mean', ...SEARCH]);
    const repeated = await cli(['optimize', '--csv', aaa, '--csv', bbb, '--aggregate', 'mean', ...SEARCH]);
    expect(repeated.code, repeated.stderr).toBe(0);
    // The same files as the same symbols: the same winner with the same figures (the seeds are the study's).
    type Best = { best: { params: unknown; values: number[]; metrics: Record<string, number> } };
    const best = (run: typeof listed) => {
      const { params, values, metrics } = (JSON.parse(run.stdout) as Best).best;
      return { params, values, metrics };
    };
    expect(Object.keys(best(repeated).metrics)).toContain('sharpeRatio@BBB');
    expect(best(repeated)).toEqual(best(listed));

    const walk = await cli([
      'walk-forward',
      '--csv',
      `GOOG=${aaa}`,
      '--csv',
      `ORCL=${bbb}`,
      ...['--trials', '2', '--train', '100', '--test', '100', '--step', '100', '--unit', 'bars'],
      ...SEARCH,
    ]);
    expect(walk.code, walk.stderr).toBe(0);
    const result = JSON.parse(walk.stdout) as { symbols: { symbol: string }[] };
    expect(result.symbols.map((s) => s.symbol)).toEqual(['GOOG', 'ORCL']);
  }, 30_000);

  it('a command that reads one file refuses a second --csv, naming the flag and both files', async () => {
    const twice = ['--csv', aaa, '--csv', bbb, '--data-dir', dir];
    const commands = [
      ['backtest', '--strategy', 'sma-cross'],
      ['indicators', '--indicator', 'sma:5'],
      ['metrics'],
      ['regimes'],
      ['regimes', 'compare'],
      ['learner', 'evaluate'],
      ['scorecard'],
      ['drift', '--column', 'close'],
      ['robustness', '--column', 'close'],
      ['bot', '--source', 'replay'],
    ];
    for (const command of commands) {
      const ran = await cli([...command, ...twice]);
      expect(ran.code, `${command.join(' ')}: ${ran.stderr}`).toBe(2);
      expect(ran.stderr).toContain(
        `--csv was given 2 times (${aaa}, ${bbb}): this command reads one file (only optimize and walk-forward take several)`,
      );
    }
  }, 30_000);

  it('a Parquet file given as --csv is refused saying how to read it; one named .csv is refused as Parquet', async () => {
    const bytes = 'PAR1\u0015\u0000\u0015\u00ce\u008c\u0002';
    const parquet = file('bars.parquet', bytes);
    const given = await cli(['backtest', '--csv', parquet, '--strategy', 'sma-cross', '--data-dir', dir]);
    expect(given.code).toBe(2);
    expect(given.stderr.split('\n')[0]).toBe(
      `regimen backtest: --csv ${parquet}: a Parquet file is read into the cache (regimen data import FILE), then by --symbol`,
    );
    const renamed = file('bars.csv', bytes);
    const read = await cli(['backtest', '--csv', renamed, '--strategy', 'sma-cross', '--data-dir', dir]);
    expect(read.code).toBe(1);
    expect(read.stderr).toBe('regimen backtest: bars.csv: a Parquet file, not CSV text\n');
  });

  it('an --end not after --start is refused naming both, whichever command reads the file', async () => {
    const range = ['--start', '2022-06-01', '--end', '2022-03-01'];
    for (const command of [
      ['backtest', '--csv', aaa, '--strategy', 'sma-cross'],
      ['optimize', '--csv', aaa, ...SMA_GRID],
      ['metrics', '--csv', aaa],
    ]) {
      const ran = await cli([...command, ...range, '--data-dir', dir]);
      expect(ran.code, command[0]).toBe(2);
      expect(ran.stderr.split('\n')[0]).toBe(
        `regimen ${command[0]}: --end 2022-03-01 must be after --start 2022-06-01`,
      );
    }
  });
});
