import type { CostSettings } from '../core/engine/assetCosts.ts';

/** Cost settings in words, as a tear sheet's subtitle, the CLI and the app's panels name them. */
export function costsText(costs: CostSettings): string {
  if (!costs.regulatoryFees && costs.spreadBps === 0 && costs.impact === 0) return 'none beyond commission';
  return `${costs.regulatoryFees ? 'SEC and FINRA fees on sells, ' : ''}spread ${costs.spreadBps} bp, impact ${costs.impact}`;
}
