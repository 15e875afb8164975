/**
 * The one way to get bars for a computation, from a file or from the cache: every backtest, study,
 * walk-forward and CLI command loads its data here, and the dataset's id is a content fingerprint
 * computed in one place. Workers keep prepared datasets by that id, and remote workers will use it as
 * the content address of the bars, so equal ids mean equal bars whatever the source.
 */
import { basename } from 'node:path';
import {
  firstIndexAtOrAfter,
  isCalendarTimeframe,
  sliceBars,
  toSharedBars,
  TIMEFRAMES,
  type Bars,
  type BarsExtra,
  type Timeframe,
} from '../../core/data/bars.ts';
import { inferAssetCalendar, isDaySpaced, utcDayStamp } from '../../core/data/assetCalendar.ts';
import { parseBarsCsv } from '../../core/data/csv/read.ts';
import { resampleBars, resampleDays } from '../../core/data/resample.ts';
import { InputError, NotFoundError } from '../../shared/errors.ts';
import { cachedSpanText, rangeText } from '../../shared/rangeText.ts';
import { NATIVE_TIMEFRAME } from '../../shared/schemas.ts';
import { timeframeSource } from '../../shared/timeframeSources.ts';
import { datasetFingerprint } from '../compute/fingerprint.ts';
import type { DatasetRef } from '../compute/tasks.ts';
import type { BarsRange, BarsRepository } from '../store/barsRepository.ts';
import { readTextFile, timeframeSpanMs } from './importer.ts';

// Computed where remote workers can check it too (compute/ imports neither marketdata nor storage).
export { datasetFingerprint };

/** Where bars come from: a CSV file read as it is, or the cache by symbol. Stored with studies as JSON. */
export type BarsSource =
  { readonly kind: 'file'; readonly path: string } | { readonly kind: 'cache'; readonly symbol: string };

export { NATIVE_TIMEFRAME };

/**
 * Where cached bars are read from: the repository, or a client of a process that owns the folder. Its
 * list says what span is stored when a range has too few bars.
 */
export type BarsReader = Pick<BarsRepository, 'read' | 'list'>;

/** The time range (start inclusive, end exclusive; absent bounds are open) and, for the cache, the session. */
export type DatasetRange = Pick<BarsRange, 'start' | 'end' | 'session'>;

/** Bars ready for the compute pool (in shared memory), with what the commands show beside them. */
export interface LoadedDataset extends DatasetRef {
  /** The file name, or "SYM 1m". */
  readonly label: string;
  /** A file's extra columns over the same bars (native timeframe only; empty for the cache). */
  readonly extra: BarsExtra;
}

/** Loads one dataset: `loadDatasets` for a single timeframe. */
export async function loadDataset(
  source: BarsSource,
  timeframe: string,
  range: DatasetRange,
  repo: BarsReader | null,
): Promise<LoadedDataset> {
  const [dataset] = await loadDatasets(source, [timeframe], range, repo);
  return dataset!;
}

/**
 * Loads the source's bars in the range once per timeframe: a file is read and validated once, then used
 * as it is ('native') or resampled; the cache is read per timeframe. Fewer than two bars is an error
 * naming the source, since nothing can be computed on them.
 */
