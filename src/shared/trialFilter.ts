/**
 * Which trials an analysis looks at (issue 15 item 7): a minimum trade count and a maximum drawdown,
 * applied alike to the trial table, the charts and the parameter importance, so they always describe
 * the same trials. A trial without the metric a bound needs is left out: the bound cannot vouch for it.
 */
import { z } from 'zod';

export const TrialFilter = z.strictObject({
  /** Keep trials with at least this many trades (`numTrades`); null: no bound. */
  minTrades: z.number().int().min(0).nullable().default(null),
  /** Keep trials whose maximum drawdown is at most this fraction of the peak (0.3 = 30 %); null: no bound. */
  maxDrawdown: z.number().gt(0).max(1).nullable().default(null),
});
export type TrialFilter = z.output<typeof TrialFilter>;

export const NO_TRIAL_FILTER: TrialFilter = { minTrades: null, maxDrawdown: null };

export function isFiltering(filter: TrialFilter): boolean {
  return filter.minTrades !== null || filter.maxDrawdown !== null;
}

/** Metrics as trials carry them: `maxDrawdown` is a negative fraction, JSON's null stands for NaN. */
export function passesTrialFilter(
  metrics: Readonly<Record<string, number | null | undefined>>,
  filter: TrialFilter,
): boolean {
  if (filter.minTrades !== null) {
    const trades = metrics.numTrades;
    if (typeof trades !== 'number' || !(trades >= filter.minTrades)) return false;
  }
  if (filter.maxDrawdown !== null) {
    const drawdown = metrics.maxDrawdown;
    if (typeof drawdown !== 'number' || !(Math.abs(drawdown) <= filter.maxDrawdown)) return false;
  }
  return true;
}
