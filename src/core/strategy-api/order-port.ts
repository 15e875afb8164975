export const OrderType = { Market: 0, Limit: 1, Stop: 2, StopLimit: 3 } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/**
 * How an order's size is given.
 * - Units: `amount` units.
 * - EquityFraction: `amount` (0, 1] of the buying power at fill time, net of commission; an order against
 *   an opposite position first closes it and sizes from the equity after that close.
 * - Close: the whole position at fill time, whatever it is then (nothing if flat).
 */
export const Sizing = { Units: 0, EquityFraction: 1, Close: 2 } as const;
export type Sizing = (typeof Sizing)[keyof typeof Sizing];

export type Direction = 1 | -1;

/**
 * All a strategy may do to the account: read the position, submit and cancel orders, set protective exits.
 * The backtest engine's Broker implements it (the very object, so the hot loop pays nothing for the
 * interface), and so will the live bot's execution client: the strategy that was backtested is the one
 * that trades. Nothing here drives the bar loop or exposes the account's mutable state.
 *
 * Calls are allowed only at a bar's close (inside `Strategy.onBar`). None may allocate: ids are integers.
 */
export interface OrderPort {
  /** Signed units held: positive long, negative short, 0 flat. */
  readonly position: number;
  /** Average entry price of the open position (0 when flat). */
  readonly averageEntryPrice: number;
  /** Cash plus the position marked at `price`. */
  equityAt(price: number): number;
  /**
   * Queues an order; returns its id. `limitPrice` is used by Limit and StopLimit orders, `stopPrice` by
   * Stop and StopLimit (pass NaN otherwise). Orders rest until filled or cancelled.
   */
  submit(
    direction: Direction,
    type: OrderType,
    sizing: Sizing,
    amount: number,
    limitPrice?: number,
    stopPrice?: number,
  ): number;
  /** A market order closing whatever position exists when it fills; returns its id. */
  close(): number;
  /**
   * Protective exits the position opened by resting order `id` gets, as price distances from its fill
   * price (NaN = none): stop-loss, take-profit, trailing-stop distance. They become price levels at the
   * fill and stay with that position whatever the strategy does later (a re-parameterisation included).
   */
  attachExits(id: number, stopDistance: number, targetDistance: number, trailDistance: number): void;
  /**
   * Why resting order `id` was submitted, kept with the trade it opens (the chart's and the trade list's
   * "why did this enter"): `signals` is a bit mask over the definition's `signals` names (bit k = the k-th
   * name confirmed), `confidence` the strategy's score in [0, 1] (NaN when it does not score).
   */
  recordEntryReason(id: number, signals: number, confidence: number): void;
  /** Cancels a resting order; false when no order has that id (already filled or cancelled). */
  cancel(id: number): boolean;
  /** Stop-loss price of the open position (NaN removes it); ignored when flat. */
  setStopLoss(price: number): void;
  /** Take-profit price of the open position (NaN removes it); ignored when flat. */
  setTakeProfit(price: number): void;
  /** Trailing stop at `distance` from the best price since `referencePrice` (NaN removes it). */
  setTrailingStop(distance: number, referencePrice: number): void;
}
