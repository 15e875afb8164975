import { OrderType, Sizing, type Direction, type OrderPort } from '../strategy-api/order-port.ts';

/**
 * The order port a live strategy instance trades through: it wraps the bot's real port (simulated
 * fills, a broker's paper or live account) and enforces what the bot decided above the strategy, so the
 * strategy code stays the backtested code.
 * - 'open': entries pass, scaled by the ramp's risk budget and capped by the set's position limit.
 * - 'exits-only': no new exposure; an order against the position passes only up to closing it (a halt
 *   in no-new-entries or reduce-only, a position policy waiting for flat, an old set winding down).
 * - 'closed': nothing passes (a set that no longer decides anything, a flatten halt).
 * `noFlip` turns an order that would reverse the position into a close: a switch of parameters never
 * flips long to short by itself.
 */
export type GateMode = 'open' | 'exits-only' | 'closed';

/** Id returned for an order the gate dropped; attachExits and cancel ignore it. */
export const DROPPED_ORDER = -1;

/** Who decided the last entry and the last exit, shared by the gates of one bot (exits record it). */
export interface Deciders {
  entryVersion: number;
  exitVersion: number;
}

/** Today's orders under maxOrdersPerDay, shared by the gates of one bot (every set's orders count). */
export interface DayOrders {
  used: number;
  /** The active set's maxOrdersPerDay (Infinity: no cap). */
  limit: number;
}

export class GatedPort implements OrderPort {
  mode: GateMode = 'open';
  noFlip = false;
  /** Share of a full entry the strategy may commit (the ramp's budget). */
  budget = 1;
  /** Largest position as a share of equity (the set's maxPositionFraction), whatever the sizing. */
  maxFraction = 1;
  /** The last close, which values a position sized in units against maxFraction (NaN: not capped). */
  price = NaN;
  dropped = 0;

  constructor(
    private readonly inner: OrderPort,
    /** The parameter-set version whose decisions go through this gate (re-set by a reparameterize). */
    public version: number,
    private readonly deciders: Deciders,
    private readonly day: DayOrders = { used: 0, limit: Infinity },
  ) {}

  get position(): number {
    return this.inner.position;
  }

  get averageEntryPrice(): number {
    return this.inner.averageEntryPrice;
  }

  equityAt(price: number): number {
    return this.inner.equityAt(price);
  }

  submit(
    direction: Direction,
    type: OrderType,
    sizing: Sizing,
    amount: number,
    limitPrice = NaN,
    stopPrice = NaN,
  ): number {
    if (this.mode === 'closed') return this.drop();
    if (sizing === Sizing.Close)
      return this.pass(false, direction, type, sizing, amount, limitPrice, stopPrice);
    // Past the day's order cap only what reduces the position passes: a cap never keeps a bot from flat.
    const entries = this.mode === 'open' && this.day.used < this.day.limit;
    const held = this.inner.position;
    const against = held !== 0 && Math.sign(held) !== direction;
    if (!against) {
      if (!entries) return this.drop();
      const entry = this.entryAmount(sizing, amount, Math.abs(held));
      if (!(entry > 0)) return this.drop();
      return this.pass(true, direction, type, sizing, entry, limitPrice, stopPrice);
    }
    const flips = sizing === Sizing.EquityFraction || amount > Math.abs(held);
    if (!flips) return this.pass(false, direction, type, sizing, amount, limitPrice, stopPrice);
    if (!entries || this.noFlip) {
      // Only the closing part survives: a market close, or the held units at the order's own price.
      if (type === OrderType.Market) return this.pass(false, 1, type, Sizing.Close, 0, NaN, NaN);
      return this.pass(false, direction, type, Sizing.Units, Math.abs(held), limitPrice, stopPrice);
    }
    const sized =
      sizing === Sizing.Units
        ? Math.abs(held) + this.entryAmount(sizing, amount - Math.abs(held), 0)
        : this.entryAmount(sizing, amount, 0);
    this.deciders.exitVersion = this.version;
    return this.pass(true, direction, type, sizing, sized, limitPrice, stopPrice);
  }

  close(): number {
    if (this.mode === 'closed') return this.drop();
    this.deciders.exitVersion = this.version;
    this.day.used++;
    return this.inner.close();
  }

  attachExits(id: number, stopDistance: number, targetDistance: number, trailDistance: number): void {
    if (id !== DROPPED_ORDER) this.inner.attachExits(id, stopDistance, targetDistance, trailDistance);
  }

  recordEntryReason(id: number, signals: number, confidence: number): void {
    if (id !== DROPPED_ORDER) this.inner.recordEntryReason(id, signals, confidence);
  }

  cancel(id: number): boolean {
    return id !== DROPPED_ORDER && this.inner.cancel(id);
  }

  setStopLoss(price: number): void {
    if (this.mode !== 'closed') this.inner.setStopLoss(price);
  }

  setTakeProfit(price: number): void {
    if (this.mode !== 'closed') this.inner.setTakeProfit(price);
  }

  setTrailingStop(distance: number, referencePrice: number): void {
    if (this.mode !== 'closed') this.inner.setTrailingStop(distance, referencePrice);
  }

  /** An entry's amount at the ramp's budget, within the position limit given `held` units already. */
  private entryAmount(sizing: Sizing, amount: number, held: number): number {
    const scaled = amount * this.budget;
    if (sizing === Sizing.EquityFraction) return Math.min(scaled, this.maxFraction);
    const price = this.price;
    if (sizing !== Sizing.Units || !(price > 0) || this.maxFraction >= 1) return scaled;
    return Math.min(scaled, (this.maxFraction * this.inner.equityAt(price)) / price - held);
  }

  private pass(
    entry: boolean,
    direction: Direction,
    type: OrderType,
    sizing: Sizing,
    amount: number,
    limitPrice: number,
    stopPrice: number,
  ): number {
    if (entry) this.deciders.entryVersion = this.version;
    else this.deciders.exitVersion = this.version;
    this.day.used++;
    return this.inner.submit(direction, type, sizing, amount, limitPrice, stopPrice);
  }

  private drop(): number {
    this.dropped++;
    return DROPPED_ORDER;
  }
}

/** The UTC day number of a bar's time: the day the daily limits count in. */
export const utcDay = (t: number): number => Math.floor(t / 86_400_000);

/**
 * The pre-trade daily-loss limit, one check for the bot's runner and its shadow backtest (a shadow
 * without it trades on after the bot stopped its entries, and reports spurious missed fills): the loss
 * of the equity at a close from the day's opening equity (the last close before the day) when it
 * passed `maxDailyLoss`, else null; past it, no new entries until the next UTC day.
 */
export function dailyLossPassed(equity: number, dayOpenEquity: number, maxDailyLoss: number): number | null {
  const loss = 1 - equity / dayOpenEquity;
  return loss > maxDailyLoss ? loss : null;
}
