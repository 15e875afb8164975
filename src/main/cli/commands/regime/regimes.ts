import { TIMEFRAMES, type Bars, type Timeframe } from '../../../../core/data/bars.ts';
import { inferTimeframe } from '../../../../core/data/timeframe.ts';
import {
  allocateRegimeOutput,
  AXIS_LABELS,
  createDetector,
  DETECTOR_NAMES,
  DETECTOR_SUMMARIES,
  NO_LABEL,
  REGIME_AXES,
  summariseRegimes,
  type DetectorName,
  type RegimeAxisOutput,
} from '../../../../core/regime/index.ts';
import { stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { BARS_SOURCE_OPTIONS, loadBarsSource } from '../../barsSource.ts';
import type { Command } from '../../command.ts';
import { table, toJson } from '../../format.ts';
import { DEFAULT_DETECTOR } from '../../../../shared/regimeChoices.ts';

/** --detector, checked against the detectors there are; the default one when absent. */
export function detectorOption(raw: string | undefined): DetectorName {
  const name = raw ?? DEFAULT_DETECTOR;
  if (!(DETECTOR_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--detector must be one of ${DETECTOR_NAMES.join(', ')}, got "${name}"`);
  }
  return name as DetectorName;
}

/** --timeframe, else 1m for cached bars, else the bar size a file's times show (a usage error when unclear). */
export function regimeTimeframe(args: ParsedArgs, label: string, bars: Bars): Timeframe {
  const given = stringOption(args, 'timeframe');
  if (given !== undefined) {
    if (!(TIMEFRAMES as readonly string[]).includes(given))
      throw new UsageError(`--timeframe must be one of ${TIMEFRAMES.join(', ')}, got "${given}"`);
    return given as Timeframe;
  }
  if (stringOption(args, 'symbol') !== undefined) return '1m';
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

/** Labels as names, null during warm-up; probabilities per label name, null where undefined. */
function axisJson(axis: RegimeAxisOutput, names: readonly string[]) {
  return {
    labels: Array.from(axis.label, (code) => (code === NO_LABEL ? null : names[code]!)),
    probability: Object.fromEntries(names.map((name, k) => [name, Array.from(axis.probability[k]!)])),
  };
}

export const regimesCommand: Command = {
  usage:
    `(--csv FILE | --symbol SYM --timeframe TF) [--detector ${DETECTOR_NAMES.join('|')}] [--json]\n` +
    DETECTOR_NAMES.map(
      (name) =>
        `        ${name.padEnd(6)} ${DETECTOR_SUMMARIES[name]}${name === DEFAULT_DETECTOR ? ' (default)' : ''}`,
    ).join('\n'),
  options: { ...BARS_SOURCE_OPTIONS, detector: { type: 'string' } },
  async run(args, io) {
    const name = detectorOption(stringOption(args, 'detector'));
    const source = await loadBarsSource(args);
    const bars = source.bars;
    const timeframe = regimeTimeframe(args, source.label, bars);
    const detector = createDetector(name, timeframe);
    const out = allocateRegimeOutput(detector.inputs, bars.t.length);
    detector.label(bars, out);
    if (args.values['json']) {
      io.out(
        toJson({
          detector: name,
          timeframe,
          warmup: detector.warmup,
          t: Array.from(bars.t),
          ...Object.fromEntries(REGIME_AXES.map((axis) => [axis, axisJson(out[axis], AXIS_LABELS[axis])])),
        }),
      );
      return 0;
    }
    const n = bars.t.length;
    io.out(
      `${source.label}: ${n.toLocaleString('en-US')} ${timeframe} bars, detector ${name}, ` +
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
            'mean return/bar',
            'volatility/bar',
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
    }
    return 0;
  },
};
