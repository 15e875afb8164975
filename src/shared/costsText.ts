import type { CostSettings } from '../core/engine/assetCosts.ts';

/** Cost settings in words, as a tear sheet's subtitle, the CLI and the app's panels name them. */
export function costsText(costs: CostSettings): string {
  if (!costs.regulatoryFees && costs.spreadBps === 0 && costs.impact === 0) return 'none beyond commission';
  return `${costs.regulatoryFees ? 'SEC and FINRA fees on sells, ' : ''}spread ${costs.spreadBps} bp, impact ${costs.impact}`;
}

/**
 * The commission a run paid, in the percent a trader types (`--commission 0.2`, the app's field), for the
 * lines that name its costs: costsText's "none beyond commission" alone left the rate unsaid.
 */
export function commissionText(rate: number): string {
  return `commission ${Number((rate * 100).toPrecision(12))} % a side`;
}
