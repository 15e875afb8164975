import type { Bars } from '../data/bars.ts';
import { OrderType, Sizing, type Direction, type OrderPort } from '../strategy-api/order-port.ts';
import type { CommissionModel, SlippageModel } from './costs.ts';
import type { ResolvedBacktestOptions } from './options.ts';
import { appendTrade, createTradeLog, grow, type EntryFacts } from './trade-log.ts';
import { ExitReason, type TradeLog } from './types.ts';

const NO_ORDER = -1;
const DAY_MS = 86_400_000;

/**
 * The simulated account: cash, one net position, resting orders and the trade log.
 *
 * Fill rules (issue 4 item 3), per bar i:
 * 1. At the open, resting orders are tried in submission order (so a close submitted before a new entry
 *    fills first, and the entry is sized from the cash after it). Market: the open. Limit: the open if it
 *    is already through the limit (a gap fills at the better open), else the limit if the bar reaches it.
 *    Stop: the open if it gapped through the stop, else the stop if the bar reaches it. Stop-limit: the stop
 *    triggers as a stop; the order then fills as a limit at the trigger price if that satisfies the limit,
 *    otherwise it rests as a limit order from the next bar (the path inside the bar is unknown).
 * 2. Protective exits of the position are checked against the bar: stop-loss and trailing stop first
 *    (a gap through the stop fills at the open), then take-profit (a gap through the target fills at the
 *    open), so when both lie inside one bar the stop wins (the conservative order). A position opened
 *    inside the bar (limit/stop entry) is checked for its stop only in that bar, never its target, and
 *    never against the open that preceded it. The trailing level then moves with this bar's high (low
 *    for shorts), so a bar never both raises the trail and stops out against the raised level.
 * 3. The strategy sees bar i's close and submits orders. With fill-at-close, market orders fill at that
 *    close at once; other orders start resting from bar i+1.
 * Market and stop fills pay slippage; limit and take-profit fills do not (their price is guaranteed).
 * A limit or take-profit filled at its own price inside the bar rested on the book until the market came
 * to it: it adds liquidity and pays a maker's commission where the venue charges one. Every other fill
 * takes liquidity: market orders, stops, a stop-limit filled as it triggers, and a limit or take-profit
 * the bar opened through (marketable at the open, as a limit sent into the market is).
 * Entry sizes are capped by leverage, position value and share of the bar's volume; exits never are.
 * Financing (see FinancingSpec) is charged before the first bar of each new calendar day (UTC) on what
 * was held through the night: the short position's value at the last close and the cash owed, for each
 * day since that close (three over a weekend). It is part of the open position's cost, so it comes off
 * its trades' profit as they close, beside their commission.
 * There are no margin calls: equity may go negative with a losing short, and then new entries size to 0.
 */
/**
 * What the simulated account holds between two bars, as plain JSON (NaN, meaning "none", is null): a
 * bot on simulated fills persists it so a restart keeps its position, its protective exits and the
 * orders resting for the next open, as a broker's account would.
 */
export interface SimAccount {
  readonly cash: number;
  readonly units: number;
  readonly entryPrice: number;
  readonly entryTime: number;
  readonly entryCommission: number;
  /** Financing charged since the entry, not yet attributed to a closed trade (absent: none). */
  readonly entryFinancing?: number;
  /** Bars since the entry bar (the entry's index moves with the buffer). */
  readonly entryBarsAgo: number;
  readonly stopLoss: number | null;
  readonly takeProfit: number | null;
  readonly trailDistance: number | null;
  readonly trailLevel: number | null;
  readonly nextId: number;
  readonly orders: readonly RestingOrder[];
}

export interface RestingOrder {
  readonly id: number;
  readonly type: number;
  readonly direction: number;
  readonly sizing: number;
  readonly amount: number;
  readonly limit: number | null;
  readonly stop: number | null;
  readonly triggered: boolean;
  readonly stopDistance: number | null;
  readonly targetDistance: number | null;
  readonly trailDistance: number | null;
}

