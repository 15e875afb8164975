/**
 * The CLI parts of issue 10 (the first hour): commission in one unit with a warning, human output a
 * trader can read, the right exit codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-first-hour-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `count` daily bars drifting up 1 a day: a buy-and-hold holds them all. */
function rampCsv(count = 40, name = 'ramp.csv'): string {
  const path = join(dir, name);
  const rows = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < count; i++) {
    const day = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    const open = 100 + i;
    rows.push(`${day},${open},${open + 1.5},${open - 0.5},${open + 1},${1_000_000 + i}`);
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

interface TradeJson {
  entryPrice: number;
  exitPrice: number;
  size: number;
  pnl: number;
  exitReason: string;
}

describe('commission is a percent of traded value, in the CLI as in the app', () => {
  it('--commission 0.05 charges 0.05 % a fill (not 5 %), without a warning', async () => {
    const csv = rampCsv();
    const run = await runCli([
      'backtest',
      '--csv',
      csv,
      '--strategy',
      'buy-and-hold',
      '--close-at-end',
      '--commission',
      '0.05',
      // The ramp's every-day dates read as crypto, whose fee is charged beside the commission.
      '--costs',
      'none',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [trade] = (JSON.parse(run.stdout) as { trades: TradeJson[] }).trades;
    const charged = trade!.size * (trade!.exitPrice - trade!.entryPrice) - trade!.pnl;
    const traded = trade!.size * (trade!.entryPrice + trade!.exitPrice);
    expect(charged / traded).toBeCloseTo(0.0005, 10);
  });

  it('warns on stderr above 1 %, names the unit in --help, and refuses more than 10 %', async () => {
    const csv = rampCsv();
    const high = await runCli([
      'backtest',
      '--csv',
      csv,
      '--strategy',
      'buy-and-hold',
      '--commission',
      '5',
      '--json',
    ]);
    expect(high.code).toBe(0);
    expect(high.stderr).toMatch(
      /^warning: --commission 5 % of traded value per fill is above a plausible 1 %/,
    );
    const help = await runCli(['backtest', '--help']);
    expect(help.stdout).toContain('--commission PCT: % of traded value per fill (0.1 means 0.1 %)');
    const refused = await runCli([
      'backtest',
      '--csv',
      csv,
      '--strategy',
      'buy-and-hold',
      '--commission',
      '12',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--commission is in % of traded value per fill, between 0 and 10, got 12',
    );
  });
});

describe('human output a trader can read', () => {
  it('backtest prints catalogue labels, no float noise, and the trades (the open one marked)', async () => {
    const run = await runCli([
      'backtest',
      '--csv',
      rampCsv(),
      '--strategy',
      'buy-and-hold',
      '--commission',
      '0.1',
    ]);
    expect(run.code).toBe(0);
    for (const label of [
      'Final equity',
      'Total return',
      'Sharpe ratio',
      'Max drawdown',
      'Trades',
      'Exposure',
    ])
      expect(run.stdout).toMatch(new RegExp(`^${label} `, 'm'));
    expect(run.stdout).not.toMatch(/finalEquity|totalReturn|numTrades/);
    expect(run.stdout).not.toMatch(/\d\.\d{5,}/);
    expect(run.stdout).toContain('Trades: 0 closed, 1 still open (marked to the last close)');
    const tradeLines = run.stdout.split('\n').filter((line) => /^1 +long /.test(line));
    expect(tradeLines).toHaveLength(1);
    expect(tradeLines[0]).toMatch(/ open$/);
    // Held from the second bar (next-open fill) to the last: 39 of 40 bars.
    expect(run.stdout).toMatch(/^Exposure +97\.50%$/m);
  });

  it('backtest --json lists the open position last, marked to the last close', async () => {
    const run = await runCli(['backtest', '--csv', rampCsv(), '--strategy', 'buy-and-hold', '--json']);
    const result = JSON.parse(run.stdout) as { trades: TradeJson[]; metrics: Record<string, number> };
    expect(result.trades).toHaveLength(1);
    expect(result.trades[0]).toMatchObject({ exitReason: 'Open', entryPrice: 101, exitPrice: 140 });
    expect(result.metrics['numTrades']).toBe(0);
    expect(result.metrics['exposure']).toBeCloseTo(39 / 40, 12);
  });

  it('data list counts bars with thousands separators', async () => {
    const dataDir = join(dir, 'data');
    const imported = await runCli([
      'data',
      'import',
      rampCsv(1_500, 'RAMP.csv'),
      '--symbol',
      'RAMP',
      '--data-dir',
      dataDir,
    ]);
    expect(imported.code).toBe(0);
    const list = await runCli(['data', 'list', '--data-dir', dataDir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^RAMP +1d +1,500 /m);
  });
});

describe('exit codes', () => {
  it('an unknown strategy is a usage error (exit 2) naming --strategy, in every command that takes one', async () => {
    const csv = rampCsv();
    for (const command of ['backtest', 'optimize', 'walk-forward']) {
      const run = await runCli([command, '--csv', csv, '--strategy', 'nope']);
      expect(run.code, command).toBe(2);
      expect(run.stderr.split('\n')[0]).toBe(
        `regimen ${command}: --strategy: unknown strategy "nope" (strategies: confluence, sma-cross, buy-and-hold)`,
      );
    }
  });
});

describe('optimize --resume on a study that is already complete', () => {
  it('says it is complete (not "running"), prints its report and leaves the study as it was', async () => {
    const csv = rampCsv(80, 'resume.csv');
    const dataDir = join(dir, 'resume-data');
    const space = ['--space', 'fast=2:3:1', '--space', 'slow=10:11:1', '--sampler', 'grid'];
    const first = await runCli([
      'optimize',
      '--csv',
      csv,
      '--strategy',
      'sma-cross',
      ...space,
      '--data-dir',
      dataDir,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const listed = await runCli(['studies', '--data-dir', dataDir, '--json']);
    const [before] = JSON.parse(listed.stdout) as Array<{ id: string; state: string; updatedAt: number }>;
    expect(before?.state).toBe('complete');

    const resumed = await runCli(['optimize', '--resume', before!.id, '--data-dir', dataDir, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`study ${before!.id} is already complete: nothing to resume`);
    expect(resumed.stderr).not.toContain('running');
    expect((JSON.parse(resumed.stdout) as { state: string }).state).toBe('complete');
    const after = await runCli(['studies', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(after.stdout)).toEqual(JSON.parse(listed.stdout));
  });
});

describe('one time zone, named wherever a time is printed', () => {
  it('backtest trade times are in --tz (New York by default), named in the header; day bars show no "00:00"', async () => {
    const csv = rampCsv(40, 'zone.csv');
    const args = ['backtest', '--csv', csv, '--strategy', 'buy-and-hold', '--close-at-end'];
    const exchange = await runCli(args);
    expect(exchange.code, exchange.stderr).toBe(0);
    expect(exchange.stdout).toContain('entry (America/New_York)');
    const utc = await runCli([...args, '--tz', 'utc']);
    expect(utc.stdout).toContain('entry (UTC)');
    // Daily bars: the session date, the same in both zones, and no time of day.
    const row = (out: string): string =>
      (out.split('\n').find((line) => /^1\s+long/.test(line)) ?? '').replace(/\s+/g, ' ');
    expect(row(exchange.stdout)).toMatch(/ 2024-01-0\d /);
    expect(row(exchange.stdout)).not.toMatch(/\d\d:\d\d/);
    expect(row(utc.stdout)).toBe(row(exchange.stdout));

    const wrong = await runCli([...args, '--tz', 'Mars/Olympus']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--tz must be exchange, utc, local or an IANA time zone.*"Mars\/Olympus"/);
  });
});
