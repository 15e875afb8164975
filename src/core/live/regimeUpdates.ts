import { daysFromCivil, etDays, etMinuteOfDay, isTradingDayNumber } from '../data/calendar.ts';
import type { BarValues } from '../data/validate.ts';
import type { RegimeDetector, RegimeStream } from '../regime/detector.ts';
import { AXIS_LABELS, allocateRegimeOutput, type RegimeOutput } from '../regime/labels.ts';
import { regimeName } from '../ml/learner/ledger.ts';

/**
 * When the live desk asks the learner whether the bot should change its parameters (issue 13 item 10):
 * on the first bar of a new regime of the live bars (the detector's streaming state, so each label is
 * point in time), and once a day at a time of day in the market's zone (the first bar at or after it; by
 * default 09:00 New York, before the open, on the exchange's trading days only). After a change is made, nothing is asked for
 * `minDwellMs` of bar time, so a regime that flaps back and forth makes at most one change per dwell;
 * once the dwell is over, a regime other than the one last asked about is asked about at once.
 */
export interface RegimeUpdateOptions {
  /** When the daily check runs (default DEFAULT_DAILY_CHECK). */
  readonly daily?: DailyCheck;
  /** No other check for this long after a change was made (bar time, ms). */
  readonly minDwellMs: number;
  /**
   * Which label's change calls for a check (default both): a trader who trades trend may not want a
   * volatility flip alone to move the bot. The recommendation is still for the full trend/volatility regime.
   */
  readonly axis?: RegimeUpdateAxis;
}

/** The daily check: the first bar at or after a time of day in a zone, at most once per local day. */
export interface DailyCheck {
  /** Minutes after midnight in `timeZone` (09:00 is 540). */
  readonly atMinute: number;
  /** An IANA zone: the market's (America/New_York for the exchange). */
  readonly timeZone: string;
  /** Only on the exchange's trading days (weekends and exchange holidays skipped); false: every day. */
  readonly tradingDaysOnly: boolean;
}

export const EXCHANGE_ZONE = 'America/New_York';
export const DEFAULT_DAILY_CHECK: DailyCheck = {
  atMinute: 9 * 60,
  timeZone: EXCHANGE_ZONE,
  tradingDaysOnly: true,
};

/** Minutes after midnight of an "HH:MM" (24 h) time, or undefined when it is not one. */
export function minuteOfTimeOfDay(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}

/** The local calendar day (days since 1970-01-01) and minute of the day of instant `t` in a zone. */
export function zonedClock(timeZone: string): (t: number) => { day: number; minute: number } {
  // The exchange's own zone by the exchange calendar's arithmetic: no formatter per bar.
  if (timeZone === EXCHANGE_ZONE) return (t) => ({ day: etDays(t), minute: Math.floor(etMinuteOfDay(t)) });
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  return (t) => {
    const part: Record<string, number> = {};
    for (const { type, value } of format.formatToParts(t)) part[type] = Number(value);
    return {
      day: daysFromCivil(part['year']!, part['month']!, part['day']!),
      minute: part['hour']! * 60 + part['minute']!,
    };
  };
}

/** Whether `name` is a time zone this runtime knows (IANA). */
export function isTimeZone(name: string): boolean {
  try {
    zonedClock(name);
    return true;
  } catch {
    return false;
  }
}

export const REGIME_UPDATE_AXES = ['both', 'trend', 'volatility'] as const;
export type RegimeUpdateAxis = (typeof REGIME_UPDATE_AXES)[number];

export type UpdateTrigger =
  | {
      readonly kind: 'regime-change';
      /** Time of the bar the new regime was first seen on. */
      readonly at: number;
      /** The regime the last check was made in (null: none yet). */
      readonly from: string | null;
      readonly regime: string;
    }
  | { readonly kind: 'daily'; readonly at: number; readonly regime: string };

export class RegimeUpdatePolicy {
  private readonly stream: RegimeStream;
  private readonly out: RegimeOutput;
  private readonly daily: DailyCheck;
  private readonly clock: (t: number) => { day: number; minute: number };
  /** The local day whose daily check was made (or passed inside a dwell). */
  private dailyDone = -Infinity;
  private checkedRegime: string | null = null;
  /** The watched axis's label at the last check (the full regime when both are watched). */
  private checkedKey: string | null = null;
  private lastChange = -Infinity;
  /** The regime at the last bar seen. */
  regime: string | null = null;

  constructor(
    detector: RegimeDetector,
    private readonly options: RegimeUpdateOptions,
  ) {
    if (!(options.minDwellMs >= 0))
      throw new RangeError(`regime updates: minDwellMs must be >= 0, got ${options.minDwellMs}`);
    this.daily = options.daily ?? DEFAULT_DAILY_CHECK;
    if (!(Number.isInteger(this.daily.atMinute) && this.daily.atMinute >= 0 && this.daily.atMinute < 24 * 60))
      throw new RangeError(
        `regime updates: the daily check's minute must be in [0, 1440), got ${this.daily.atMinute}`,
      );
    try {
      this.clock = zonedClock(this.daily.timeZone);
    } catch {
      throw new RangeError(
        `regime updates: "${this.daily.timeZone}" is not a time zone (IANA, e.g. America/New_York)`,
      );
    }
    this.stream = detector.stream();
    this.out = allocateRegimeOutput(detector.inputs, 1);
  }

  /** A closed live bar: the check it calls for, or null. */
  onBar(bar: BarValues): UpdateTrigger | null {
    this.stream.update(bar.t, bar.o, bar.h, bar.l, bar.c, bar.v, this.out, 0);
    // Named as the learner names its strata, so the recommendation asked for is for this regime.
    const regime = regimeName(this.out, 0);
    this.regime = regime;
    const { day, minute } = this.clock(bar.t);
    // Today's check is due from its time on; a day the exchange is shut has none.
    const dailyDue =
      day !== this.dailyDone &&
      minute >= this.daily.atMinute &&
      (!this.daily.tradingDaysOnly || isTradingDayNumber(day));
    // Inside a dwell the day's check is passed, not put off to a later hour of the day.
    if (dailyDue && bar.t - this.lastChange < this.options.minDwellMs) this.dailyDone = day;
    // Inside the detector's warm-up there is no regime to recommend for, nor bars enough to.
    if (regime === null || bar.t - this.lastChange < this.options.minDwellMs) return null;
    const key = this.keyOf();
    const trigger: UpdateTrigger | null =
      key !== this.checkedKey
        ? { kind: 'regime-change', at: bar.t, from: this.checkedRegime, regime }
        : dailyDue
          ? { kind: 'daily', at: bar.t, regime }
          : null;
    if (trigger !== null) {
      // A regime change's check after the day's time is that day's check too.
      if (dailyDue) this.dailyDone = day;
      this.checkedRegime = regime;
      this.checkedKey = key;
    }
    return trigger;
  }

  private keyOf(): string {
    const axis = this.options.axis ?? 'both';
    if (axis === 'both') return this.regime!;
    // Called once the regime is named, so both axes have a label.
    return AXIS_LABELS[axis][this.out[axis].label[0]!]!;
  }

  /** A check led to a change taking effect at bar time `at`: the dwell starts. */
  changed(at: number): void {
    this.lastChange = at;
  }
}
