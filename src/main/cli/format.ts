/** Number formatting for the CLI's human-readable tables (JSON output is never formatted). */
import { formatProbability, metricDefinition } from '../../core/metrics/definitions.ts';
import {
  DEFAULT_TIME_ZONE_SETTING,
  isTimeZoneSetting,
  timeFormat,
  zoneOf,
  type TimeFormat,
} from '../../shared/timeZone.ts';
import { stringOption, UsageError, type ParsedArgs } from './args.ts';

/**
 * The zone of `--tz` (exchange, utc, local or an IANA name), the app's Settings choice, so times read
 * the same in both; human tables name it in their headers. JSON keeps epoch milliseconds.
 */
export function timeFormatFrom(args: ParsedArgs): TimeFormat {
  const raw = stringOption(args, 'tz') ?? DEFAULT_TIME_ZONE_SETTING;
  const setting = raw.toLowerCase();
  if (isTimeZoneSetting(setting)) return timeFormat(zoneOf(setting));
  try {
    return timeFormat(raw);
  } catch {
    throw new UsageError(
      `--tz must be exchange, utc, local or an IANA time zone such as Europe/London, got "${raw}"`,
    );
  }
}

/** A metric's name for people (the catalogue's label), the key itself for a value the catalogue lacks. */
export function metricLabel(key: string): string {
  const [metric = key, slice] = key.split('@');
  const label = metricDefinition(metric)?.label;
  return label === undefined ? key : slice === undefined ? label : `${label} @ ${slice}`;
}

/**
 * One formatter per number of decimals: `toLocaleString` with options builds a new Intl.NumberFormat on
 * every call, which made printing a study's tables a measurable part of a small study's run.
 */
const DECIMALS = new Map<number, Intl.NumberFormat>();

/** A whole number with thousands separators: 1,234,567. */
export function formatCount(value: number): string {
  return formatDecimal(value, 0);
}

/** Rounded to `digits` decimals with thousands separators, so float noise (797.5509999999988) never shows. */
export function formatDecimal(value: number, digits: number): string {
  let format = DECIMALS.get(digits);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
    DECIMALS.set(digits, format);
  }
  return format.format(value);
}

/** A share as a percentage to a tenth ("n/a" where undefined), with its 95 % interval: "29.1 % [22.0 %, 36.2 %]". */
export function formatShareInterval(value: number, interval: { lower: number; upper: number }): string {
  const percent = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');
  return `${percent(value)} [${percent(interval.lower)}, ${percent(interval.upper)}]`;
}

/** A metric by the catalogue's `format`; a value outside the catalogue as a plain number, up to 4 decimals. */
export function formatMetric(key: string, value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  // A symbol's or timeframe's metric (`sharpeRatio@GOOG`) is shown as the metric it is.
  switch (metricDefinition(key.split('@')[0] ?? key)?.format) {
    case 'percent':
    case 'signedPercent':
      return `${(value * 100).toFixed(2)}%`;
    case 'probability':
      return formatProbability(value);
    case 'count':
      return Number.isInteger(value) ? formatCount(value) : formatDecimal(value, 2);
    case 'money':
    case 'decimal':
    case 'duration':
      // Durations stay plain numbers in a column; the label names their unit, e.g. "(days)".
      return formatDecimal(value, 2);
    case 'ratio':
      return formatDecimal(value, 4);
    default:
      return formatDecimal(value, Math.abs(value) >= 1000 ? 2 : 4);
  }
}

/** Columns two spaces apart: the first left-aligned, the others right-aligned (numbers) unless `leftAligned`. */
export function table(rows: readonly (readonly string[])[], leftAligned = false): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) =>
          col === 0 || leftAligned ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A progress meter, `[####......]`, for a fraction in [0, 1]. */
export function meter(fraction: number, width: number): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** JSON with NaN and ±Infinity as null (JSON has no spelling for them). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}
