import { OrderType, Sizing, type OrderPort } from '../strategy-api/order-port.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type {
  IndicatorPlot,
  Strategy,
  StrategyContext,
  StrategyDefinition,
  StrategyParams,
} from '../strategy-api/types.ts';

/** MFI lookback (bars): the customary 14, not tuned so the space stays at the twelve parameters. */
export const CONFLUENCE_MFI_PERIOD = 14;
/** ATR lookback (bars) of the stop distance. */
export const CONFLUENCE_ATR_PERIOD = 14;
/** Stop distance in ATRs below the entry. */
export const CONFLUENCE_STOP_ATR = 2;
/** Target distance in stop distances above the entry (reward : risk). */
export const CONFLUENCE_REWARD_RISK = 2;
/**
 * Weights of the confirming signals, in hundredths so sums compare exactly. Uneven on purpose: with
 * weights 30/25/25/20 the reachable scores (0, .2, .25, .3, .45, .5, .55, .7, .75, .8, 1) fall on both
 * sides of every confidence_threshold in 0.4-0.8, so the threshold always matters.
 */
export const CONFLUENCE_WEIGHTS = { macd: 30, mfi: 25, bollinger: 25, volume: 20 } as const;
/** What an entry records as confirmed (OrderPort.recordEntryReason's bits, in this order). */
export const CONFLUENCE_SIGNALS = ['SMA cross', 'MACD', 'volume', 'MFI', 'Bollinger'] as const;
const SIGNAL_CROSS = 1;
const SIGNAL_MACD = 2;
const SIGNAL_VOLUME = 4;
const SIGNAL_MFI = 8;
const SIGNAL_BOLLINGER = 16;

/**
 * Confluence: a long-only SMA crossover that only enters when enough independent signals agree.
 *
 * Indicators (all on close unless said): fast = SMA(fast_ma_period), slow = SMA(slow_ma_period);
 * MACD(macd_fast, macd_slow, macd_signal) line and signal (TA-Lib); volume ratio = volume / SMA(volume,
 * slow_ma_period), i.e. volume against its average over the trend window; MFI(14); Bollinger middle
 * SMA(bb_period) and population std(bb_period); ATR(14).
 *
 * Entry, at bar i's close when flat: the fast SMA crosses above the slow one (fast[i-1] <= slow[i-1] and
 * fast[i] > slow[i]) and the confidence score is at least confidence_threshold. The score is the weighted
 * share of confirming signals (weights in CONFLUENCE_WEIGHTS):
 * - MACD: line > signal (momentum agrees);
 * - volume: volume ratio >= volume_threshold (participation agrees);
 * - MFI: mfi_oversold < MFI < mfi_overbought (money is not leaving, and not exhausted);
 * - Bollinger: middle < close <= middle + bb_std x std (above the mean, not beyond the upper band).
 * Size: the stop distance is d = 2 x ATR(14) at the signal bar; units = risk_per_trade x equity / d, so a
 * stop-out at the stop price loses risk_per_trade of the equity at signal time (gaps through the stop,
 * slippage and commission add to it, and the engine's leverage/value/volume caps may shrink the size).
 * The order is a market buy with a stop-loss at fill - d and a take-profit at fill + 2 d.
 * Exit, at bar i's close when long: the fast SMA crosses below the slow one, or MFI >= mfi_overbought;
 * the stop and target are handled by the broker inside the bars.
 *
 * Every parameter changes some decision: the periods change their indicators, fast/slow also the crosses
 * and the volume average, mfi_overbought both the confirmation and the exit.
 */
class Confluence implements Strategy {
  private fast!: Float64Array;
  private slow!: Float64Array;
  private macd!: Float64Array;
  private signal!: Float64Array;
  private volume!: Float64Array;
  private mfi!: Float64Array;
  private middle!: Float64Array;
  private deviation!: Float64Array;
  private atr!: Float64Array;
  private close!: Float64Array;
  private cache!: IndicatorCache;
  private orders!: OrderPort;
  private p: StrategyParams;
  private threshold = 0;

  constructor(params: StrategyParams) {
    this.p = params;
  }