const orNull = (x: number): number | null => (x === x ? x : null);
const orNaN = (x: number | null): number => x ?? NaN;

/** A position still open after the last bar, marked to that bar's close. */
export interface OpenTrade {
  readonly entryIndex: number;
  readonly entryTime: number;
  readonly entryPrice: number;
  /** Signed units: positive long, negative short. */
  readonly size: number;
  readonly markIndex: number;
  readonly markTime: number;
  readonly markPrice: number;
  /** Unrealised profit at the mark, after the entry commission and the financing paid so far. */
  readonly pnl: number;
  readonly returnPct: number;
  /** As in the trade log (see TradeLog): the levels and reason recorded at entry. */
  readonly stopLoss: number;
  readonly takeProfit: number;
  readonly entrySignals: number;
  readonly entryConfidence: number;
}

export class Broker implements OrderPort {
  private o!: Float64Array;
  private h!: Float64Array;
  private l!: Float64Array;
  private c!: Float64Array;
  private t!: Float64Array;
  private bars!: Bars;
  private commissionModel!: CommissionModel;
  private slippageModel!: SlippageModel;
  private proportionalRate: number | undefined;
  private makerRate: number | undefined;
  private fractional = false;
  private longOnly = false;
  private maxLeverage = 1;
  private maxPositionValue = Infinity;
  private maxVolumeShare = Infinity;
  private marginRate = 0;
  private borrowRate = 0;
  /** Whether any financing rate is set: the bar loops call accrueFinancing only then. */
  financed = false;
  /** Financing charged over the run. */
  financingPaid = 0;

  cash = 0;
  /** Signed units held: positive long, negative short. */
  units = 0;
  private entryPrice = 0;
  private entryIndex = -1;
  private entryTime = 0;
  /** Entry commission not yet attributed to a closed trade. */
  private entryCommission = 0;
  /** Financing charged while the position was open, not yet attributed to a closed trade. */
  private entryFinancing = 0;
  private stopLoss = NaN;
  private takeProfit = NaN;
  private trailDistance = NaN;
  private trailLevel = NaN;
  private intrabarEntryBar = -1;
  /** The open position's facts at entry, written into its trades as they close (reused, never replaced). */
  private readonly entry: EntryFacts = { stopLoss: NaN, takeProfit: NaN, signals: 0, confidence: NaN };

  // Resting orders, structure-of-arrays in submission order.
  pendingCount = 0;
  private nextId = 1;
  private orderId = new Int32Array(8);
  private orderType = new Uint8Array(8);
  private orderDirection = new Int8Array(8);
  private orderSizing = new Uint8Array(8);
  private orderAmount = new Float64Array(8);
  private orderLimit = new Float64Array(8);
  private orderStop = new Float64Array(8);
  private orderTriggered = new Uint8Array(8);
  private orderStopDistance = new Float64Array(8);
  private orderTargetDistance = new Float64Array(8);
  private orderTrailDistance = new Float64Array(8);
  private orderSignals = new Uint32Array(8);
  private orderConfidence = new Float64Array(8);

  trades: TradeLog = createTradeLog();
  filledOrders = 0;
  rejectedOrders = 0;

  /** Prepares for a new run over `bars`, keeping the allocated buffers. */
  reset(bars: Bars, options: ResolvedBacktestOptions): void {
    this.bars = bars;
    this.o = bars.o;
    this.h = bars.h;
    this.l = bars.l;
    this.c = bars.c;
    this.t = bars.t;
    this.commissionModel = options.commission;
    this.slippageModel = options.slippage;
    this.proportionalRate = options.commission.proportionalRate;
    this.makerRate = options.commission.makerRate ?? this.proportionalRate;
    this.fractional = options.fractional;
    this.longOnly = options.longOnly;
    this.maxLeverage = options.maxLeverage;
    this.maxPositionValue = options.maxPositionValue;
    this.maxVolumeShare = options.maxVolumeShare;
    this.marginRate = options.marginRate;
    this.borrowRate = options.borrowRate;
    this.financed = options.marginRate > 0 || options.borrowRate > 0;
    this.financingPaid = 0;
    this.cash = options.cash;
    this.units = 0;
    this.clearPosition();
    this.pendingCount = 0;
    this.nextId = 1;
    this.trades.count = 0;
    this.filledOrders = 0;
    this.rejectedOrders = 0;
  }

