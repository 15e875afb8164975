import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/math/random.ts';
import { blockBootstrap, shuffleTrades, type RobustnessResult } from '../../src/core/robustness/index.ts';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';

/** The bands at the end of the path and the odds, as the CLI's JSON reports them. */
function expected(result: RobustnessResult, periods: number): Record<string, unknown> {
  return {
    resamples: result.resamples,
    percentiles: result.percentiles,
    finalEquity: result.equityBands.map((band) => band[periods]),
    maxDrawdown: result.maxDrawdownBands,
    drawdownDepth: result.drawdownDepth,
    probDrawdownBeyond: result.probDrawdownBeyond,
    ruinFloor: result.ruinFloor,
    probRuin: result.probRuin,
  };
}

describe('regimen robustness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-robustness-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rng = createRng(42);
  const trades = Array.from({ length: 30 }, () => 0.05 * rng.normal());
  const equity = [100];
  for (let i = 0; i < 120; i++) equity.push(equity.at(-1)! * (1 + 0.02 * rng.normal()));
  const file = join(dir, 'result.csv');
  writeFileSync(
    file,
    `day,Equity,trade\n${equity.map((v, i) => `${i},${v},${trades[i] ?? ''}`).join('\n')}\n`,
  );
  const tradesFile = join(dir, 'trades.csv');
  writeFileSync(tradesFile, `id,ret\n${trades.map((r, i) => `${i},${r}`).join('\n')}\n`);

  it('bootstraps the period returns of an equity column exactly as the core does with the same seed', async () => {
    const io = captureIO();
    const argv = ['robustness', '--csv', file, '--resamples', '300', '--block', '5', '--seed', '9', '--json'];
    expect(await main(argv, io)).toBe(0);
    const returns = equity.slice(1).map((v, i) => v / equity[i]! - 1);
    const core = blockBootstrap(returns, { resamples: 300, seed: 9, blockLength: 5 });
    expect(JSON.parse(io.stdout)).toEqual({
      method: 'block-bootstrap',
      column: 'equity',
      periods: 120,
      seed: 9,
      blockLength: 5,
      ...expected(core, 120),
    });
  });

  it('shuffles a trade-returns column exactly as the core does, and prints the same odds as a table', async () => {
    const options = ['--resamples', '200', '--depth', '0.25', '--ruin', '0.8', '--seed', '3'];
    const io = captureIO();
    expect(
      await main(['robustness', '--csv', tradesFile, '--trades-column', 'ret', ...options, '--json'], io),
    ).toBe(0);
    const core = shuffleTrades(trades, { resamples: 200, seed: 3, drawdownDepth: 0.25, ruinFloor: 0.8 });
    expect(JSON.parse(io.stdout)).toEqual({
      method: 'trade-shuffle',
      column: 'ret',
      periods: 30,
      seed: 3,
      ...expected(core, 30),
    });
    const text = captureIO();
    expect(await main(['robustness', '--csv', tradesFile, '--trades-column', 'ret', ...options], text)).toBe(
      0,
    );
    const odds = (label: string, p: number) => new RegExp(`^${label}\\s+${(p * 100).toFixed(2)}%$`, 'm');
    expect(text.stdout).toMatch(odds('P\\(max drawdown < -25.00%\\)', core.probDrawdownBeyond));
    expect(text.stdout).toMatch(odds('P\\(equity < 80.00% of start\\)', core.probRuin));
    expect(text.stdout).toMatch(new RegExp(`^50%\\s+${core.equityBands[2]![30]!.toFixed(4)}\\s`, 'm'));
    // Drawdowns signed as every other table prints maxDrawdown, the 95% row the worst (most negative).
    const worst = core.maxDrawdownBands[4]!;
    expect(worst).toBeLessThan(core.maxDrawdownBands[0]!);
    expect(text.stdout).toMatch(new RegExp(`^95%\\s+\\S+\\s+-${(-worst * 100).toFixed(2)}%$`, 'm'));
    expect(text.stdout).toContain('the 95% row is the 95th-percentile worst');
  });

  it.each([
    [['--column', 'balance'], /--column "balance" is not in result\.csv; its columns are day, Equity, trade/],
    [['--trades-column', 'trade'], /result\.csv, line 32, column trade: "" is not a finite number/],
    [['--resamples', '0'], /--resamples must be an integer from 1 to 100,000, got 0/],
    [['--resamples', '2.5'], /--resamples must be an integer from 1 to 100,000, got 2.5/],
    [['--block', '500'], /--block must be an integer in \[1, 120\]/],
    [['--ruin', '1.5'], /--ruin must be a fraction in \(0, 1\), got 1.5/],
  ])('exits 2 naming what was wrong: %j', async (extra, message) => {
    const io = captureIO();
    expect(await main(['robustness', '--csv', file, ...extra], io)).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stdout).toBe('');
  });

  it('names the line of a non-numeric or non-positive equity value', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'day,equity\n1,100\n2,abc\n');
    const io = captureIO();
    expect(await main(['robustness', '--csv', bad], io)).toBe(2);
    expect(io.stderr).toMatch(/bad\.csv, line 3, column equity: "abc" is not a positive number/);
    writeFileSync(bad, 'day,equity\n1,100\n2,0\n');
    const zero = captureIO();
    expect(await main(['robustness', '--csv', bad], zero)).toBe(2);
    expect(zero.stderr).toMatch(/bad\.csv, line 3, column equity: "0" is not a positive number/);
  });

  it('shows a study winner one grid step from it in each parameter, running the neighbours it lacks', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-neighbourhood-'));
    try {
      const csv = join(dataDir, 'WAVE.csv');
      const lines = ['timestamp,open,high,low,close,volume'];
      for (let i = 0; i < 300; i++) {
        const close = 100 + 5 * Math.sin(i / 15) + i * 0.01;
        lines.push(
          `${new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString()},${close},${close + 0.2},${close - 0.2},${close},1000`,
        );
      }
      writeFileSync(csv, `${lines.join('\n')}\n`);
      const d = ['--data-dir', dataDir];
      const run = async (argv: string[]) => {
        const io = captureIO();
        return { code: await main([...argv, ...d], io), stdout: io.stdout, stderr: io.stderr };
      };
      expect((await run(['data', 'import', csv, '--symbol', 'WAVE'])).code).toBe(0);
      const study = await run([
        'optimize',
        '--symbol',
        'WAVE',
        '--timeframe',
        '1h',
        '--strategy',
        'sma-cross',
        '--space',
        'fast=3:9:3',
        '--space',
        'slow=20:40:10',
        '--sampler',
        'random',
        '--trials',
        '2',
        '--seed',
        '3',
        '--objective',
        'finalEquity',
        '--workers',
        '1',
        '--json',
      ]);
      expect(study.code, study.stderr).toBe(0);
      const { studyId } = JSON.parse(study.stdout) as { studyId: string };
      const json = await run(['robustness', '--study', studyId, '--neighbourhood', '--json']);
      expect(json.code, json.stderr).toBe(0);
      const result = JSON.parse(json.stdout) as {
        winner: { params: Record<string, number> };
        neighbours: {
          param: string;
          direction: number;
          value: number;
          trialNumber: number | null;
          status: string;
          values: number[] | null;
        }[];
      };
      const { fast, slow } = result.winner.params as { fast: number; slow: number };
      const steps: Array<[string, number, number]> = [
        ['fast', -1, fast - 3],
        ['fast', 1, fast + 3],
        ['slow', -1, slow - 10],
        ['slow', 1, slow + 10],
      ];
      const expected = steps.filter(([name, , v]) =>
        name === 'fast' ? v >= 3 && v <= 9 : v >= 20 && v <= 40,
      );
      expect(result.neighbours.map((n) => [n.param, n.direction, n.value])).toEqual(expected);
      // Two random trials leave neighbours the study never ran: those are run now, on the study's data.
      const runNow = result.neighbours.filter((n) => n.trialNumber === null);
      expect(runNow.length).toBeGreaterThan(0);
      for (const n of runNow) expect(n).toMatchObject({ status: 'complete', values: [expect.any(Number)] });
      const text = await run(['robustness', '--study', studyId, '--neighbourhood']);
      expect(text.stdout).toMatch(/winner\s+trial #\d+/);
      const lonely = await run(['robustness', '--neighbourhood']);
      expect(lonely.code).toBe(2);
      expect(lonely.stderr).toContain('--study ID and --neighbourhood go together');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
