import { TIMEFRAMES, type Timeframe } from '../../../../core/data/bars.ts';
import { inferTimeframe } from '../../../../core/data/timeframe.ts';
import {
  allocateRegimeOutput,
  AXIS_LABELS,
  createDetector,
  DETECTOR_NAMES,
  DETECTOR_SUMMARIES,
  NO_LABEL,
  orderNote,
  REGIME_AXES,
  summariseRegimes,
  type DetectorName,
  type DetectorSettings,
  type RegimeAxisOutput,
} from '../../../../core/regime/index.ts';
import { stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { BARS_SOURCE_OPTIONS, loadBarsSource, timeframeOption, type TimedDataset } from '../../barsSource.ts';
import { NATIVE_TIMEFRAME, type LoadedDataset } from '../../../marketdata/barsSource.ts';
import type { Command } from '../../command.ts';
import { table, toJson } from '../../format.ts';
import { DEFAULT_DETECTOR, REGIME_RETURN_COLUMNS } from '../../../../shared/regimeChoices.ts';
import { DetectorChoice } from '../../../../shared/regimeContract.ts';

/** --detector, checked against the detectors there are; the default one when absent. */
export function detectorOption(raw: string | undefined): DetectorName {
  const name = raw ?? DEFAULT_DETECTOR;
  if (!(DETECTOR_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--detector must be one of ${DETECTOR_NAMES.join(', ')}, got "${name}"`);
  }
  return name as DetectorName;
}

/** The detector settings' flags of `regimen regimes` (the contract's fields, kebab-cased). */
const SETTING_FLAGS = {
  hysteresis: 'hysteresis',
  minDwell: 'min-dwell',
  jumpPenalty: 'jump-penalty',
  halflife: 'halflife',
} as const satisfies Record<keyof DetectorSettings, string>;
type SettingField = keyof DetectorSettings;
/** Which detector settings a command takes, and under which flag each. */
export type SettingFlags = Readonly<Partial<Record<SettingField, string>>>;

/**
 * The detector settings of the per-regime studies: their --min-dwell is the regime sets' own dwell, so the
 * detector's is --detector-min-dwell.
 */
export const STUDY_SETTING_FLAGS: SettingFlags = { ...SETTING_FLAGS, minDwell: 'detector-min-dwell' };

/** Bars a regime's parameter set stays in force once switched to, unless --min-dwell says otherwise. */
export const SET_MIN_DWELL = 5;

/** The per-regime studies' --min-dwell, told apart from the detector's --detector-min-dwell. */
export const SET_DWELL_HELP =
  `        [--min-dwell BARS: bars a regime's parameter set stays in force once switched to (default ${SET_MIN_DWELL});\n` +
  '         the detector holds its labels --detector-min-dwell bars instead]';

const flagsOf = (flags: SettingFlags) => Object.entries(flags) as [SettingField, string][];

/** The option specs of the detector settings a command takes. */
export function detectorSettingOptions(flags: SettingFlags) {
  return Object.fromEntries(flagsOf(flags).map(([, flag]) => [flag, { type: 'string' } as const]));
}

/** Help for the detector settings a command takes. */
export function detectorSettingsHelp(flags: SettingFlags): string {
  const help: Record<SettingField, string> = {
    hysteresis: 'P: lead in probability a new label needs, 0-1',
    minDwell: 'BARS: bars the detector holds a label at least',
    jumpPenalty: 'X: jump only, cost of a switch (default 12)',
    halflife:
      'BARS: jump only, volatility exponentially weighted (default: window mean);\n' +
      '         --halflife 2 --jump-penalty 5 --hysteresis 0.55 switches a fifth less than the HMM at its delay',
  };
  return flagsOf(flags)
    .map(([field, flag]) => `        [--${flag} ${help[field]}]`)
    .join('\n');
}

/**
 * The detector settings given by `flags`, checked as the contract checks a request's (a jump-only
 * setting on another detector, a value out of range): a usage error naming the flag. Absent: defaults.
 */
export function detectorSettingsFrom(
  args: ParsedArgs,
  detector: DetectorName,
  flags: SettingFlags,
): DetectorSettings {
  const settings: Partial<Record<SettingField, number>> = {};
  for (const [field, flag] of flagsOf(flags)) {
    const raw = stringOption(args, flag);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value))
      throw new UsageError(`--${flag} must be a number, got "${raw}"`);
    settings[field] = value;
  }
  const checked = DetectorChoice.safeParse({ detector, settings });
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const field = issue.path[1] as SettingField;
    const detail =
      issue.message === 'applies to the jump detector only'
        ? `${issue.message}, not ${detector}`
        : issue.message;
    throw new UsageError(`--${flags[field]} ${detail}, got ${settings[field]}`);
  }
  return settings;
}

/**
 * The bar size of bars read by loadBarsSource: --timeframe, or the cached timeframe it chose, else the
 * bar size a file's times show (a usage error when unclear).
 */
export function regimeTimeframe(
  args: ParsedArgs,
  { label, bars, timeframe }: TimedDataset<LoadedDataset>,
): Timeframe {
  if (timeframe !== NATIVE_TIMEFRAME) return timeframe;
  const given = timeframeOption(args);
  if (given !== undefined) return given;
  const inferred = inferTimeframe(bars.t);
  if (inferred.timeframe === null) {
    throw new UsageError(
      `cannot tell the bar size of ${label} (${inferred.label}); give --timeframe (${TIMEFRAMES.join(', ')})`,
    );
  }
  return inferred.timeframe;
}

const percent = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const basisPoints = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 1e4).toFixed(2)}bp`);

/** Labels as names, null during warm-up (the issue's flat arrays, one per axis, as long as the input). */
const labelsJson = (axis: RegimeAxisOutput, names: readonly string[]) =>
  Array.from(axis.label, (code) => (code === NO_LABEL ? null : names[code]!));

/**
 * Columns by name: an axis's label probabilities by label name, or the raw inputs that decided its label
 * by the detector's names for them (NaN, as in warm-up, prints as null).
 */
const columnsJson = (columns: readonly Float64Array[], names: readonly string[]) =>
  Object.fromEntries(names.map((name, k) => [name, Array.from(columns[k]!)]));

/** The detectors, one a line, the default marked with why it is the default. */
export const DETECTORS_HELP = DETECTOR_NAMES.map(
  (name) =>
    `        ${name.padEnd(6)} ${DETECTOR_SUMMARIES[name]}` +
    (name === DEFAULT_DETECTOR ? ' (default: the best volatility accuracy on planted regimes)' : ''),
).join('\n');

/** The settings given, by their flags ("halflife 2, jump-penalty 5"); empty when none was. */
export const settingsText = (settings: DetectorSettings, flags: SettingFlags): string =>
  Object.entries(settings)
    .map(([field, value]) => `${flags[field as SettingField]} ${value}`)
    .join(', ');

export const regimesCommand: Command = {
  usage:
    `(--csv FILE | --symbol SYM [--session regular|extended]) [--timeframe TF] [--start ISO] [--end ISO]\n` +
    `        [--detector ${DETECTOR_NAMES.join('|')}] [--json]\n` +
    `${DETECTORS_HELP}\n${detectorSettingsHelp(SETTING_FLAGS)}`,
  options: { ...BARS_SOURCE_OPTIONS, detector: { type: 'string' }, ...detectorSettingOptions(SETTING_FLAGS) },
  async run(args, io) {
    const name = detectorOption(stringOption(args, 'detector'));
    const settings = detectorSettingsFrom(args, name, SETTING_FLAGS);
    const source = await loadBarsSource(args, io);
    const bars = source.bars;
    const timeframe = regimeTimeframe(args, source);
    const detector = createDetector(name, timeframe, settings);
    const out = allocateRegimeOutput(detector.inputs, bars.t.length);
    detector.label(bars, out);
    if (args.values['json']) {
      io.out(
        toJson({
          detector: name,
          settings,
          timeframe,
          warmup: detector.warmup,
          t: Array.from(bars.t),
          ...Object.fromEntries(REGIME_AXES.map((axis) => [axis, labelsJson(out[axis], AXIS_LABELS[axis])])),
          probabilities: Object.fromEntries(
            REGIME_AXES.map((axis) => [axis, columnsJson(out[axis].probability, AXIS_LABELS[axis])]),
          ),
          inputs: Object.fromEntries(
            REGIME_AXES.map((axis) => [axis, columnsJson(out[axis].inputs, detector.inputs[axis])]),
          ),
        }),
      );
      return 0;
    }
    const n = bars.t.length;
    const given = Object.keys(settings).length === 0 ? '' : ` (${settingsText(settings, SETTING_FLAGS)})`;
    io.out(
      `${source.label}: ${n.toLocaleString('en-US')} ${timeframe} bars, detector ${name}${given}, ` +
        `warm-up ${detector.warmup.toLocaleString('en-US')} bars`,
    );
    if (n <= detector.warmup) {
      io.out(`No labels: the series is not longer than the warm-up.`);
      return 0;
    }
    for (const summary of summariseRegimes(bars, out)) {
      const names = AXIS_LABELS[summary.axis];
      io.out(`\n${summary.axis}`);
      io.out(
        table([
          [
            'regime',
            'time share',
            REGIME_RETURN_COLUMNS.meanReturn.label,
            REGIME_RETURN_COLUMNS.volatility.label,
            'typical bars',
            'spells',
            ...names.map((x) => `-> ${x}`),
          ],
          ...summary.labels.map((row, k) => [
            row.label,
            percent(row.share),
            basisPoints(row.meanReturn),
            basisPoints(row.volatility),
            Number.isNaN(row.typicalDuration) ? 'n/a' : String(row.typicalDuration),
            String(row.spells),
            ...summary.transitions[k]!.map(percent),
          ]),
        ]),
      );
      const note = orderNote(summary);
      if (note !== null) io.out(note);
    }
    return 0;
  },
};
