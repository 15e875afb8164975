import type { CostSettings, FeeSchedule } from '../core/engine/assetCosts.ts';

/** A fee schedule as a trader reads it: what it charges and when (the CLI's help, the app's choices). */
export const FEE_SCHEDULE_TEXT: Record<FeeSchedule, string> = {
  'us-equity': 'SEC and FINRA fees on sells',
  'alpaca-crypto': 'Alpaca crypto fee 0.25 % taker, 0.15 % maker',
  none: 'no fees',
};

/** Cost settings in words, as a tear sheet's subtitle, the CLI and the app's panels name them. */
export function costsText(costs: CostSettings): string {
  const financing = costs.borrowPercent > 0 ? `borrow fee ${costs.borrowPercent} % a year` : '';
  if (costs.fees === 'none' && costs.spreadBps === 0 && costs.impact === 0)
    return financing === '' ? 'none beyond commission' : financing;
  const fees = costs.fees === 'none' ? '' : `${FEE_SCHEDULE_TEXT[costs.fees]}, `;
  return `${fees}spread ${costs.spreadBps} bp, impact ${costs.impact}${financing === '' ? '' : `, ${financing}`}`;
}

/**
 * The commission a run paid, in the percent a trader types (`--commission 0.2`, the app's field), for the
 * lines that name its costs: costsText's "none beyond commission" alone left the rate unsaid.
 */
export function commissionText(rate: number): string {
  return `commission ${Number((rate * 100).toPrecision(12))} % a side`;
}
