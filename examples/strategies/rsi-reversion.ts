/**
 * RSI mean reversion, a user strategy: copy this file into your data folder's strategies/ folder and
 * Regimen loads it at start, beside the built-in strategies (see the README, "Your own strategy").
 *
 * Long when the RSI falls below `oversold`, short (unless long-only) when it rises above `overbought`,
 * flat again when it crosses back over `exit` (the middle). An optional stop at `stop_pct` below/above
 * the fill price. Orders fill at the next bar's open like every strategy's.
 */
import { OrderType, Sizing } from 'regimen';
import type { IndicatorCache, OrderPort, Strategy, StrategyContext, StrategyParams } from 'regimen';

class RsiReversion implements Strategy {
  private rsi!: Float64Array;
  private close!: Float64Array;
  private indicators!: IndicatorCache;
  private orders!: OrderPort;
  private longOnly = false;
  private fraction = 1;
  private oversold = 30;
  private overbought = 70;
  private exit = 50;
  private stop = 0;

  constructor(private readonly initial: StrategyParams) {}

  init(context: StrategyContext): number {
    this.indicators = context.indicators;
    this.orders = context.orders;
    this.close = context.bars.c;
    this.longOnly = context.options.longOnly;
    this.fraction = context.options.allInFraction;
    this.reparameterize(this.initial);
    // The first bar whose RSI (and the one before) exists.
    return this.initial.period + 1;
  }

  reparameterize(params: StrategyParams): void {
    this.rsi = this.indicators.rsi(params.period);
    this.oversold = params.oversold;
    this.overbought = params.overbought;
    this.exit = params.exit;
    this.stop = params.stop_pct / 100;
  }

  onBar(i: number): void {
    const rsi = this.rsi[i];
    if (Number.isNaN(rsi)) return;
    const position = this.orders.position;
    if (position === 0) {
      if (rsi < this.oversold) this.enter(1, i);
      else if (rsi > this.overbought && !this.longOnly) this.enter(-1, i);
    } else if ((position > 0 && rsi > this.exit) || (position < 0 && rsi < this.exit)) {
      this.orders.close();
    }
  }

  private enter(direction: 1 | -1, i: number): void {
    const id = this.orders.submit(direction, OrderType.Market, Sizing.EquityFraction, this.fraction);
    if (this.stop > 0) this.orders.attachExits(id, this.close[i] * this.stop, NaN, NaN);
  }
}

export default {
  name: 'rsi-reversion',
  version: '1',
  description: 'RSI mean reversion: long below oversold, short above overbought, out at the middle.',
  params: [
    {
      name: 'period',
      type: 'int',
      min: 2,
      max: 30,
      limits: { min: 2, max: 500 },
      step: 1,
      default: 14,
      description: 'RSI period (bars)',
    },
    {
      name: 'oversold',
      type: 'float',
      min: 10,
      max: 40,
      limits: { min: 0, max: 100 },
      step: 5,
      default: 30,
      description: 'Buy when the RSI is below this',
    },
    {
      name: 'overbought',
      type: 'float',
      min: 60,
      max: 90,
      limits: { min: 0, max: 100 },
      step: 5,
      default: 70,
      description: 'Sell short when the RSI is above this',
    },
    {
      name: 'exit',
      type: 'float',
      min: 40,
      max: 60,
      limits: { min: 0, max: 100 },
      step: 5,
      default: 50,
      description: 'Close the position when the RSI crosses back over this',
    },
    {
      name: 'stop_pct',
      type: 'float',
      min: 0,
      max: 10,
      limits: { min: 0, max: 50 },
      step: 1,
      default: 0,
      description: 'Stop-loss distance in % of the entry price (0: none)',
    },
  ],
  constraints: [{ kind: 'less-than', left: 'oversold', right: 'overbought' }],
  create: (params: StrategyParams) => new RsiReversion(params),
};