  // ---------------------------------------------------------------------------------------------------
  // The OrderPort (see its docs). No allocation: orders are rows in preallocated columns, ids are integers.

  get position(): number {
    return this.units;
  }

  equityAt(price: number): number {
    return this.cash + this.units * price;
  }

  get averageEntryPrice(): number {
    return this.units === 0 ? 0 : this.entryPrice;
  }

  submit(
    direction: Direction,
    type: OrderType,
    sizing: Sizing,
    amount: number,
    limitPrice = NaN,
    stopPrice = NaN,
  ): number {
    if (sizing !== Sizing.Close && !(amount > 0 && Number.isFinite(amount))) {
      throw new RangeError(`order amount must be a finite number > 0, got ${amount}`);
    }
    if (sizing === Sizing.EquityFraction && amount > 1) {
      throw new RangeError(`equity fraction must be in (0, 1], got ${amount}`);
    }
    if ((type === OrderType.Limit || type === OrderType.StopLimit) && !Number.isFinite(limitPrice)) {
      throw new RangeError(`limit and stop-limit orders need a finite limit price, got ${limitPrice}`);
    }
    if ((type === OrderType.Stop || type === OrderType.StopLimit) && !Number.isFinite(stopPrice)) {
      throw new RangeError(`stop and stop-limit orders need a finite stop price, got ${stopPrice}`);
    }
    if (this.pendingCount === this.orderId.length) this.growOrders();
    const k = this.pendingCount++;
    const id = this.nextId++;
    this.orderId[k] = id;
    this.orderType[k] = type;
    this.orderDirection[k] = direction;
    this.orderSizing[k] = sizing;
    this.orderAmount[k] = amount;
    this.orderLimit[k] = limitPrice;
    this.orderStop[k] = stopPrice;
    this.orderTriggered[k] = 0;
    this.orderStopDistance[k] = NaN;
    this.orderTargetDistance[k] = NaN;
    this.orderTrailDistance[k] = NaN;
    this.orderSignals[k] = 0;
    this.orderConfidence[k] = NaN;
    return id;
  }

  close(): number {
    return this.submit(1, OrderType.Market, Sizing.Close, 0);
  }

  attachExits(id: number, stopDistance: number, targetDistance: number, trailDistance: number): void {
    const k = this.findOrder(id);
    if (k === NO_ORDER) throw new RangeError(`no resting order with id ${id}`);
    this.orderStopDistance[k] = stopDistance;
    this.orderTargetDistance[k] = targetDistance;
    this.orderTrailDistance[k] = trailDistance;
  }

  recordEntryReason(id: number, signals: number, confidence: number): void {
    const k = this.findOrder(id);
    if (k === NO_ORDER) throw new RangeError(`no resting order with id ${id}`);
    this.orderSignals[k] = signals;
    this.orderConfidence[k] = confidence;
  }

  cancel(id: number): boolean {
    const k = this.findOrder(id);
    if (k === NO_ORDER) return false;
    for (let j = k + 1; j < this.pendingCount; j++) this.moveOrder(j, j - 1);
    this.pendingCount--;
    return true;
  }

  setStopLoss(price: number): void {
    if (this.units !== 0) this.stopLoss = price;
  }

  setTakeProfit(price: number): void {
    if (this.units !== 0) this.takeProfit = price;
  }

