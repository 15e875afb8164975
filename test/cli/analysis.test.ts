import { describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');

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
      'backtest',
      '--csv',
      goog.path,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=10',
      '--param',
      'slow=30',
      '--cash',
      '10000',
      '--close-at-end',
    ]);
    const metrics = result['metrics'] as Record<string, number>;
    expect(metrics['finalEquity']).toBeCloseTo(51_422.99, 2);
    expect(metrics['numTrades']).toBe(66);
    expect((result['trades'] as unknown[]).length).toBe(66);
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

  it('names an unknown strategy and a malformed --param (exit 1 and 2)', async () => {
    const io = captureIO();
    expect(await main(['backtest', '--csv', goog.path, '--strategy', 'nope'], io)).toBe(1);
    expect(io.stderr).toContain('unknown strategy "nope"');
    const bad = captureIO();
    expect(
      await main(['backtest', '--csv', goog.path, '--strategy', 'sma-cross', '--param', 'fast'], bad),
    ).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('regimen backtest: --param expects name=number, got "fast"');
  });
});
