/**
 * What the Regimes panel offers, without the schemas (regimeContract.ts builds its enums from core's
 * names; this list is checked against them by type). Which settings each detector takes: the jump
 * model's persistence is its penalty, and its volatility feature may be exponentially weighted (a
 * half-life), which with a hysteresis switches less than the HMM at its delay (core/regime/quality.test.ts).
 */
import type { DetectorName } from '../core/regime/detector.ts';
import type { RegimeAxis } from '../core/regime/labels.ts';

export type DetectorSetting = 'hysteresis' | 'minDwell' | 'jumpPenalty' | 'halflife';

export const DETECTOR_CHOICES = [
  { name: 'rules', label: 'Rules (MA slope, ADX, ranks)', settings: ['hysteresis', 'minDwell'] },
  { name: 'hmm', label: 'Gaussian HMM (forward filter)', settings: ['hysteresis', 'minDwell'] },
  {
    name: 'jump',
    label: 'Jump model (penalised switches)',
    settings: ['jumpPenalty', 'halflife', 'hysteresis', 'minDwell'],
  },
  { name: 'bocpd', label: 'Change-point (BOCPD)', settings: ['hysteresis', 'minDwell'] },
] as const satisfies readonly {
  name: DetectorName;
  label: string;
  settings: readonly DetectorSetting[];
}[];

/** The detectors in offering order (core's list is a value the renderer may not import). */
export const DETECTOR_NAMES = DETECTOR_CHOICES.map((choice) => choice.name);

/** The words a detector is offered under. */
export function detectorLabel(name: DetectorName): string {
  return DETECTOR_CHOICES.find((choice) => choice.name === name)?.label ?? name;
}

/**
 * The detector a command or study uses when none is named: the best on the planted-regime tests
 * (volatility balanced accuracy; see core/regime/quality.test.ts).
 */
export const DEFAULT_DETECTOR: DetectorName = 'hmm';

/** The axes labels are shown for; a parameter set is switched on the first two only. */
export const DISPLAY_AXES = ['trend', 'volatility', 'volume'] as const satisfies readonly RegimeAxis[];
export const SWITCH_AXIS_CHOICES = ['trend', 'volatility'] as const satisfies readonly RegimeAxis[];

/**
 * Commission per side (a fraction) the per-regime study and the comparison charge unless told otherwise:
 * Settings' default commission (the app sends Settings' own, the CLI's --commission defaults to it), so
 * they charge what a backtest does; fees, spread and impact come from the asset-class defaults (costs).
 */
export const DEFAULT_COMPARE_COMMISSION = 0;

/**
 * The regime table's two return figures, named once for the CLI (`label`), the Regimes panel (`short`,
 * with `title` on hover) and the regimes:get payload's docs. Both are of each bar's log return close to
 * close, ln(close / previous close), per bar and not annualised, so the mean reads beside the volatility
 * as the same quantity over the same period; shown in basis points. A mean log return is below the mean
 * simple return by about half the variance, which matters for the volatile labels.
 */
export const REGIME_RETURN_COLUMNS = {
  meanReturn: {
    label: 'mean log return/bar',
    short: 'mean log/bar',
    title:
      'Mean log return, ln(close / previous close), of the bars under this label: per bar, not annualised, in basis points',
  },
  volatility: {
    label: 'volatility/bar',
    short: 'vol/bar',
    title: 'Standard deviation of the same per-bar log returns: per bar, not annualised, in basis points',
  },
} as const;