  setTrailingStop(distance: number, referencePrice: number): void {
    if (this.units === 0) return;
    this.trailDistance = distance;
    this.trailLevel = this.units > 0 ? referencePrice - distance : referencePrice + distance;
  }

  /** The account after bar `last` (see SimAccount). */
  account(last: number): SimAccount {
    const orders: RestingOrder[] = [];
    for (let k = 0; k < this.pendingCount; k++) {
      orders.push({
        id: this.orderId[k],
        type: this.orderType[k],
        direction: this.orderDirection[k],
        sizing: this.orderSizing[k],
        amount: this.orderAmount[k],
        limit: orNull(this.orderLimit[k]),
        stop: orNull(this.orderStop[k]),
        triggered: this.orderTriggered[k] === 1,
        stopDistance: orNull(this.orderStopDistance[k]),
        targetDistance: orNull(this.orderTargetDistance[k]),
        trailDistance: orNull(this.orderTrailDistance[k]),
      });
    }
    return {
      cash: this.cash,
      units: this.units,
      entryPrice: this.entryPrice,
      entryTime: this.entryTime,
      entryCommission: this.entryCommission,
      entryFinancing: this.entryFinancing,
      entryBarsAgo: this.units === 0 ? -1 : last - this.entryIndex,
      stopLoss: orNull(this.stopLoss),
      takeProfit: orNull(this.takeProfit),
      trailDistance: orNull(this.trailDistance),
      trailLevel: orNull(this.trailLevel),
      nextId: this.nextId,
      orders,
    };
  }

  /** Takes back an account saved by `account`, the bar it was saved after now being bar `last`. */
  restoreAccount(saved: SimAccount, last: number): void {
    this.cash = saved.cash;
    this.units = saved.units;
    this.entryPrice = saved.entryPrice;
    this.entryTime = saved.entryTime;
    this.entryCommission = saved.entryCommission;
    this.entryFinancing = saved.entryFinancing ?? 0;
    this.entryIndex = saved.units === 0 ? -1 : last - saved.entryBarsAgo;
    this.stopLoss = orNaN(saved.stopLoss);
    this.takeProfit = orNaN(saved.takeProfit);
    this.trailDistance = orNaN(saved.trailDistance);
    this.trailLevel = orNaN(saved.trailLevel);
    this.intrabarEntryBar = -1;
    // The saved account keeps the levels in force, not those at entry nor its reason: the nearest known.
    this.recordEntry(NO_ORDER);
    this.nextId = saved.nextId;
    this.pendingCount = 0;
    for (const order of saved.orders) {
      if (this.pendingCount === this.orderId.length) this.growOrders();
      const k = this.pendingCount++;
      this.orderId[k] = order.id;
      this.orderType[k] = order.type;
      this.orderDirection[k] = order.direction;
      this.orderSizing[k] = order.sizing;
      this.orderAmount[k] = order.amount;
      this.orderLimit[k] = orNaN(order.limit);
      this.orderStop[k] = orNaN(order.stop);
      this.orderTriggered[k] = order.triggered ? 1 : 0;
      this.orderStopDistance[k] = orNaN(order.stopDistance);
      this.orderTargetDistance[k] = orNaN(order.targetDistance);
      this.orderTrailDistance[k] = orNaN(order.trailDistance);
      this.orderSignals[k] = 0;
      this.orderConfidence[k] = NaN;
    }
  }

  /** The bar buffer dropped its oldest `count` bars (a live bot's sliding window): indices follow. */
  shiftBars(count: number): void {
    if (this.units !== 0) this.entryIndex -= count;
    this.intrabarEntryBar -= count;
  }

  // ---------------------------------------------------------------------------------------------------
  // Engine-facing steps (see the class doc for their order within a bar).

  /** Drops every resting order (at the end of a run). */
  cancelAll(): void {
    this.pendingCount = 0;
  }

