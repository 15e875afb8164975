import { OrderType, Sizing, type OrderPort } from '../strategy-api/order-port.ts';
import type { Strategy, StrategyContext, StrategyDefinition } from '../strategy-api/types.ts';

/**
 * Buy-and-hold baseline: an all-in market buy on the first bar's close, held to the end. With the default
 * next-open fills it enters at the second bar's open, the first price a signal-driven strategy could get.
 */
class BuyAndHold implements Strategy {
  private orders!: OrderPort;
  private fraction = 1;
  private entered = false;

  init(context: StrategyContext): number {
    this.orders = context.orders;
    this.fraction = context.options.allInFraction;
    this.entered = false;
    return 0;
  }

  reparameterize(): void {
    // No parameters: nothing to switch.
  }

  onBar(): void {
    if (this.entered) return;
    this.entered = true;
    this.orders.submit(1, OrderType.Market, Sizing.EquityFraction, this.fraction);
  }
}

export const buyAndHold: StrategyDefinition = {
  name: 'buy-and-hold',
  version: '1',
  description: 'All-in long from the first bar to the last (baseline).',
  params: [],
  constraints: [],
  convention: 'regimen',
  create: () => new BuyAndHold(),
};
