import { describe, expect, it } from 'vitest';
import { runBacktest } from './backtest.ts';
import {
  costOptions,
  costSettingsOf,
  CRYPTO_COSTS,
  defaultCostSettings,
  FX_COSTS,
  NO_COSTS,
  stressedSlippage,
  US_EQUITY_COSTS,
} from './assetCosts.ts';
import type { CostSettings } from './assetCosts.ts';
import { randomWalkBars } from './random-walk.ts';
import { STRATEGIES } from '../strategy/index.ts';

const bars = randomWalkBars(600, 7);
const params = { fast: 5, slow: 20 };

describe('asset-class costs', () => {
  it('models stored without their settings are stressed and read back as costOptions builds them', () => {
    const spreadOnly: CostSettings = { ...NO_COSTS, spreadBps: 3 };
    const financed: CostSettings = { ...US_EQUITY_COSTS, borrowPercent: 0.3 };
    const tiers = [2, 5, 8].map((tier): CostSettings => ({ ...CRYPTO_COSTS, cryptoFeeTier: tier }));
    for (const settings of [US_EQUITY_COSTS, CRYPTO_COSTS, NO_COSTS, spreadOnly, financed, ...tiers])
      for (const bps of [0, 10, 25]) {
        const built = costOptions(0.001, settings, 0);
        expect(stressedSlippage(built.slippage, bps)).toEqual(costOptions(0.001, settings, bps).slippage);
        expect(costSettingsOf(built)).toEqual(settings);
      }
    expect(stressedSlippage(undefined, 10)).toEqual({ kind: 'fixed-bps', bps: 10 });
    expect(costSettingsOf({})).toEqual(NO_COSTS);
    // Percents a trader types, as the engine's annual fractions; a rate of 0 is no financing at all.
    expect(costOptions(0, financed).financing).toEqual({ borrowRate: 0.003 });
    expect(costOptions(0, US_EQUITY_COSTS).financing).toBeUndefined();
    // A crypto fee tier above the first names its rates; the first leaves them to the model's default.
    expect(costOptions(0, { ...CRYPTO_COSTS, cryptoFeeTier: 8 }).commission).toEqual({
      kind: 'alpaca-crypto',
      rate: 0,
      feeRate: 0.001,
      makerFeeRate: 0,
    });
    expect(costOptions(0, CRYPTO_COSTS).commission).toEqual({ kind: 'alpaca-crypto', rate: 0 });
    // Other fees ignore it.
    expect(costOptions(0, { ...US_EQUITY_COSTS, cryptoFeeTier: 8 }).commission).toEqual({
      kind: 'us-equity',
      rate: 0,
    });
  });

  it("equities default to the US equity model, FX to about a pip of spread, crypto to Alpaca's fee", () => {
    expect(defaultCostSettings('equities')).toEqual(US_EQUITY_COSTS);
    // A 1 bp spread on EURUSD at 1.10 is 0.00011: about a pip, not an equity's cents.
    const fx = defaultCostSettings('fx');
    expect(fx).toEqual(FX_COSTS);
    expect(fx.fees).toBe('none');
    expect(fx.impact).toBe(0);
    expect((1.1 * fx.spreadBps) / 10_000).toBeCloseTo(0.0001, 4);
    // Crypto on Alpaca pays its crypto fee on both sides, on top of any commission, and is long only:
    // Alpaca lends no crypto to sell short.
    expect(defaultCostSettings('crypto')).toEqual(CRYPTO_COSTS);
    expect(costOptions(0.001, CRYPTO_COSTS)).toEqual({
      commission: { kind: 'alpaca-crypto', rate: 0.001 },
      slippage: { kind: 'none' },
      longOnly: true,
      fractional: true,
    });
    // Short sales allowed leave longOnly out, so they never lift an account's own long-only.
    expect('longOnly' in costOptions(0, { ...CRYPTO_COSTS, shortSales: 'allowed' })).toBe(false);
    expect(costSettingsOf({ longOnly: true }).shortSales).toBe('none');
    expect('fractional' in costOptions(0, US_EQUITY_COSTS)).toBe(false);
    expect(costSettingsOf({ fractional: true }).units).toBe('fractional');
  });

  it('settings become the engine models; a stress adds fixed bps', () => {
    expect(costOptions(0, US_EQUITY_COSTS)).toEqual({
      commission: { kind: 'us-equity', rate: 0 },
      slippage: {
        kind: 'sum',
        parts: [
          { kind: 'half-spread', spreadBps: 2 },
          { kind: 'sqrt-impact', coefficient: 0.01 },
        ],
      },
    });
    expect(costOptions(0.001, NO_COSTS, 10)).toEqual({
      commission: { kind: 'percent', rate: 0.001 },
      slippage: { kind: 'fixed-bps', bps: 10 },
    });
  });

  it('no costs reproduce a run without cost options exactly; the equity default costs something', () => {
    const plain = runBacktest(bars, STRATEGIES['sma-cross'], params, { cash: 10_000 });
    const zero = runBacktest(bars, STRATEGIES['sma-cross'], params, {
      cash: 10_000,
      ...costOptions(0, NO_COSTS),
    });
    expect(Array.from(zero.equity)).toEqual(Array.from(plain.equity));
    expect(zero.trades.count).toBe(plain.trades.count);
    const costly = runBacktest(bars, STRATEGIES['sma-cross'], params, {
      cash: 10_000,
      ...costOptions(0, US_EQUITY_COSTS),
    });
    expect(plain.trades.count).toBeGreaterThan(2);
    expect(costly.finalEquity).toBeLessThan(plain.finalEquity);
    const stressed = runBacktest(bars, STRATEGIES['sma-cross'], params, {
      cash: 10_000,
      ...costOptions(0, US_EQUITY_COSTS, 25),
    });
    expect(stressed.finalEquity).toBeLessThan(costly.finalEquity);
    // Every crypto fill pays 0.25 % of its value: the fees the run paid are the fills' values x 0.0025.
    const crypto = runBacktest(bars, STRATEGIES['sma-cross'], params, {
      cash: 10_000,
      ...costOptions(0, CRYPTO_COSTS),
    });
    let fees = 0;
    let traded = 0;
    for (let j = 0; j < crypto.trades.count; j++) {
      fees += crypto.trades.commission[j]!;
      traded +=
        Math.abs(crypto.trades.size[j]!) * (crypto.trades.entryPrice[j]! + crypto.trades.exitPrice[j]!);
    }
    expect(crypto.trades.count).toBeGreaterThan(2);
    expect(fees).toBeCloseTo(0.0025 * traded, 6);
    expect(crypto.finalEquity).toBeLessThan(plain.finalEquity);
  });
});
