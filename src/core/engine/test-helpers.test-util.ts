import type { Bars } from '../data/bars.ts';
import type { OrderPort } from '../strategy-api/order-port.ts';
import type { Strategy, StrategyContext, StrategyDefinition } from '../strategy-api/types.ts';

/** Bars from [open, high, low, close, volume] rows, one day apart. */
export function barsFrom(rows: readonly (readonly [number, number, number, number, number])[]): Bars {
  const n = rows.length;
  const bars: Bars = {
    t: new Float64Array(n),
    o: new Float64Array(n),
    h: new Float64Array(n),
    l: new Float64Array(n),
    c: new Float64Array(n),
    v: new Float64Array(n),
  };
  rows.forEach(([o, h, l, c, v], i) => {
    bars.t[i] = Date.UTC(2024, 0, 1) + i * 86_400_000;
    bars.o[i] = o;
    bars.h[i] = h;
    bars.l[i] = l;
    bars.c[i] = c;
    bars.v[i] = v;
  });
  return bars;
}

/** A strategy that runs `script[i](orders)` at bar i's close: hand-written order sequences for tests. */
export function scripted(
  script: Readonly<Record<number, (orders: OrderPort, i: number) => void>>,
): StrategyDefinition {
  class Scripted implements Strategy {
    private orders!: OrderPort;
    init(context: StrategyContext): number {
      this.orders = context.orders;
      return 0;
    }
    onBar(i: number): void {
      script[i]?.(this.orders, i);
    }
    reparameterize(): void {
      // A script has no parameters.
    }
  }
  return {
    name: 'scripted',
    version: '1',
    description: 'test script',
    params: [],
    constraints: [],
    convention: 'regimen',
    create: () => new Scripted(),
  };
}
