import { OrderType, Sizing, type OrderPort } from '../strategy-api/order-port.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type {
  IndicatorPlot,
  Strategy,
  StrategyContext,
  StrategyDefinition,
  StrategyParams,
} from '../strategy-api/types.ts';

/** Entry reasons (bits of OrderPort.recordEntryReason), in SMA_CROSS_SIGNALS order. */
const CROSSED_ABOVE = 1;
const CROSSED_BELOW = 2;
const SMA_CROSS_SIGNALS = ['fast SMA crossed above slow', 'fast SMA crossed below slow'] as const;

/**
 * SMA crossover baseline: long when the fast SMA of close crosses above the slow one, short when it
 * crosses below (only flat with `longOnly`), all-in each time.
 *
 * Under the 'backtesting.py' convention, its default, it reproduces kernc/backtesting.py's SmaCross
 * example (`if crossover(sma1, sma2): position.close(); buy() elif crossover(sma2, sma1): position.close();
 * sell()`) with `Backtest(..., commission=c)`:
 * - market orders fill at the next bar's open; whole shares;
 * - size = floor(cash x (1 - 2.22e-16) / (open x (1 + c))), computed at the fill from the cash left
 *   after the closing order, which fills first (orders fill in submission order);
 * - commission = c x |size| x price on entry and on exit (a 'percent' commission of rate c);
 * - a cross is strict on both bars: fast[i-1] < slow[i-1] and fast[i] > slow[i];
 * - the first signal bar is the first whose previous bar has both SMAs (backtesting.py's warm-up skip);
 * - with `closeAtEnd` the open trade is closed at the last bar's open (backtesting.py's
 *   finalize_trades); orders still pending then are dropped, where backtesting.py would fill them too.
 * Under 'regimen' a cross is fast[i-1] <= slow[i-1] and fast[i] > slow[i] (a touch then a break counts)
 * and all-in means the whole equity.
 */
class SmaCross implements Strategy {
  private fast!: Float64Array;
  private slow!: Float64Array;
  private indicators!: IndicatorCache;
  private orders!: OrderPort;
  private strict = true;
  private longOnly = false;
  private fraction = 1;
  private params: StrategyParams;

  constructor(private readonly initial: StrategyParams) {
    this.params = initial;
  }

  init(context: StrategyContext): number {
    this.indicators = context.indicators;
    this.orders = context.orders;
    this.strict = context.options.convention === 'backtesting.py';
    this.longOnly = context.options.longOnly;
    this.fraction = context.options.allInFraction;
    this.reparameterize(this.initial);
    return this.initial.slow;
  }

  reparameterize(params: StrategyParams): void {
    this.params = params;
    this.fast = this.indicators.sma(params.fast);
    this.slow = this.indicators.sma(params.slow);
  }

  onBar(i: number): void {
    const f0 = this.fast[i - 1];
    const s0 = this.slow[i - 1];
    const f1 = this.fast[i];
    const s1 = this.slow[i];
    if ((this.strict ? f0 < s0 : f0 <= s0) && f1 > s1) {
      this.orders.close();
      const id = this.orders.submit(1, OrderType.Market, Sizing.EquityFraction, this.fraction);
      this.orders.recordEntryReason(id, CROSSED_ABOVE, NaN);
    } else if ((this.strict ? f0 > s0 : f0 >= s0) && f1 < s1) {
      this.orders.close();
      if (this.longOnly) return;
      const id = this.orders.submit(-1, OrderType.Market, Sizing.EquityFraction, this.fraction);
      this.orders.recordEntryReason(id, CROSSED_BELOW, NaN);
    }
  }

  plots(): readonly IndicatorPlot[] {
    return [
      { label: `SMA ${this.params.fast}`, pane: 'price', style: 'line', values: this.fast },
      { label: `SMA ${this.params.slow}`, pane: 'price', style: 'line', values: this.slow },
    ];
  }
}

export const smaCross: StrategyDefinition = {
  name: 'sma-cross',
  version: '1',
  description:
    'Fast/slow SMA crossover, always in the market (backtesting.py SmaCross conventions by default).',
  params: [
    {
      name: 'fast',
      type: 'int',
      min: 2,
      max: 200,
      limits: { min: 1, max: 10000 },
      step: 1,
      default: 10,
      description: 'Fast SMA period (bars)',
    },
    {
      name: 'slow',
      type: 'int',
      min: 3,
      max: 500,
      limits: { min: 2, max: 10000 },
      step: 1,
      default: 20,
      description: 'Slow SMA period (bars)',
    },
  ],
  constraints: [{ kind: 'less-than', left: 'fast', right: 'slow' }],
  signals: SMA_CROSS_SIGNALS,
  convention: 'backtesting.py',
  create: (params: StrategyParams) => new SmaCross(params),
};