  /**
   * Step 0, when financed: the financing of the night (or weekend) before bar i, if bar i opens a new UTC
   * calendar day, on the position and cash as they stood at bar i - 1's close.
   */
  accrueFinancing(i: number): void {
    if (i === 0) return;
    const days = Math.floor(this.t[i] / DAY_MS) - Math.floor(this.t[i - 1] / DAY_MS);
    if (days <= 0) return;
    const shortValue = this.units < 0 ? -this.units * this.c[i - 1] : 0;
    const debit = this.cash < 0 ? -this.cash : 0;
    const charge = (days * (shortValue * this.borrowRate + debit * this.marginRate)) / 360;
    if (charge === 0) return;
    this.cash -= charge;
    this.financingPaid += charge;
    if (this.units !== 0) this.entryFinancing += charge;
  }

  /** Step 1: resting orders against bar i (open, then the bar's range). */
  processOpen(i: number): void {
    const n = this.pendingCount;
    let kept = 0;
    for (let k = 0; k < n; k++) {
      if (!this.tryFill(k, i)) {
        if (kept !== k) this.moveOrder(k, kept);
        kept++;
      }
    }
    this.pendingCount = kept;
  }

  /** Step 3 with fill-at-close: market orders fill at bar i's close; the others keep resting. */
  processClose(i: number): void {
    const n = this.pendingCount;
    let kept = 0;
    for (let k = 0; k < n; k++) {
      if (this.orderType[k] === OrderType.Market) {
        this.fillOrder(k, i, this.c[i], true, false);
      } else {
        if (kept !== k) this.moveOrder(k, kept);
        kept++;
      }
    }
    this.pendingCount = kept;
  }

  /** Step 2: stop-loss, trailing stop and take-profit of the open position against bar i. */
  checkExits(i: number): void {
    const u = this.units;
    if (u === 0) return;
    const long = u > 0;
    const intrabar = this.intrabarEntryBar === i;
    const open = this.o[i];
    let stop = this.stopLoss;
    let reason: ExitReason = ExitReason.StopLoss;
    const trail = this.trailLevel;
    if (trail === trail && (stop !== stop || (long ? trail > stop : trail < stop))) {
      stop = trail;
      reason = ExitReason.TrailingStop;
    }
    if (stop === stop) {
      if (!intrabar && (long ? open <= stop : open >= stop)) return this.exitAll(i, open, true, reason);
      if (long ? this.l[i] <= stop : this.h[i] >= stop) return this.exitAll(i, stop, true, reason);
    }
    const target = this.takeProfit;
    if (target === target && !intrabar) {
      if (long ? open >= target : open <= target) return this.exitAll(i, open, false, ExitReason.TakeProfit);
      if (long ? this.h[i] >= target : this.l[i] <= target) {
        return this.exitAll(i, target, false, ExitReason.TakeProfit, true);
      }
    }
    const distance = this.trailDistance;
    if (distance === distance) {
      if (long) {
        const level = this.h[i] - distance;
        if (level > this.trailLevel) this.trailLevel = level;
      } else {
        const level = this.l[i] + distance;
        if (level < this.trailLevel) this.trailLevel = level;
      }
    }
  }

  /**
   * The position still held, marked at bar i's close as if closed there without costs (its entry
   * commission is charged): what the run would show had it closed. Null when flat.
   */
  openTrade(i: number): OpenTrade | null {
    const u = this.units;
    if (u === 0) return null;
    const mark = this.c[i];
    const pnl = u * (mark - this.entryPrice) - this.entryCommission - this.entryFinancing;
    return {
      entryIndex: this.entryIndex,
      entryTime: this.entryTime,
      entryPrice: this.entryPrice,
      size: u,
      markIndex: i,
      markTime: this.t[i],
      markPrice: mark,
      pnl,
      returnPct: pnl / (Math.abs(u) * this.entryPrice),
      stopLoss: this.entry.stopLoss,
      takeProfit: this.entry.takeProfit,
      entrySignals: this.entry.signals,
      entryConfidence: this.entry.confidence,
    };
  }

