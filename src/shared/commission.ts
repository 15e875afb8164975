/**
 * Commission, as a person types it: a percent of the traded value, charged on every fill, in the app's
 * fields and in the CLI's `--commission` alike (`--commission 0.1` is 0.1 %). The contract carries it as
 * a fraction (the engine's rate); only `commissionRateFromPercent` converts.
 */
export const COMMISSION_UNIT = '% of traded value per fill';

/** Above this the rate is refused: no broker charges 10 % a trade. */
export const MAX_COMMISSION_PERCENT = 10;

/** Above this the rate runs but is flagged: retail commissions are well under 1 % a trade. */
export const PLAUSIBLE_COMMISSION_PERCENT = 1;

/** The contract's and the engine's rate (a fraction of traded value) for a percent. */
export function commissionRateFromPercent(percent: number): number {
  return percent / 100;
}

/** Why a commission in percent looks wrong (it is probably a fraction or a typo), or null when plausible. */
export function commissionWarning(percent: number): string | null {
  if (!(percent > PLAUSIBLE_COMMISSION_PERCENT)) return null;
  return (
    `commission ${percent} % of traded value per fill is above a plausible ${PLAUSIBLE_COMMISSION_PERCENT} %: ` +
    `the unit is percent (0.1 means 0.1 %)`
  );
}