  init(context: StrategyContext): number {
    this.cache = context.indicators;
    this.close = context.bars.c;
    this.orders = context.orders;
    this.mfi = this.cache.mfi(CONFLUENCE_MFI_PERIOD);
    this.atr = this.cache.atr(CONFLUENCE_ATR_PERIOD);
    this.reparameterize(this.p);
    const p = this.p;
    // First bar where every input (and the previous bar's SMAs) exists; NaN comparisons are false anyway,
    // this only skips bars that could not trade.
    return Math.max(
      p.slow_ma_period,
      p.macd_slow + p.macd_signal - 2,
      CONFLUENCE_MFI_PERIOD,
      CONFLUENCE_ATR_PERIOD,
      p.bb_period - 1,
    );
  }

  reparameterize(p: StrategyParams): void {
    const cache = this.cache;
    this.p = p;
    // Compared in hundredths; the epsilon absorbs the decimal representation of e.g. 0.55.
    this.threshold = p.confidence_threshold * 100 - 1e-9;
    this.fast = cache.sma(p.fast_ma_period);
    this.slow = cache.sma(p.slow_ma_period);
    this.macd = cache.macdLine(p.macd_fast, p.macd_slow);
    this.signal = cache.macdSignal(p.macd_fast, p.macd_slow, p.macd_signal);
    this.volume = cache.volumeRatio(p.slow_ma_period);
    this.middle = cache.sma(p.bb_period);
    this.deviation = cache.std(p.bb_period);
  }

  onBar(i: number): void {
    const p = this.p;
    const f0 = this.fast[i - 1];
    const s0 = this.slow[i - 1];
    const f1 = this.fast[i];
    const s1 = this.slow[i];
    const units = this.orders.position;
    if (units > 0) {
      if ((f0 >= s0 && f1 < s1) || this.mfi[i] >= p.mfi_overbought) this.orders.close();
      return;
    }
    if (units !== 0 || !(f0 <= s0 && f1 > s1)) return;
    let score = 0;
    let signals = SIGNAL_CROSS;
    if (this.macd[i] > this.signal[i]) {
      score += CONFLUENCE_WEIGHTS.macd;
      signals |= SIGNAL_MACD;
    }
    if (this.volume[i] >= p.volume_threshold) {
      score += CONFLUENCE_WEIGHTS.volume;
      signals |= SIGNAL_VOLUME;
    }
    const mfi = this.mfi[i];
    if (mfi > p.mfi_oversold && mfi < p.mfi_overbought) {
      score += CONFLUENCE_WEIGHTS.mfi;
      signals |= SIGNAL_MFI;
    }
    const close = this.close[i];
    const middle = this.middle[i];
    if (close > middle && close <= middle + p.bb_std * this.deviation[i]) {
      score += CONFLUENCE_WEIGHTS.bollinger;
      signals |= SIGNAL_BOLLINGER;
    }
    if (score < this.threshold) return;
    const stopDistance = CONFLUENCE_STOP_ATR * this.atr[i];
    if (!(stopDistance > 0)) return;
    const size = (p.risk_per_trade * this.orders.equityAt(close)) / stopDistance;
    if (!(size > 0)) return;
    const id = this.orders.submit(1, OrderType.Market, Sizing.Units, size);
    this.orders.attachExits(id, stopDistance, CONFLUENCE_REWARD_RISK * stopDistance, NaN);
    this.orders.recordEntryReason(id, signals, score / 100);
  }

  plots(): readonly IndicatorPlot[] {
    const p = this.p;
    const n = this.middle.length;
    const upper = new Float64Array(n);
    const lower = new Float64Array(n);
    const histogram = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // The same expression onBar compares the close with, so the band drawn is the band tested.
      upper[i] = this.middle[i] + p.bb_std * this.deviation[i];
      lower[i] = this.middle[i] - p.bb_std * this.deviation[i];
      histogram[i] = this.macd[i] - this.signal[i];
    }
    const macd = `MACD ${p.macd_fast}/${p.macd_slow}/${p.macd_signal}`;
    return [
      { label: `SMA ${p.fast_ma_period}`, pane: 'price', style: 'line', values: this.fast },
      { label: `SMA ${p.slow_ma_period}`, pane: 'price', style: 'line', values: this.slow },
      { label: `BB ${p.bb_period} upper`, pane: 'price', style: 'line', values: upper },
      { label: `BB ${p.bb_period} middle`, pane: 'price', style: 'line', values: this.middle },
      { label: `BB ${p.bb_period} lower`, pane: 'price', style: 'line', values: lower },
      { label: 'MACD', pane: macd, style: 'line', values: this.macd },
      { label: 'signal', pane: macd, style: 'line', values: this.signal },
      { label: 'histogram', pane: macd, style: 'histogram', values: histogram },
      {
        label: `MFI ${CONFLUENCE_MFI_PERIOD}`,
        pane: 'MFI',
        style: 'line',
        values: this.mfi,
        levels: [p.mfi_oversold, p.mfi_overbought],
      },
    ];
  }
}