  /**
   * Closes the position at `price` on bar i (the end of data, or an exit the engine decides); `maker`
   * when a resting exit was filled at its own price.
   */
  exitAll(i: number, price: number, slip: boolean, reason: ExitReason, maker = false): void {
    const u = this.units;
    if (u === 0) return;
    const direction: Direction = u > 0 ? -1 : 1;
    const closing = Math.abs(u);
    const fillPrice = slip
      ? price + direction * this.slippageModel.slippage(closing, price, this.bars, i)
      : price;
    this.execute(i, direction, closing, 0, fillPrice, reason, false, maker, NO_ORDER);
  }

  // ---------------------------------------------------------------------------------------------------

  /** Tries resting order k against bar i; true when it is done (filled or rejected). */
  private tryFill(k: number, i: number): boolean {
    const direction = this.orderDirection[k];
    const buy = direction > 0;
    const open = this.o[i];
    const high = this.h[i];
    const low = this.l[i];
    switch (this.orderType[k]) {
      case OrderType.Market:
        this.fillOrder(k, i, open, true, false);
        return true;
      case OrderType.Limit:
        return this.tryLimit(k, i, buy, open, high, low);
      case OrderType.Stop: {
        const stop = this.orderStop[k];
        if (buy ? open >= stop : open <= stop) this.fillOrder(k, i, open, true, false);
        else if (buy ? high >= stop : low <= stop) this.fillOrder(k, i, stop, true, true);
        else return false;
        return true;
      }
      default: {
        // Stop-limit.
        if (this.orderTriggered[k] === 1) return this.tryLimit(k, i, buy, open, high, low);
        const stop = this.orderStop[k];
        const limit = this.orderLimit[k];
        let trigger: number;
        if (buy ? open >= stop : open <= stop) trigger = open;
        else if (buy ? high >= stop : low <= stop) trigger = stop;
        else return false;
        if (buy ? trigger <= limit : trigger >= limit) {
          this.fillOrder(k, i, trigger, false, trigger !== open);
          return true;
        }
        this.orderTriggered[k] = 1;
        return false;
      }
    }
  }

  private tryLimit(k: number, i: number, buy: boolean, open: number, high: number, low: number): boolean {
    const limit = this.orderLimit[k];
    if (buy ? open <= limit : open >= limit) this.fillOrder(k, i, open, false, false);
    else if (buy ? low <= limit : high >= limit) this.fillOrder(k, i, limit, false, true);
    else return false;
    return true;
  }

  /** Sizes order k at `price` (before slippage) and executes it. */
  private fillOrder(k: number, i: number, price: number, slip: boolean, intrabar: boolean): void {
    const sizing = this.orderSizing[k];
    const u = this.units;
    let direction = this.orderDirection[k] as Direction;
    if (sizing === Sizing.Close) {
      if (u === 0) return;
      direction = u > 0 ? -1 : 1;
    }
    // Filled at its limit inside the bar after resting there (a stop-limit filled as it triggers does not).
    const type = this.orderType[k];
    const maker =
      intrabar &&
      (type === OrderType.Limit || (type === OrderType.StopLimit && this.orderTriggered[k] === 1));
    const opposite = u * direction < 0;
    const held = Math.abs(u);
    let closing = 0;
    if (sizing === Sizing.Close) closing = held;
    else if (opposite)
      closing = sizing === Sizing.Units ? Math.min(held, this.wholeUnits(this.orderAmount[k])) : held;
    let opening = this.openingUnits(k, i, price, direction, closing, maker);
    let fillPrice = price;
    if (slip) {
      fillPrice = price + direction * this.slippageModel.slippage(closing + opening, price, this.bars, i);
      // Equity-based sizes depend on the price paid, so size again at the slipped price.
      if (sizing === Sizing.EquityFraction) {
        opening = this.openingUnits(k, i, fillPrice, direction, closing, maker);
      }
    }
    if (closing + opening === 0) {
      this.rejectedOrders++;
      return;
    }
    const reason = opening > 0 && closing > 0 ? ExitReason.Reversal : ExitReason.Signal;
    this.execute(i, direction, closing, opening, fillPrice, reason, intrabar, maker, k);
  }

