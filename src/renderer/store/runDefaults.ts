import type { CostSettings } from '../../core/engine/assetCosts.ts';
import { commissionRateFromPercent } from '../../shared/commission.ts';
import type { AppState } from './appStore.ts';
import { checkCosts, type CheckedCosts } from './costDraft.ts';
import { checkAccount } from './params.ts';

/**
 * What a run the app starts outside the Backtest and Optimize forms (the regime study and comparison,
 * the learner's scorecard and "open as backtest") starts with and pays: Settings' default cash and
 * commission, the forms start from, and the one cost draft every form edits (Settings' fees, spread and
 * impact). Before the record is read, the Backtest form's cash and commission (its own defaults until
 * then), or the request's defaults where the form's do not read.
 */
export interface RunDefaults {
  readonly cash?: number;
  /** Per side, as a fraction of traded value. */
  readonly commission?: number;
  /** The cost parts set; absent parts are the symbol's asset-class default. */
  readonly costs?: Partial<CostSettings>;
  /** Cost fields out of range: a run is refused as a backtest is, not run at the defaults. */
  readonly costErrors: CheckedCosts['errors'];
}

export function runDefaults(
  state: Pick<AppState, 'settings' | 'costs' | 'cash' | 'commission'>,
): RunDefaults {
  const { costs, errors } = checkCosts(state.costs);
  const settings = state.settings?.settings;
  const account =
    settings === undefined
      ? checkAccount(state.cash, state.commission)
      : { cash: settings.cash, commission: commissionRateFromPercent(settings.commissionPercent) };
  return {
    ...(account.cash === undefined ? {} : { cash: account.cash }),
    ...(account.commission === undefined ? {} : { commission: account.commission }),
    ...(costs === undefined ? {} : { costs }),
    costErrors: errors,
  };
}