export async function loadDatasets(
  source: BarsSource,
  timeframes: readonly string[],
  range: DatasetRange,
  repo: BarsReader | null,
): Promise<LoadedDataset[]> {
  const out: LoadedDataset[] = [];
  if (source.kind === 'file') {
    const label = basename(source.path);
    let text: string;
    try {
      text = await readTextFile(source.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new NotFoundError(`cannot read ${source.path}: ${code}`, 'path');
    }
    const parsed = parseBarsCsv(text, { source: label });
    const fileBars = cryptoDaysAtUtc(parsed.bars, label);
    const { t } = fileBars;
    const from = range.start === undefined ? 0 : firstIndexAtOrAfter(t, range.start);
    const to = range.end === undefined ? t.length : firstIndexAtOrAfter(t, range.end);
    const raw = sliceBars(fileBars, from, to);
    const fileTimeframe = parsed.spacing.label;
    for (const timeframe of timeframes) {
      const native = timeframe === NATIVE_TIMEFRAME;
      if (!native && !isTimeframe(timeframe))
        throw new InputError(
          `"${timeframe}" is not a timeframe (use ${TIMEFRAMES.join(', ')} or native)`,
          'timeframe',
        );
      if (!native) refuseFiner(label, fileTimeframe, timeframe);
      const bars = native || timeframe === fileTimeframe ? raw : resampleFile(raw, fileTimeframe, timeframe);
      const extra: BarsExtra = {};
      if (native) {
        for (const key of ['vwap', 'tradeCount', 'adjClose'] as const) {
          const column = parsed.extra[key];
          if (column !== undefined) extra[key] = column.subarray(from, to);
        }
      }
      out.push(dataset(bars, native ? label : `${label} ${timeframe}`, timeframe, extra, range, 'path'));
    }
    return out;
  }
  if (repo === null) throw new Error(`no bar cache is open to read ${source.symbol} from`);
  for (const timeframe of timeframes) {
    if (!isTimeframe(timeframe))
      throw new InputError(
        `"${timeframe}" is not a timeframe of the cache (use ${TIMEFRAMES.join(', ')})`,
        'timeframe',
      );
    const bars = await repo.read(source.symbol, timeframe, range);
    const label = `${source.symbol} ${timeframe}`;
    const stored =
      bars.t.length < 2
        ? cachedSpanText(label, timeframe, await cachedSpan(repo, source.symbol, timeframe))
        : null;
    out.push(dataset(bars, label, timeframe, {}, range, 'symbol', stored));
  }
  return out;
}

/** A ranged dataset read with history before its start: `from` is its first bar at or after the start. */
export interface DatasetFrom {
  readonly dataset: LoadedDataset;
  readonly from: number;
}

/**
 * The range's bars preceded by up to `barsBefore` bars of the same timeframe (and session) before its
 * start, fewer when the source has fewer; nothing after the range's end is read.
 */
export async function loadDatasetWithHistory(
  source: BarsSource,
  timeframe: string,
  range: DatasetRange,
  repo: BarsReader | null,
  barsBefore: number,
): Promise<DatasetFrom> {
  const start = range.start;
  if (start === undefined || barsBefore <= 0)
    return { dataset: await loadDataset(source, timeframe, range, repo), from: 0 };
  let first = start;
  if (source.kind === 'cache') {
    if (repo === null) throw new Error(`no bar cache is open to read ${source.symbol} from`);
    const before = await repo.read(source.symbol, timeframe as Timeframe, {
      end: start,
      limit: barsBefore,
      ...(range.session === undefined ? {} : { session: range.session }),
    });
    if (before.t.length > 0) first = before.t[0]!;
  } else {
    // A file is read whole anyway; its bars are counted in the timeframe asked for (resampled or not).
    const all = await loadDataset(source, timeframe, { end: range.end }, null);
    first = all.bars.t[Math.max(0, firstIndexAtOrAfter(all.bars.t, start) - barsBefore)]!;
  }
  const dataset = await loadDataset(source, timeframe, { ...range, start: Math.min(first, start) }, repo);
  return { dataset, from: firstIndexAtOrAfter(dataset.bars.t, start) };
}

/**
 * The range's bars with as many bars before its start as a strategy's warm-up takes, so a run from the
 * start trades from its first bar with indicators computed on the history before it (as a study's
 * holdout is). `startOf` is the first bar the strategy would trade on a dataset (its StrategyPlots
 * startIndex, asked of a worker): read that many bars before the start, again while it still lands
 * after the start (a warm-up longer than the range itself, or one that shifts with the data). When
 * the source has no more bars before the start, `from` is less than the warm-up: the run then warms up
 * inside the range, as the result's tradingFrom shows.
 */
export async function loadWarmedDataset(
  source: BarsSource,
  timeframe: string,
  range: DatasetRange,
  repo: BarsReader | null,
  startOf: (dataset: DatasetRef) => Promise<number>,
): Promise<DatasetFrom> {
  let warmed = await loadDatasetWithHistory(source, timeframe, range, repo, 0);
  if (range.start === undefined) return warmed;
  let asked = 0;
  for (;;) {
    const start = await startOf(warmed.dataset);
    if (start <= warmed.from || warmed.from < asked) return warmed;
    const n = warmed.dataset.bars.t.length;
    // A start clamped at the last bar says only that the warm-up is longer than these bars.
    asked = start < n ? start : 2 * n;
    warmed = await loadDatasetWithHistory(source, timeframe, range, repo, asked);
  }
}

/**
 * The span of a cached symbol's bars a timeframe is read from (itself, or the finer one it is made of),
 * null when none is stored.
 */
async function cachedSpan(
  repo: BarsReader,
  symbol: string,
  timeframe: Timeframe,
): Promise<{ start: number; end: number } | null> {
  const rows = (await repo.list()).filter((row) => row.symbol === symbol);
  const source = timeframeSource(
    rows.map((row) => row.timeframe),
    timeframe,
    rows[0]?.calendar,
  );
  return rows.find((row) => row.timeframe === source) ?? null;
}

/**
 * Fewer than two bars is the caller's choice: of the range when one was given (`start`), else of the
 * source itself (`whole`: the symbol or the file). The range is said as the person typed it (see
 * rangeText) and, for the cache, beside what is stored (`stored`), so the next range can be chosen.
 */
function dataset(
  bars: Bars,
  label: string,
  timeframe: string,
  extra: BarsExtra,
  range: DatasetRange,
  whole: 'symbol' | 'path',
  stored: string | null = null,
): LoadedDataset {
  if (bars.t.length < 2) {
    const ranged = range.start !== undefined || range.end !== undefined;
    throw new InputError(
      `${label}: fewer than 2 ${timeframe} bars ${rangeText(range.start, range.end)} (found ${bars.t.length})` +
        (stored === null ? '' : `; ${stored}`),
      ranged ? 'start' : whole,
    );
  }
  return { id: datasetFingerprint(bars), bars: toSharedBars(bars), label, extra };
}

/**
 * A crypto file's day (week, month) bars stamped at 00:00 UTC of their dates, as an import stores them
 * (utcDayStamp): a date-only file is read at 00:00 New York, but a market that never closes has UTC days.
 * Other files' bars are returned as they are.
 */
function cryptoDaysAtUtc(bars: Bars, label: string): Bars {
  if (!isDaySpaced(bars.t) || inferAssetCalendar(bars.t) !== 'crypto') return bars;
  const t = bars.t.map(utcDayStamp);
  for (let i = 1; i < t.length; i++) {
    if (t[i]! <= t[i - 1]!) {
      throw new InputError(
        `${label}: rows ${i} and ${i + 1} fall on ${new Date(t[i]!).toISOString().slice(0, 10)}: crypto day bars are stamped at 00:00 UTC of their date, one bar a date`,
        'path',
      );
    }
  }
  return { ...bars, t };
}

/**
 * Bars resample to coarser timeframes only. Asked for a finer one, the resampler had nothing to split
 * the bars with: a day file's bars, stamped at midnight outside every session, came back as none
 * ("GOOG.csv 1h: fewer than 2 1h bars in all (found 0)"), which said nothing of why.
 */
function refuseFiner(label: string, fileTimeframe: string, timeframe: Timeframe): void {
  const fileMs = timeframeSpanMs(fileTimeframe);
  const span = (tf: Timeframe): number => timeframeSpanMs(tf) ?? 0;
  if (fileMs === null || span(timeframe) >= fileMs) return;
  const coarser = TIMEFRAMES.filter((tf) => span(tf) >= fileMs);
  throw new InputError(
    `${label} holds ${fileTimeframe} bars, so it has no ${timeframe} bars: bars resample to coarser ` +
      `timeframes only (${[...coarser, NATIVE_TIMEFRAME].join(', ')})`,
    'timeframe',
  );
}

/**
 * A file's bars in a coarser timeframe: weeks and months of a daily file are made of its days (the
 * session resampler would drop day bars stamped at midnight, outside any session); intraday bars are
 * resampled by the session rules of the calendar the bars show.
 */
function resampleFile(raw: Bars, fileTimeframe: string, timeframe: Timeframe): Bars {
  if (fileTimeframe === '1d' && isCalendarTimeframe(timeframe)) return resampleDays(raw, timeframe);
  // A file has no stored calendar: its timestamps tell (EURUSD's FX days are not cut to NYSE hours).
  return resampleBars(raw, timeframe, { calendar: inferAssetCalendar(raw.t) });
}

const isTimeframe = (timeframe: string): timeframe is Timeframe =>
  (TIMEFRAMES as readonly string[]).includes(timeframe);