  private wholeUnits(units: number): number {
    return this.fractional ? units : Math.floor(units);
  }

  /** Units order k opens beyond the `closing` units it closes, after every cap. */
  private openingUnits(
    k: number,
    i: number,
    price: number,
    direction: Direction,
    closing: number,
    maker: boolean,
  ): number {
    const sizing = this.orderSizing[k];
    if (sizing === Sizing.Close) return 0;
    if (this.longOnly && direction < 0) return 0;
    const u = this.units;
    const sameSide = u * direction > 0 ? Math.abs(u) : 0;
    const rate =
      (maker ? this.makerRate : this.proportionalRate) ?? this.estimateRate(price, closing, direction, maker);
    let equity = this.cash + u * price;
    if (closing > 0) equity -= this.commissionModel.commission(closing, price, direction, maker);
    if (!(equity > 0)) return 0;
    const buyingPower = this.maxLeverage * equity;
    let opening: number;
    if (sizing === Sizing.Units) {
      opening = this.wholeUnits(this.orderAmount[k]) - closing;
    } else {
      const available = sameSide === 0 ? equity : Math.max(0, equity - (sameSide * price) / this.maxLeverage);
      opening = (available * this.maxLeverage * this.orderAmount[k]) / (price * (1 + rate));
    }
    const byLeverage = buyingPower / (price * (1 + rate)) - sameSide;
    if (opening > byLeverage) opening = byLeverage;
    const byValue = this.maxPositionValue / price - sameSide;
    if (opening > byValue) opening = byValue;
    const byVolume = this.maxVolumeShare * this.bars.v[i] - closing;
    if (opening > byVolume) opening = byVolume;
    opening = this.wholeUnits(opening);
    return opening > 0 ? opening : 0;
  }

  /** Commission as a share of traded value for a non-proportional model, taken at an all-in size. */
  private estimateRate(price: number, closing: number, direction: Direction, maker: boolean): number {
    const units = Math.max(1, (this.cash + this.units * price) / price) + closing;
    return this.commissionModel.commission(units, price, direction, maker) / (units * price);
  }

  /**
   * Applies a fill of `closing` units against the position and `opening` new units in `direction`,
   * recording a trade for the closed part; `maker` when the fill adds liquidity. `order` (or NO_ORDER)
   * supplies protective exits.
   */
  private execute(
    i: number,
    direction: Direction,
    closing: number,
    opening: number,
    price: number,
    reason: ExitReason,
    intrabar: boolean,
    maker: boolean,
    order: number,
  ): void {
    const total = closing + opening;
    const commission = this.commissionModel.commission(total, price, direction, maker);
    const closingCommission = closing > 0 ? (commission * closing) / total : 0;
    this.filledOrders++;
    if (closing > 0) {
      const u = this.units;
      const held = Math.abs(u);
      const side = u > 0 ? 1 : -1;
      const entryShare = closing === held ? this.entryCommission : (this.entryCommission * closing) / held;
      const financingShare = closing === held ? this.entryFinancing : (this.entryFinancing * closing) / held;
      const gross = closing * (price - this.entryPrice) * side;
      appendTrade(
        this.trades,
        this.entryIndex,
        i,
        this.entryTime,
        this.t[i],
        this.entryPrice,
        price,
        side * closing,
        gross - entryShare - closingCommission - financingShare,
        entryShare + closingCommission,
        reason,
        this.entry,
      );
      this.entryCommission -= entryShare;
      this.entryFinancing -= financingShare;
      this.units = closing === held ? 0 : u + direction * closing;
      if (this.units === 0) this.clearPosition();
    }
    if (opening > 0) {
      const openingCommission = commission - closingCommission;
      const held = Math.abs(this.units);
      if (held === 0) {
        this.entryPrice = price;
        this.entryIndex = i;
        this.entryTime = this.t[i];
        this.entryCommission = openingCommission;
      } else {
        this.entryPrice = (this.entryPrice * held + price * opening) / (held + opening);
        this.entryCommission += openingCommission;
      }
      this.units += direction * opening;
      if (intrabar) this.intrabarEntryBar = i;
      if (order !== NO_ORDER) this.applyExits(order, price, direction);
      // A new position (not an addition) takes the levels just set and the reason of the order opening it.
      if (held === 0) this.recordEntry(order);
    }
    this.cash -= direction * total * price + commission;
  }

