/**
 * `regimen optimize --per-regime`: the study also picks one parameter set per regime from its trials
 * (issue 11 item 8), and its report shows each regime's set or the global one with the reason.
 */
import { DETECTOR_NAMES } from '../../../../core/regime/index.ts';
import type { StudyDetail } from '../../../../shared/optimizeContract.ts';
import { SWITCH_AXIS_CHOICES } from '../../../../shared/regimeChoices.ts';
import type { PerRegimeSettings, RegimeStudyResult } from '../../../../shared/regimeContract.ts';
import { numberOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { formatMetric, table } from '../../format.ts';
import {
  detectorOption,
  detectorSettingOptions,
  detectorSettingsFrom,
  detectorSettingsHelp,
  SET_DWELL_HELP,
  SET_MIN_DWELL,
  settingsText,
  STUDY_SETTING_FLAGS,
} from '../regime/regimes.ts';

export const PER_REGIME_OPTIONS = {
  'per-regime': { type: 'boolean' },
  detector: { type: 'string' },
  axis: { type: 'string' },
  'min-dwell': { type: 'string' },
  ...detectorSettingOptions(STUDY_SETTING_FLAGS),
} as const;

/** Default evidence a regime's own set needs, unless --min-trades says otherwise. */
const REGIME_MIN_TRADES = 30;

export const PER_REGIME_HELP =
  `\n        [--per-regime [--detector ${DETECTOR_NAMES.join('|')}] [--axis volatility|trend]]\n` +
  `${SET_DWELL_HELP}\n${detectorSettingsHelp(STUDY_SETTING_FLAGS)}\n` +
  '        --per-regime: once the study completes, each trial is scored on the bars of each regime of its first\n' +
  "        timeframe, and each regime gets its best set, or the global set with the reason (a regime's set\n" +
  `        needs --min-trades trades in it, ${REGIME_MIN_TRADES} unless given; --min-trades still also applies to every trial).`;

function wholeNumber(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const value = numberOption(args, name, fallback);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** The per-regime settings from the flags; undefined without --per-regime (whose own flags need it). */
export function perRegimeFrom(args: ParsedArgs): PerRegimeSettings | undefined {
  if (args.values['per-regime'] !== true) {
    for (const flag of Object.keys(PER_REGIME_OPTIONS).filter((name) => name !== 'per-regime'))
      if (stringOption(args, flag) !== undefined) throw new UsageError(`--${flag} needs --per-regime`);
    return undefined;
  }
  const axis = stringOption(args, 'axis') ?? 'volatility';
  const switchAxis = SWITCH_AXIS_CHOICES.find((choice) => choice === axis);
  if (switchAxis === undefined)
    throw new UsageError(`--axis must be one of ${SWITCH_AXIS_CHOICES.join(', ')}, got "${axis}"`);
  const detector = detectorOption(stringOption(args, 'detector'));
  const settings = detectorSettingsFrom(args, detector, STUDY_SETTING_FLAGS);
  return {
    detector,
    ...(Object.keys(settings).length === 0 ? {} : { settings }),
    axis: switchAxis,
    minTrades: wholeNumber(args, 'min-trades', REGIME_MIN_TRADES, 0),
    minDwell: wholeNumber(args, 'min-dwell', SET_MIN_DWELL, 1),
  };
}

const paramsText = (params: Readonly<Record<string, number>>): string =>
  Object.entries(params)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');

const scoreCells = (score: RegimeStudyResult['global']['score']): string[] => [
  score.sharpeRatio === null ? 'n/a' : formatMetric('sharpeRatio', score.sharpeRatio),
  score.totalReturn === null ? 'n/a' : formatMetric('totalReturn', score.totalReturn),
  String(score.trades),
  String(score.bars),
];

/** The report's per-regime section: each regime's set, or the global set and why. */
export function perRegimeLines(perRegime: NonNullable<StudyDetail['perRegime']>): string[] {
  const { settings, result, error } = perRegime;
  const given = settingsText(settings.settings ?? {}, STUDY_SETTING_FLAGS);
  const detectorGiven = given === '' ? '' : ` with ${given}`;
  const heading =
    `Per regime (${settings.detector} detector${detectorGiven}, ${settings.axis}; a regime's own set needs ` +
    `${settings.minTrades} trades in it, held ${settings.minDwell} bars at least):`;
  if (result === null)
    return ['', heading, `  ${error ?? 'not scored yet: the sets are chosen when the study completes'}`];
  return [
    '',
    heading,
    table([
      ['regime', 'set', 'Sharpe', 'return', 'trades', 'bars', 'chosen'],
      ...result.regimes.map((r) => [
        r.label,
        paramsText(r.params),
        ...scoreCells(r.score),
        r.fellBack ? `global set: ${r.reason ?? ''}` : 'its own best',
      ]),
      ['(all bars)', paramsText(result.global.params), ...scoreCells(result.global.score), 'global set'],
    ]),
    `  ${result.trialCount} trials counted for a deflated Sharpe of the switched sets (trials x (regimes + global)).`,
  ];
}