export const confluence: StrategyDefinition = {
  name: 'confluence',
  version: '1',
  description:
    'Long-only SMA crossover confirmed by MACD, volume, MFI and Bollinger position; risk-sized with ATR stops.',
  params: [
    {
      name: 'fast_ma_period',
      type: 'int',
      min: 5,
      max: 20,
      limits: { min: 1, max: 10000 },
      step: 1,
      default: 10,
      description: 'Fast SMA period',
    },
    {
      name: 'slow_ma_period',
      type: 'int',
      min: 15,
      max: 50,
      limits: { min: 2, max: 10000 },
      step: 1,
      default: 30,
      description: 'Slow SMA period',
    },
    {
      name: 'risk_per_trade',
      type: 'float',
      min: 0.005,
      max: 0.05,
      limits: { min: 0.0001, max: 1 },
      step: 0.005,
      default: 0.02,
      description: 'Share of equity lost when the stop is hit',
      interpolable: true,
    },
    {
      name: 'confidence_threshold',
      type: 'float',
      min: 0.4,
      max: 0.8,
      limits: { min: 0, max: 1 },
      step: 0.05,
      default: 0.6,
      description: 'Minimum weighted share of confirming signals to enter',
      interpolable: true,
    },
    {
      name: 'volume_threshold',
      type: 'float',
      min: 1.0,
      max: 3.0,
      limits: { min: 0.01, max: 100 },
      step: 0.1,
      default: 1.5,
      description: 'Volume / its average that confirms',
      interpolable: true,
    },
    {
      name: 'mfi_oversold',
      type: 'int',
      min: 10,
      max: 30,
      limits: { min: 0, max: 100 },
      step: 1,
      default: 20,
      description: 'MFI lower bound',
    },
    {
      name: 'mfi_overbought',
      type: 'int',
      min: 70,
      max: 90,
      limits: { min: 0, max: 100 },
      step: 1,
      default: 80,
      description: 'MFI upper bound; also exits',
    },
    {
      name: 'macd_fast',
      type: 'int',
      min: 8,
      max: 16,
      limits: { min: 1, max: 1000 },
      step: 1,
      default: 12,
      description: 'MACD fast EMA period',
    },
    {
      name: 'macd_slow',
      type: 'int',
      min: 20,
      max: 35,
      limits: { min: 2, max: 1000 },
      step: 1,
      default: 26,
      description: 'MACD slow EMA period',
    },
    {
      name: 'macd_signal',
      type: 'int',
      min: 5,
      max: 15,
      limits: { min: 1, max: 1000 },
      step: 1,
      default: 9,
      description: 'MACD signal period',
    },
    {
      name: 'bb_period',
      type: 'int',
      min: 15,
      max: 25,
      limits: { min: 2, max: 10000 },
      step: 1,
      default: 20,
      description: 'Bollinger period',
    },
    {
      name: 'bb_std',
      type: 'float',
      min: 1.5,
      max: 2.5,
      limits: { min: 0.1, max: 10 },
      step: 0.1,
      default: 2.0,
      description: 'Bollinger width in standard deviations',
      interpolable: true,
    },
  ],
  constraints: [
    { kind: 'less-than', left: 'fast_ma_period', right: 'slow_ma_period' },
    { kind: 'less-than', left: 'mfi_oversold', right: 'mfi_overbought' },
    { kind: 'less-than', left: 'macd_fast', right: 'macd_slow' },
  ],
  signals: CONFLUENCE_SIGNALS,
  convention: 'regimen',
  create: (params: StrategyParams) => new Confluence(params),
};
