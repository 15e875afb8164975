import type { StrategyInfo } from '../../shared/contract.ts';
import { constraintViolation } from '../../core/strategy-api/constraints.ts';
import {
  COMMISSION_UNIT,
  commissionRateFromPercent,
  commissionWarning,
  MAX_COMMISSION_PERCENT,
} from '../../shared/commission.ts';

type ParamSpec = StrategyInfo['params'][number];

/** Form values are kept as typed text so a half-typed number ("0.") is not rewritten under the cursor. */
export type ParamDraft = Record<string, string>;

export interface ParamCheck {
  values: Record<string, number>;
  /** Parameter name -> what is wrong with it; empty when every value is usable. */
  errors: Record<string, string>;
}

export function defaultDraft(strategy: StrategyInfo): ParamDraft {
  const draft: ParamDraft = {};
  for (const spec of strategy.params) draft[spec.name] = String(spec.default);
  return draft;
}

export function checkParam(spec: ParamSpec, text: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'required' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: 'not a number' };
  if (spec.type === 'int' && !Number.isInteger(value)) return { error: 'a whole number' };
  // A backtest takes any valid value; the search range only bounds the optimiser's defaults.
  const { min, max } = spec.limits;
  if (value < min || value > max) return { error: `between ${min} and ${max}` };
  return { value };
}

export function checkParams(strategy: StrategyInfo, draft: ParamDraft): ParamCheck {
  const values: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const spec of strategy.params) {
    const result = checkParam(spec, draft[spec.name] ?? String(spec.default));
    if ('error' in result) errors[spec.name] = result.error;
    else values[spec.name] = result.value;
  }
  for (const constraint of strategy.constraints) {
    const violation = constraintViolation(constraint, values);
    if (violation !== null) errors[constraint.left] = violation;
  }
  return { values, errors };
}

/**
 * Cash and commission, the two account settings every strategy shares. Commission is typed in percent
 * (shared/commission.ts); a plausible-looking but high rate runs with a `warnings.commission`.
 */
export function checkAccount(
  cash: string,
  commission: string,
): {
  cash?: number;
  commission?: number;
  errors: Record<string, string>;
  warnings: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const warnings: Record<string, string> = {};
  const cashValue = Number(cash.trim());
  const commissionPercent = Number(commission.trim());
  if (cash.trim() === '' || !Number.isFinite(cashValue) || cashValue <= 0) errors.cash = 'a positive amount';
  if (
    commission.trim() === '' ||
    !Number.isFinite(commissionPercent) ||
    commissionPercent < 0 ||
    commissionPercent > MAX_COMMISSION_PERCENT
  ) {
    errors.commission = `between 0 and ${MAX_COMMISSION_PERCENT} (${COMMISSION_UNIT})`;
  } else {
    const warning = commissionWarning(commissionPercent);
    if (warning !== null) warnings.commission = warning;
  }
  if (Object.keys(errors).length > 0) return { errors, warnings };
  return { cash: cashValue, commission: commissionRateFromPercent(commissionPercent), errors, warnings };
}

/** The form's text for a commission the contract gives as a fraction (0.001 -> "0.1" percent). */
export function commissionPercentText(fraction: number): string {
  // Rounded so the form does not show float noise such as 0.06999999999999999.
  return String(Number((fraction * 100).toPrecision(12)));
}
