import { TIMEFRAME_MINUTES } from '../data/bars.ts';
import type { FeatureState } from './features.ts';
import type { RegimeAxis, RegimeInputNames } from './labels.ts';
import { ModelDetector, type ModelDetectorOptions } from './modelDetector.ts';
import { JumpModel, type AxisModel } from './models.ts';

export interface JumpDetectorOptions extends ModelDetectorOptions {
  /** Cost of a switch in units of the fit window's variance. Default 12. */
  readonly jumpPenalty?: number;
  /**
   * Half-life in bars of the volatility feature's exponentially weighted mean of squared returns (the
   * windows' volatilityHalflife); absent: the plain mean over the short window.
   */
  readonly halflife?: number;
}

/** An online statistical jump model per axis: the jump penalty is its persistence, forward recursion only. */
export class JumpDetector extends ModelDetector {
  readonly name = 'jump' as const;
  readonly inputs: RegimeInputNames;
  readonly jumpPenalty: number;

  constructor(options: JumpDetectorOptions) {
    // Intraday fits dominate its cost (about 80 % at weekly refits on 1m), so it refits every ten days:
    // within the 3 s per million one-minute bars of issue 11 item 5, for five more sessions of warm-up.
    const intraday = TIMEFRAME_MINUTES[options.timeframe] < TIMEFRAME_MINUTES['1d'];
    const { halflife, ...rest } = options;
    if (halflife !== undefined && !(halflife > 0 && Number.isFinite(halflife)))
      throw new RangeError(`jump: halflife must be a number of bars > 0, got ${halflife}`);
    const ewma = halflife === undefined ? {} : { windows: { ...rest.windows, volatilityHalflife: halflife } };
    super({ ...(intraday ? { refitDays: 10 } : {}), ...rest, ...ewma }, { hysteresis: 0, minDwell: 1 });
    const volatility = this.windows.volatilityHalflife ? 'ewmaLogVolatility' : 'logVolatility';
    this.inputs = { trend: ['trendScore'], volatility: [volatility], volume: ['logVolume'] };
    // From the delay-against-switches curve of `npm run bench -- regime` (planted two-state volatility):
    // 8 matches the unpenalised HMM filter's median delay with as many switches; 12 makes 39 % fewer
    // for 1.6 bars more delay and has the best balanced accuracy of the curve (with 16).
    this.jumpPenalty = options.jumpPenalty ?? 12;
    if (!(this.jumpPenalty >= 0))
      throw new RangeError(`jump: jumpPenalty must be >= 0, got ${this.jumpPenalty}`);
  }

  createModel(axis: RegimeAxis): AxisModel {
    return new JumpModel({
      states: this.states[axis],
      maxWindow: this.windows.history,
      jumpPenalty: this.jumpPenalty,
    });
  }

  observe(axis: RegimeAxis, f: FeatureState): number {
    if (axis === 'trend') return f.trendScore;
    if (axis === 'volume') return f.logVolume;
    return this.windows.volatilityHalflife ? f.ewmaLogVolatility : f.logVolatility;
  }
}
