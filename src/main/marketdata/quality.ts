import { isCalendarTimeframe, TIMEFRAMES, type Bars, type Timeframe } from '../../core/data/bars.ts';
import {
  assessQuality,
  repairBars,
  type QualityOptions,
  type QualityReport,
} from '../../core/data/quality.ts';
import { InputError, NotFoundError } from '../../shared/errors.ts';
import { BarsRepository } from '../store/barsRepository.ts';
import type { Database } from '../store/database.ts';

export interface QualityRequest {
  readonly symbol: string;
  /** Defaults to the finest timeframe stored for the symbol. */
  readonly timeframe?: string;
  /** Drop unusable bars and record the gaps in bar_gaps; never adds a bar. */
  readonly repair?: boolean;
}

export interface QualityResult {
  readonly report: QualityReport;
  readonly repair?: QualityRepair;
}

/** What a repair did: bars dropped (of them, those from when the market was closed) and gaps marked. */
export interface QualityRepair {
  readonly droppedBars: number;
  readonly gapsMarked: number;
  /** Bars dropped for falling when the symbol's market is closed (an FX weekend). */
  readonly closedMarketBars: number;
  /** The times of the first CLOSED_TIMES_LISTED of them, in order. */
  readonly closedMarketTimes: readonly number[];
}

/** Closed-market bars a repair names by time; the count stays complete. */
export const CLOSED_TIMES_LISTED = 50;

/** Runs the assessment: the services hand it to the compute pool; the CLI runs it in process. */
export type QualityAssessor = (bars: Bars, options: QualityOptions) => Promise<QualityReport>;

export const assessInProcess: QualityAssessor = async (bars, options) => assessQuality(bars, options);

const isCoreTimeframe = (tf: string): tf is Timeframe => (TIMEFRAMES as readonly string[]).includes(tf);

/** The quality report of one cached symbol and timeframe (see core/data/quality.ts), with optional repair. */
export function checkQuality(
  db: Database,
  request: QualityRequest,
  assess: QualityAssessor = assessInProcess,
): Promise<QualityResult> {
  // A repair reads, decides and deletes as one unit on the connection, so a fetch cannot replace a bar
  // between the read and the delete (the repair would then drop the good new bar).
  return request.repair
    ? db.exclusive(() => assessAndRepair(db, request, assess))
    : assessAndRepair(db, request, assess);
}

async function assessAndRepair(
  db: Database,
  request: QualityRequest,
  assess: QualityAssessor,
): Promise<QualityResult> {
  const repo = new BarsRepository(db);
  const stored = await repo.storedTimeframes(request.symbol);
  if (stored.length === 0) throw new NotFoundError(`No bars stored for symbol "${request.symbol}"`, 'symbol');
  const timeframe =
    request.timeframe ?? [...TIMEFRAMES, ...stored].find((tf) => stored.includes(tf)) ?? stored[0]!;
  let bars: Bars;
  if (isCoreTimeframe(timeframe)) {
    bars = await repo.read(request.symbol, timeframe);
  } else if (stored.includes(timeframe)) {
    const rows = await db.all<{ t: number; o: number; h: number; l: number; c: number; v: number }>(
      `SELECT ts::DOUBLE AS t, open AS o, high AS h, low AS l, close AS c, volume AS v FROM bars
       WHERE symbol = $symbol AND timeframe = $timeframe ORDER BY ts`,
      { symbol: request.symbol, timeframe },
    );
    const column = (key: 't' | 'o' | 'h' | 'l' | 'c' | 'v'): Float64Array =>
      Float64Array.from(rows, (r) => r[key]);
    bars = { t: column('t'), o: column('o'), h: column('h'), l: column('l'), c: column('c'), v: column('v') };
  } else {
    throw new NotFoundError(
      `"${request.symbol}" has no ${timeframe} bars (stored: ${stored.join(', ')})`,
      'timeframe',
    );
  }
  // Weeks and months have no session grid for a repair to mark gaps against.
  const calendarTimeframe = isCoreTimeframe(timeframe) && !isCalendarTimeframe(timeframe) ? timeframe : null;
  const { calendar } = await repo.calendarOf(request.symbol);
  const report = await assess(bars, {
    symbol: request.symbol,
    timeframe: isCoreTimeframe(timeframe) ? timeframe : null,
    calendar,
    ...(request.repair ? { maxProblems: 1_000_000 } : {}),
  });
  if (!request.repair) return { report };
  if (!stored.includes(timeframe)) {
    throw new InputError(
      `${timeframe} bars of "${request.symbol}" are derived from its stored ${stored.join(' and ')} bars: repair those instead`,
      'timeframe',
    );
  }
  const repaired = repairBars(bars, calendarTimeframe, calendar);
  const closedTimes = repaired.dropped
    .filter((d) => d.reason === 'closed-market')
    .map((d) => bars.t[d.row]!)
    .sort((a, b) => a - b);
  const gaps = report.problems.filter((p) => p.kind === 'gap');
  await db.transaction(async () => {
    for (const { row } of repaired.dropped) {
      await db.run('DELETE FROM bars WHERE symbol = $symbol AND timeframe = $timeframe AND ts = $ts', {
        symbol: request.symbol,
        timeframe,
        ts: bars.t[row]!,
      });
    }
    for (const gap of gaps) {
      await db.run(
        `INSERT OR REPLACE INTO bar_gaps VALUES ($symbol, $timeframe, $start, $end, $missing, $reason, now())`,
        {
          symbol: request.symbol,
          timeframe,
          start: gap.t,
          end: gap.endT ?? gap.t,
          missing: gap.count ?? 0,
          reason: gap.message,
        },
      );
    }
  });
  return {
    report,
    repair: {
      droppedBars: repaired.dropped.length,
      gapsMarked: gaps.length,
      closedMarketBars: closedTimes.length,
      closedMarketTimes: closedTimes.slice(0, CLOSED_TIMES_LISTED),
    },
  };
}