  private applyExits(k: number, price: number, direction: Direction): void {
    const stopDistance = this.orderStopDistance[k];
    const targetDistance = this.orderTargetDistance[k];
    const trailDistance = this.orderTrailDistance[k];
    if (stopDistance === stopDistance) this.stopLoss = price - direction * stopDistance;
    if (targetDistance === targetDistance) this.takeProfit = price + direction * targetDistance;
    if (trailDistance === trailDistance) {
      this.trailDistance = trailDistance;
      this.trailLevel = price - direction * trailDistance;
    }
  }

  private recordEntry(order: number): void {
    const entry = this.entry;
    entry.stopLoss = this.stopLoss;
    entry.takeProfit = this.takeProfit;
    entry.signals = order === NO_ORDER ? 0 : this.orderSignals[order];
    entry.confidence = order === NO_ORDER ? NaN : this.orderConfidence[order];
  }

  private clearPosition(): void {
    this.entryPrice = 0;
    this.entryIndex = -1;
    this.entryTime = 0;
    this.entryCommission = 0;
    this.entryFinancing = 0;
    this.stopLoss = NaN;
    this.takeProfit = NaN;
    this.trailDistance = NaN;
    this.trailLevel = NaN;
    this.intrabarEntryBar = -1;
    this.recordEntry(NO_ORDER);
  }

  private findOrder(id: number): number {
    for (let k = 0; k < this.pendingCount; k++) if (this.orderId[k] === id) return k;
    return NO_ORDER;
  }

  private moveOrder(from: number, to: number): void {
    this.orderId[to] = this.orderId[from];
    this.orderType[to] = this.orderType[from];
    this.orderDirection[to] = this.orderDirection[from];
    this.orderSizing[to] = this.orderSizing[from];
    this.orderAmount[to] = this.orderAmount[from];
    this.orderLimit[to] = this.orderLimit[from];
    this.orderStop[to] = this.orderStop[from];
    this.orderTriggered[to] = this.orderTriggered[from];
    this.orderStopDistance[to] = this.orderStopDistance[from];
    this.orderTargetDistance[to] = this.orderTargetDistance[from];
    this.orderTrailDistance[to] = this.orderTrailDistance[from];
    this.orderSignals[to] = this.orderSignals[from];
    this.orderConfidence[to] = this.orderConfidence[from];
  }

  private growOrders(): void {
    const capacity = this.orderId.length * 2;
    this.orderId = grow(this.orderId, capacity);
    this.orderType = grow(this.orderType, capacity);
    this.orderDirection = grow(this.orderDirection, capacity);
    this.orderSizing = grow(this.orderSizing, capacity);
    this.orderAmount = grow(this.orderAmount, capacity);
    this.orderLimit = grow(this.orderLimit, capacity);
    this.orderStop = grow(this.orderStop, capacity);
    this.orderTriggered = grow(this.orderTriggered, capacity);
    this.orderStopDistance = grow(this.orderStopDistance, capacity);
    this.orderTargetDistance = grow(this.orderTargetDistance, capacity);
    this.orderTrailDistance = grow(this.orderTrailDistance, capacity);
    this.orderSignals = grow(this.orderSignals, capacity);
    this.orderConfidence = grow(this.orderConfidence, capacity);
  }
}
