import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';
import { runCli } from '../support/runCli.ts';
import { googSmaCross10x30 } from '../support/googBacktest.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');
const btc = sharedDataFile('BTCUSD.csv');
const smaCross10x30 = googSmaCross10x30(goog.path);

async function runJson(args: string[]): Promise<Record<string, unknown>> {
  const io = captureIO();
  const code = await main([...args, '--json'], io);
  expect(io.stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(io.stdout) as Record<string, unknown>;
}

describe.skipIf(!goog.present)(`CLI analysis commands on GOOG.csv${goog.skipReason}`, () => {
  it('backtest reproduces backtesting.py: SMA 10/30, cash 10,000, no commission, close at end', async () => {
    const result = await runJson([
      ...smaCross10x30,
      '--cash',
      '10000',
      '--close-at-end',
      // backtesting.py charges nothing but its commission: the equity default costs are turned off.
      '--costs',
      'none',
    ]);
    const metrics = result['metrics'] as Record<string, number>;
    expect(metrics['finalEquity']).toBeCloseTo(51_422.99, 2);
    expect(metrics['numTrades']).toBe(66);
    expect((result['trades'] as unknown[]).length).toBe(66);
  });

  it('backtest charges US equity costs by default (GOOG is judged equities), with a cost stress', async () => {
    const result = await runJson([...smaCross10x30, '--close-at-end']);
    expect(result['costs']).toEqual({
      fees: 'us-equity',
      spreadBps: 2,
      impact: 0.01,
      borrowPercent: 0,
      cryptoFeeTier: 1,
      shortSales: 'allowed',
      units: 'whole',
    });
    const metrics = result['metrics'] as Record<string, number>;
    expect(metrics['numTrades']).toBe(66);
    expect(metrics['finalEquity']).toBeLessThan(51_422.99);
    const stress = result['costStress'] as { bps: number; finalEquity: number }[];
    expect(stress.map((row) => row.bps)).toEqual([0, 10, 25]);
    expect(stress[0]!.finalEquity).toBe(metrics['finalEquity']);
    expect(stress[2]!.finalEquity).toBeLessThan(stress[1]!.finalEquity);
    expect(stress[1]!.finalEquity).toBeLessThan(stress[0]!.finalEquity);
  });

  // The line naming the costs said "none beyond commission" without the commission: a run at 0.2 %
  // and one at 0 % read alike, and --slippage-bps went unmentioned.
  it('backtest names the commission and slippage it charged, in the table and in --json', async () => {
    const paid = ['--commission', '0.07', '--slippage-bps', '2'];
    const io = captureIO();
    expect(await main([...smaCross10x30, ...paid], io)).toBe(0);
    expect(io.stdout).toContain(
      'Cash 10000, commission 0.07 % a side, slippage 2 bp a fill, costs: SEC and FINRA fees on sells, spread 2 bp',
    );
    const result = await runJson([...smaCross10x30, ...paid]);
    expect(result['commission']).toBeCloseTo(0.0007, 15);
    expect(result['slippageBps']).toBe(2);
  });

  it('metrics treats the Close column as an equity curve (buy and hold: +703.46%, as backtesting.py reports)', async () => {
    const result = await runJson(['metrics', '--csv', goog.path, '--column', 'Close']);
    const metrics = result['metrics'] as Record<string, number>;
    expect(metrics['totalReturn']).toBeCloseTo(806.19 / 100.34 - 1, 10);
    expect(metrics['maxDrawdown']).toBeLessThan(0);
  });

  it('indicators returns arrays as long as the input with null warm-up, multi-line ones as objects', async () => {
    const result = await runJson([
      'indicators',
      '--csv',
      goog.path,
      '--indicator',
      'sma:10',
      '--indicator',
      'macd:12,26,9',
      '--indicator',
      'bbands:20,2',
    ]);
    const [sma, macd, bbands] = result['indicators'] as { values: unknown }[];
    const smaValues = sma!.values as (number | null)[];
    expect(smaValues).toHaveLength(2148);
    expect(smaValues.slice(0, 9).every((v) => v === null)).toBe(true);
    expect(smaValues[9]).toBeTypeOf('number');
    expect(Object.keys(macd!.values as object)).toEqual(['macd', 'signal', 'histogram']);
    expect(Object.keys(bbands!.values as object)).toEqual(['upper', 'middle', 'lower']);
  });

  it('names an unknown strategy and a malformed --param (both usage errors, exit 2)', async () => {
    const io = captureIO();
    expect(await main(['backtest', '--csv', goog.path, '--strategy', 'nope'], io)).toBe(2);
    expect(io.stderr).toContain('unknown strategy "nope"');
    const bad = captureIO();
    expect(
      await main(['backtest', '--csv', goog.path, '--strategy', 'sma-cross', '--param', 'fast'], bad),
    ).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('regimen backtest: --param expects name=number, got "fast"');
  });

  // A set the strategy refuses (a broken rule, an unknown name) exited 1 without the usage, unlike a
  // malformed --param; a script could not tell a bad argument from a failed run.
  it('refuses a --param set the strategy does not accept as a usage error (exit 2), naming the parameter', async () => {
    for (const [params, message] of [
      [
        ['fast=30', 'slow=10'],
        '--param: strategy sma-cross: parameter fast (30) must be less than slow (10)',
      ],
      [['fats=3'], '--param: strategy sma-cross: unknown parameter "fats" (valid: fast, slow)'],
    ] as const) {
      const io = captureIO();
      const args = ['backtest', '--csv', goog.path, '--strategy', 'sma-cross'];
      expect(await main([...args, ...params.flatMap((p) => ['--param', p])], io)).toBe(2);
      expect(io.stderr.split('\n')[0]).toBe(`regimen backtest: ${message}`);
      expect(io.stdout).toBe('');
    }
  });
});

describe.skipIf(!btc.present)(`regimen backtest on crypto (BTCUSD.csv)${btc.skipReason}`, () => {
  it("charges Alpaca's crypto fee by default: 0.25 % of each fill's value, on both sides", async () => {
    const run = [
      'backtest',
      '--csv',
      btc.path,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=2',
      '--param',
      'slow=6',
    ];
    const result = await runJson(run);
    expect(result['costs']).toEqual({
      fees: 'alpaca-crypto',
      spreadBps: 0,
      impact: 0,
      borrowPercent: 0,
      cryptoFeeTier: 1,
      shortSales: 'none',
      units: 'fractional',
    });
    type Trade = { entryPrice: number; exitPrice: number; size: number; pnl: number; exitReason: string };
    // Market orders take liquidity: each closed trade paid the taker's rate on both its fills (a trade
    // still open at the end has paid its entry's fee only).
    const paysTaker = (r: Record<string, unknown>, rate: number) => {
      const trades = (r['trades'] as Trade[]).filter((trade) => trade.exitReason !== 'Open');
      expect(trades.length).toBeGreaterThan(5);
      for (const trade of trades) {
        const gross = (trade.exitPrice - trade.entryPrice) * trade.size;
        const fee = rate * Math.abs(trade.size) * (trade.entryPrice + trade.exitPrice);
        expect(trade.pnl).toBeCloseTo(gross - fee, 6);
      }
    };
    paysTaker(result, 0.0025);
    // A higher volume tier (4: from $1M a month) takes 0.18 %.
    const tier4 = await runJson([...run, '--crypto-fee-tier', '4']);
    expect(tier4['costs']).toMatchObject({ fees: 'alpaca-crypto', cryptoFeeTier: 4 });
    paysTaker(tier4, 0.0018);
    const badTier = await runCli([...run, '--crypto-fee-tier', '9']);
    expect(badTier.code).toBe(2);
    expect(badTier.stderr).toContain('--crypto-fee-tier must be a whole number from 1 to 8, got "9"');
    // --fees none leaves the fee out; the line naming the costs says which was charged.
    const free = await runJson([...run, '--fees', 'none']);
    expect(free['costs']).toEqual({
      fees: 'none',
      spreadBps: 0,
      impact: 0,
      borrowPercent: 0,
      cryptoFeeTier: 1,
      shortSales: 'none',
      units: 'fractional',
    });
    const metrics = (r: Record<string, unknown>) => r['metrics'] as Record<string, number>;
    expect(metrics(free)['finalEquity']).toBeGreaterThan(metrics(result)['finalEquity']!);
    const io = captureIO();
    expect(await main(run, io)).toBe(0);
    expect(io.stdout).toContain(
      'costs: Alpaca crypto fee 0.25 % taker, 0.15 % maker, spread 0 bp, impact 0, long only, fractional units',
    );
    const tierText = captureIO();
    expect(await main([...run, '--crypto-fee-tier', '4'], tierText)).toBe(0);
    expect(tierText.stdout).toContain(
      'costs: Alpaca crypto fee tier 4 0.18 % taker, 0.08 % maker, spread 0 bp',
    );
  });

  // sma-cross reversed into shorts on crypto, which Alpaca does not lend: a backtest counted trades the
  // account could never make.
  it('sells no crypto short by default, as Alpaca lends none; --short-sales allowed puts the shorts back', async () => {
    const run = ['backtest', '--csv', btc.path, '--strategy', 'sma-cross', '--param', 'fast=2'];
    const sizes = (r: Record<string, unknown>) => (r['trades'] as { size: number }[]).map((t) => t.size);
    const longOnly = await runJson([...run, '--param', 'slow=6']);
    expect(sizes(longOnly).length).toBeGreaterThan(5);
    expect(sizes(longOnly).every((size) => size > 0)).toBe(true);
    const shorts = await runJson([...run, '--param', 'slow=6', '--short-sales', 'allowed']);
    expect(shorts['costs']).toMatchObject({ fees: 'alpaca-crypto', shortSales: 'allowed' });
    expect(sizes(shorts).filter((size) => size < 0).length).toBeGreaterThan(3);
    // Each cross-down closes the long; with shorts allowed it also opens a short, which the next
    // cross-up closes: the longs are the same trades, and a short sits between each two.
    expect(sizes(shorts).filter((size) => size > 0).length).toBe(sizes(longOnly).length);
    // --costs none drops the fees, not the venue's rule; --long-only needs no setting.
    const free = await runJson([...run, '--param', 'slow=6', '--costs', 'none']);
    expect(free['costs']).toMatchObject({ fees: 'none', shortSales: 'none' });
    expect(sizes(free).every((size) => size > 0)).toBe(true);
    const bad = await runCli([...run, '--short-sales', 'never']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--short-sales must be allowed or none, got "never"');
  });

  // In whole coins, $10,000 bought one bitcoin in March 2020 and none once it cost more than the account:
  // one trade in five years. Alpaca trades fractions of a coin.
  it('trades fractions of a coin by default, as Alpaca does; --units whole buys whole coins only', async () => {
    const run = ['backtest', '--csv', btc.path, '--strategy', 'sma-cross', '--param', 'fast=2'];
    const since2020 = [...run, '--param', 'slow=6', '--start', '2020-01-01'];
    const sizes = (r: Record<string, unknown>) => (r['trades'] as { size: number }[]).map((t) => t.size);
    const fractional = await runJson(since2020);
    expect(fractional['costs']).toMatchObject({ units: 'fractional' });
    expect(sizes(fractional).length).toBeGreaterThan(5);
    expect(sizes(fractional).some((size) => !Number.isInteger(size))).toBe(true);
    const whole = await runJson([...since2020, '--units', 'whole']);
    expect(whole['costs']).toMatchObject({ units: 'whole' });
    expect(sizes(whole)).toEqual([1]);
    const bad = await runCli([...since2020, '--units', 'half']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--units must be whole or fractional, got "half"');
  });
});

describe.skipIf(!btc.present)(`regimen metrics on monthly bars (BTCUSD.csv)${btc.skipReason}`, () => {
  it('annualises with 12 periods a year: CAGR 112.4 %/yr, Sharpe 0.865, volatility 152 %', async () => {
    // Independently, in plain loops over the file's Close column: monthly returns, CAGR over n months,
    // mean / sample std x √12.
    const closes = readFileSync(btc.path, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[4]));
    const n = closes.length - 1;
    let sum = 0;
    for (let i = 1; i <= n; i++) sum += closes[i] / closes[i - 1] - 1;
    const mean = sum / n;
    let squares = 0;
    for (let i = 1; i <= n; i++) squares += (closes[i] / closes[i - 1] - 1 - mean) ** 2;
    const std = Math.sqrt(squares / (n - 1));
    const expected = {
      annualizedReturn: (closes[n] / closes[0]) ** (12 / n) - 1,
      sharpeRatio: (mean / std) * Math.sqrt(12),
      volatility: std * Math.sqrt(12),
    };
    // The figures, which the plain computation must reproduce before it can judge the command.
    expect(expected.annualizedReturn).toBeCloseTo(1.124, 3);
    expect(expected.sharpeRatio).toBeCloseTo(0.865, 3);
    expect(expected.volatility).toBeCloseTo(1.522, 3);

    const result = await runJson(['metrics', '--csv', btc.path, '--column', 'Close']);
    expect(result['annualization']).toEqual({ periodsPerYear: 12, basis: 'monthly' });
    const metrics = result['metrics'] as Record<string, number>;
    for (const [key, value] of Object.entries(expected)) {
      expect(Math.abs(metrics[key]! / value - 1), key).toBeLessThan(1e-3);
    }

    const io = captureIO();
    expect(await main(['metrics', '--csv', btc.path, '--column', 'Close'], io)).toBe(0);
    expect(io.stdout).toContain(
      'annualised with 12 periods a year (monthly periods, inferred from the bar spacing; --periods-per-year overrides)',
    );
    expect(io.stdout).toMatch(/Annualized return\s+112\.41%/);
    const given = captureIO();
    expect(await main(['metrics', '--csv', btc.path, '--periods-per-year', '252'], given)).toBe(0);
    expect(given.stdout).toContain('annualised with 252 periods a year (--periods-per-year)');
    const bad = captureIO();
    expect(await main(['metrics', '--csv', btc.path, '--periods-per-year', 'monthly'], bad)).toBe(2);
    expect(bad.stderr).toContain('--periods-per-year must be a number > 0, got "monthly"');
  });
});
