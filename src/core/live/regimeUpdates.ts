import type { BarValues } from '../data/validate.ts';
import type { RegimeDetector, RegimeStream } from '../regime/detector.ts';
import { AXIS_LABELS, allocateRegimeOutput, type RegimeOutput } from '../regime/labels.ts';
import { regimeName } from '../ml/learner/ledger.ts';

/**
 * When the live desk asks the learner whether the bot should change its parameters (issue 13 item 10):
 * on the first bar of a new regime of the live bars (the detector's streaming state, so each label is
 * point in time), and at least once a day of bar time. After a change is made, nothing is asked for
 * `minDwellMs` of bar time, so a regime that flaps back and forth makes at most one change per dwell;
 * once the dwell is over, a regime other than the one last asked about is asked about at once.
 */
export interface RegimeUpdateOptions {
  /** Ask at least this often (bar time, ms); default a day. */
  readonly checkEveryMs?: number;
  /** No other check for this long after a change was made (bar time, ms). */
  readonly minDwellMs: number;
  /**
   * Which label's change calls for a check (default both): a trader who trades trend may not want a
   * volatility flip alone to move the bot. The recommendation is still for the full trend/volatility regime.
   */
  readonly axis?: RegimeUpdateAxis;
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

const DAY_MS = 86_400_000;

export class RegimeUpdatePolicy {
  private readonly stream: RegimeStream;
  private readonly out: RegimeOutput;
  private readonly checkEveryMs: number;
  private checkedRegime: string | null = null;
  /** The watched axis's label at the last check (the full regime when both are watched). */
  private checkedKey: string | null = null;
  private lastCheck = -Infinity;
  private lastChange = -Infinity;
  /** The regime at the last bar seen. */
  regime: string | null = null;

  constructor(
    detector: RegimeDetector,
    private readonly options: RegimeUpdateOptions,
  ) {
    if (!(options.minDwellMs >= 0))
      throw new RangeError(`regime updates: minDwellMs must be >= 0, got ${options.minDwellMs}`);
    this.checkEveryMs = options.checkEveryMs ?? DAY_MS;
    if (!(this.checkEveryMs > 0))
      throw new RangeError(`regime updates: checkEveryMs must be > 0, got ${this.checkEveryMs}`);
    this.stream = detector.stream();
    this.out = allocateRegimeOutput(detector.inputs, 1);
  }

  /** A closed live bar: the check it calls for, or null. */
  onBar(bar: BarValues): UpdateTrigger | null {
    this.stream.update(bar.t, bar.o, bar.h, bar.l, bar.c, bar.v, this.out, 0);
    // Named as the learner names its strata, so the recommendation asked for is for this regime.
    const regime = regimeName(this.out, 0);
    this.regime = regime;
    // Inside the detector's warm-up there is no regime to recommend for, nor bars enough to.
    if (regime === null || bar.t - this.lastChange < this.options.minDwellMs) return null;
    const key = this.keyOf();
    const trigger: UpdateTrigger | null =
      key !== this.checkedKey
        ? { kind: 'regime-change', at: bar.t, from: this.checkedRegime, regime }
        : bar.t - this.lastCheck >= this.checkEveryMs
          ? { kind: 'daily', at: bar.t, regime }
          : null;
    if (trigger !== null) {
      this.lastCheck = bar.t;
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
