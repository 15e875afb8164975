import { ALPACA_CRYPTO_FEE_TIERS, type CostSettings, type FeeSchedule } from '../core/engine/assetCosts.ts';

/** A rate as the percent a trader reads (0.0025: "0.25"), without a float's tail. */
const percent = (rate: number): string => String(Number((rate * 100).toFixed(4)));

/** Alpaca's crypto fee at a tier (1 to 8): "Alpaca crypto fee 0.25 % taker, 0.15 % maker". */
export function cryptoFeeText(tier: number): string {
  const rates = ALPACA_CRYPTO_FEE_TIERS[tier - 1];
  if (rates === undefined) throw new RangeError(`crypto fee tier must be 1 to 8, got ${tier}`);
  const name = tier === 1 ? 'Alpaca crypto fee' : `Alpaca crypto fee tier ${tier}`;
  return `${name} ${percent(rates.takerRate)} % taker, ${percent(rates.makerRate)} % maker`;
}

/** A 30-day volume in short dollars: $100k, $1M, $100M. */
function dollars(volume: number): string {
  return volume >= 1e6 ? `$${volume / 1e6}M` : `$${volume / 1e3}k`;
}

/** A tier's volume and rates, as the app's choices and the CLI's help list them: "2: from $100k, 0.22 / 0.12 %". */
export function cryptoFeeTierText(tier: number): string {
  const rates = ALPACA_CRYPTO_FEE_TIERS[tier - 1]!;
  const next = ALPACA_CRYPTO_FEE_TIERS[tier];
  const volume =
    tier === 1 && next !== undefined ? `under ${dollars(next.volume)}` : `from ${dollars(rates.volume)}`;
  return `${tier}: ${volume}, ${percent(rates.takerRate)} / ${percent(rates.makerRate)} %`;
}

/** Every tier, taker / maker, for the CLI's help. */
export function cryptoFeeTiersText(): string {
  return `${ALPACA_CRYPTO_FEE_TIERS.map((_, k) => cryptoFeeTierText(k + 1)).join('; ')} taker / maker`;
}

/** A fee schedule as a trader reads it: what it charges and when (the CLI's help, the app's choices). */
export const FEE_SCHEDULE_TEXT: Record<FeeSchedule, string> = {
  'us-equity': 'SEC and FINRA fees on sells',
  'alpaca-crypto': cryptoFeeText(1),
  none: 'no fees',
};

/** Cost settings in words, as a tear sheet's subtitle, the CLI and the app's panels name them. */
export function costsText(costs: CostSettings): string {
  const terms = [
    costs.borrowPercent > 0 ? `borrow fee ${costs.borrowPercent} % a year` : '',
    costs.shortSales === 'none' ? 'long only' : '',
    costs.units === 'fractional' ? 'fractional units' : '',
  ].filter((term) => term !== '');
  if (costs.fees === 'none' && costs.spreadBps === 0 && costs.impact === 0)
    return terms.length === 0 ? 'none beyond commission' : terms.join(', ');
  const fees =
    costs.fees === 'none'
      ? ''
      : `${costs.fees === 'alpaca-crypto' ? cryptoFeeText(costs.cryptoFeeTier) : FEE_SCHEDULE_TEXT[costs.fees]}, `;
  return [`${fees}spread ${costs.spreadBps} bp, impact ${costs.impact}`, ...terms].join(', ');
}

/**
 * What a run paid to finance its positions (borrow fees, margin interest), for the lines that name its
 * costs: "financing paid 16.00", or '' when it paid none.
 */
export function financingPaidText(paid: number): string {
  return paid > 0 ? `financing paid ${paid.toFixed(2)}` : '';
}

/**
 * The commission a run paid, in the percent a trader types (`--commission 0.2`, the app's field), for the
 * lines that name its costs: costsText's "none beyond commission" alone left the rate unsaid.
 */
export function commissionText(rate: number): string {
  return `commission ${Number((rate * 100).toPrecision(12))} % a side`;
}
