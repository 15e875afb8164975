import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { OrderType, Sizing, type Direction, type OrderPort } from '../../core/strategy-api/order-port.ts';
import { RecentLog } from '../../core/live/recentLog.ts';
import { type AlpacaCredentials, redact } from '../marketdata/credentials.ts';

/** Alpaca's paper-trading host; `--alpaca-trading-url` points a bot at another (the fake server). */
export const PAPER_TRADING_BASE_URL = 'https://paper-api.alpaca.markets';

const decimal = z.union([z.string(), z.number()]).transform(Number);

const LegSchema = z.object({
  id: z.string(),
  client_order_id: z.string(),
  symbol: z.string(),
  qty: decimal,
  status: z.string(),
  side: z.enum(['buy', 'sell']),
  filled_qty: decimal,
  filled_avg_price: decimal.nullable(),
  /** The order that took this one's place (status "replaced"). */
  replaced_by: z.string().nullish(),
});
/** An order; an OCO's take-profit (its parent) lists its stop under `legs`. */
const OrderSchema = LegSchema.extend({ legs: z.array(LegSchema).nullish() });
export type AlpacaOrder = z.infer<typeof OrderSchema>;

const PositionSchema = z.object({ qty: decimal, avg_entry_price: decimal });
const AccountSchema = z.object({ cash: decimal, equity: decimal });

export interface AlpacaOrderRequest {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop' | 'stop_limit';
  readonly qty: string;
  readonly time_in_force: 'day' | 'gtc';
  readonly client_order_id: string;
  readonly limit_price?: string;
  readonly stop_price?: string;
  /** "oco": an exit of a held position, the limit at take_profit and a stop leg at stop_loss. */
  readonly order_class?: 'oco';
  readonly take_profit?: { readonly limit_price: string };
  readonly stop_loss?: { readonly stop_price: string };
}

/** What a replace changes in a resting order (PATCH /v2/orders/{id}); the new order gets its own id. */
export interface AlpacaOrderChange {
  readonly qty?: string;
  readonly limit_price?: string;
  readonly stop_price?: string;
  readonly client_order_id: string;
}

export interface AlpacaTradingOptions {
  readonly credentials: AlpacaCredentials;
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
  /** Attempts for a request that failed on the network or with a 5xx (an order keeps its client id). */
  readonly attempts?: number;
  readonly backoffBaseMs?: number;
}

/** A refusal from the trading API, its message stripped of the keys. */
export class AlpacaTradingError extends Error {
  override name = 'AlpacaTradingError';

  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The few trading endpoints a bot needs (account, one position, orders), over fetch with the key
 * headers. A request lost on the network is sent again; an order sent again carries the same
 * client_order_id, so if the first reached Alpaca the second is refused as a duplicate (422) and the
 * first is looked up instead: one order per intent whatever the network did.
 */
export class AlpacaTradingClient {
  private readonly baseUrl: string;

  constructor(private readonly options: AlpacaTradingOptions) {
    this.baseUrl = (options.baseUrl ?? PAPER_TRADING_BASE_URL).replace(/\/+$/, '');
  }

  async account(): Promise<z.infer<typeof AccountSchema>> {
    return AccountSchema.parse(await this.request('GET', '/v2/account'));
  }

  /** Signed units held and their average entry price; flat when Alpaca has no such position (404). */
  async position(symbol: string): Promise<{ qty: number; avgEntryPrice: number }> {
    try {
      const position = PositionSchema.parse(
        await this.request('GET', `/v2/positions/${encodeURIComponent(symbol)}`),
      );
      return { qty: position.qty, avgEntryPrice: position.avg_entry_price };
    } catch (error) {
      if (error instanceof AlpacaTradingError && error.status === 404) return { qty: 0, avgEntryPrice: 0 };
      throw error;
    }
  }

  async submit(order: AlpacaOrderRequest): Promise<AlpacaOrder> {
    try {
      return OrderSchema.parse(await this.request('POST', '/v2/orders', order));
    } catch (error) {
      // Sent twice (the first answer was lost): the first is the order, if it is this one.
      if (
        error instanceof AlpacaTradingError &&
        error.status === 422 &&
        /client_order_id/.test(error.message)
      ) {
        const first = await this.orderByClientId(order.client_order_id);
        if (first.symbol !== order.symbol || first.side !== order.side || first.qty !== Number(order.qty))
          throw new AlpacaTradingError(
            `client_order_id ${order.client_order_id} is already another order's on this account ` +
              `(${first.side} ${first.qty} ${first.symbol}, not ${order.side} ${order.qty} ${order.symbol}): ` +
              `another bot runs with the same run id`,
            422,
          );
        return first;
      }
      throw error;
    }
  }

  async order(id: string): Promise<AlpacaOrder> {
    return OrderSchema.parse(await this.request('GET', `/v2/orders/${encodeURIComponent(id)}`));
  }

  async orderByClientId(clientOrderId: string): Promise<AlpacaOrder> {
    const query = new URLSearchParams({ client_order_id: clientOrderId });
    return OrderSchema.parse(await this.request('GET', `/v2/orders:by_client_order_id?${query}`));
  }

  /**
   * Replaces an open order (its new version is returned); null when the order is no longer open (it
   * filled or was cancelled first: Alpaca answers 422). A replace sent again after a lost answer finds
   * the first one's result by its client id.
   */
  async replace(id: string, change: AlpacaOrderChange): Promise<AlpacaOrder | null> {
    try {
      return OrderSchema.parse(await this.request('PATCH', `/v2/orders/${encodeURIComponent(id)}`, change));
    } catch (error) {
      if (!(error instanceof AlpacaTradingError) || (error.status !== 422 && error.status !== 404))
        throw error;
      try {
        return await this.orderByClientId(change.client_order_id);
      } catch (lookup) {
        if (lookup instanceof AlpacaTradingError && lookup.status === 404) return null;
        throw lookup;
      }
    }
  }

  /** Cancels an open order; false when it had already filled or gone (422/404). */
  async cancel(id: string): Promise<boolean> {
    try {
      await this.request('DELETE', `/v2/orders/${encodeURIComponent(id)}`);
      return true;
    } catch (error) {
      if (error instanceof AlpacaTradingError && (error.status === 422 || error.status === 404)) return false;
      throw error;
    }
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const attempts = this.options.attempts ?? 4;
    const { credentials } = this.options;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            'APCA-API-KEY-ID': credentials.keyId,
            'APCA-API-SECRET-KEY': credentials.secretKey,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        if (attempt < attempts) {
          await sleep((this.options.backoffBaseMs ?? 500) * 2 ** (attempt - 1));
          continue;
        }
        const cause = redact((error as Error).message, credentials);
        throw new AlpacaTradingError(
          `cannot reach Alpaca trading at ${this.baseUrl} (${method} ${path}): ${cause}`,
          0,
        );
      }
      const text = await response.text();
      if (response.status >= 500 && attempt < attempts) {
        await sleep((this.options.backoffBaseMs ?? 500) * 2 ** (attempt - 1));
        continue;
      }
      if (!response.ok) {
        const message = redact(
          /"message"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? text.slice(0, 200),
          credentials,
        );
        throw new AlpacaTradingError(
          `Alpaca trading refused ${method} ${path.split('?')[0]} (HTTP ${response.status}): ${message}`,
          response.status,
        );
      }
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    }
  }
}

/** One execution on the account, as the bot logs and reports it. */
export interface PaperFill {
  readonly orderId: number;
  readonly side: 'buy' | 'sell';
  readonly units: number;
  readonly price: number;
  /** Set when a resting exit filled: which one (a market or strategy order has none). */
  readonly reason?: ExitLegReason;
  /** The rest of a resting exit that filled in part before (at an earlier look at the account). */
  readonly rest?: boolean;
}

const ExitLegReasonSchema = z.enum(['StopLoss', 'TakeProfit', 'TrailingStop']);
export type ExitLegReason = z.infer<typeof ExitLegReasonSchema>;

/** One order of a resting exit: its Alpaca id, its price, the units seen filled and what they fetched. */
const ExitLegSchema = z
  .object({
    orderId: z.string().min(1),
    price: z.number().positive(),
    reason: ExitLegReasonSchema,
    filled: z.number().nonnegative(),
    /** Units filled times their average price (absent in a state saved before partial fills were read). */
    value: z.number().nonnegative().optional(),
  })
  .readonly();
export type ExitLeg = z.infer<typeof ExitLegSchema>;

/**
 * The orders resting on the account to protect its position: a stop, a take-profit limit, or both as
 * one OCO (one filling cancels the other). Plain JSON: the bot keeps it in its state file, so a
 * restarted bot adopts the orders it left instead of placing a second set; the schema checks it there,
 * since a leg adopted from a corrupt file would be cancelled, replaced or placed again wrongly.
 */
export const RestingExitSchema = z
  .object({
    /** The port id its fills are numbered by. */
    id: z.number().int().nonnegative(),
    side: z.enum(['buy', 'sell']),
    qty: z.number().positive(),
    stop: ExitLegSchema.nullable(),
    target: ExitLegSchema.nullable(),
  })
  .readonly()
  .refine((exit) => exit.stop !== null || exit.target !== null, 'a resting exit has a stop or a target');
export type RestingExit = z.infer<typeof RestingExitSchema>;

type Intent =
  /** `closes`: sized and sided from the position when sent (Sizing.Close, as the simulated broker). */
  | {
      readonly kind: 'submit';
      readonly id: number;
      readonly order: AlpacaOrderRequest;
      readonly closes: boolean;
    }
  | { readonly kind: 'cancel'; readonly id: number };

const ALPACA_TYPES = {
  [OrderType.Market]: 'market',
  [OrderType.Limit]: 'limit',
  [OrderType.Stop]: 'stop',
  [OrderType.StopLimit]: 'stop_limit',
} as const;

/**
 * The order port on an Alpaca paper (or live) account: the interface the simulated broker implements,
 * so a strategy or a gate trades through it unchanged. The port's calls are synchronous (a strategy
 * decides at a bar's close and may not wait), so they are queued as intents, each with a client order
 * id fixed at the call, and `flush()` sends them in order, then reads back the account: position,
 * average entry, cash and the fills of the orders still open.
 *
 * Protective exits (attachExits and the set* calls) rest on the account as orders (see RestingExit),
 * so they protect between bars as a broker's stop does: a bar that gaps through the stop fills at its
 * open, one that trades through it at the stop, whether or not the bot is looking. Each flush brings the
 * resting orders to the levels and the position: placed when a position gets levels, replaced (not
 * added to) when a level moves, cancelled before any order that reduces the position is sent, so a stop
 * and a strategy's exit never both sell the same units.
 */
export class AlpacaPaperPort implements OrderPort {
  position = 0;
  averageEntryPrice = 0;
  cash = 0;
  /** The account's equity as Alpaca last reported it. */
  equity = 0;
  /** The newest fills, numbered since the port started (the bot reads those since a number). */
  readonly fills = new RecentLog<PaperFill>(FILL_WINDOW);
  private lastPrice = NaN;
  private nextId = 1;
  private queue: Intent[] = [];
  /** Alpaca's order for each port id that reached it and is still open, and the quantity seen filled. */
  private readonly sent = new Map<number, SentOrder>();
  private readonly pendingExits = new Map<number, Exits>();
  private stopLoss = NaN;
  private takeProfit = NaN;
  private trailDistance = NaN;
  private trailBest = NaN;
  private exit: RestingExit | null = null;

  constructor(
    private readonly client: AlpacaTradingClient,
    private readonly symbol: string,
    /** Makes client order ids unique across the bot's runs (Alpaca refuses an id used before). */
    private readonly runId: string,
  ) {}

  equityAt(price: number): number {
    return this.cash + this.position * price;
  }

  submit(
    direction: Direction,
    type: OrderType,
    sizing: Sizing,
    amount: number,
    limitPrice = NaN,
    stopPrice = NaN,
  ): number {
    const closes = sizing === Sizing.Close;
    const units = closes ? 0 : this.units(direction, sizing, amount);
    const id = this.nextId++;
    if (!closes && !(units > 0)) return id;
    const limit = type === OrderType.Limit || type === OrderType.StopLimit ? price(limitPrice) : undefined;
    const stop = type === OrderType.Stop || type === OrderType.StopLimit ? price(stopPrice) : undefined;
    this.queue.push({
      kind: 'submit',
      id,
      closes,
      order: {
        symbol: this.symbol,
        side: direction === 1 ? 'buy' : 'sell',
        type: ALPACA_TYPES[type],
        qty: String(units),
        time_in_force: type === OrderType.Market ? 'day' : 'gtc',
        client_order_id: this.clientId(id),
        ...(limit === undefined ? {} : { limit_price: limit }),
        ...(stop === undefined ? {} : { stop_price: stop }),
      },
    });
    return id;
  }

  close(): number {
    return this.submit(-1, OrderType.Market, Sizing.Close, 0);
  }

  attachExits(id: number, stopDistance: number, targetDistance: number, trailDistance: number): void {
    this.pendingExits.set(id, { stopDistance, targetDistance, trailDistance });
  }

  /** Entry reasons are a backtest's trade record (the chart's "why"); the paper account keeps fills only. */
  recordEntryReason(): void {}

  cancel(id: number): boolean {
    const queued = this.queue.findIndex((intent) => intent.kind === 'submit' && intent.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      return true;
    }
    if (!this.sent.has(id)) return false;
    this.queue.push({ kind: 'cancel', id });
    return true;
  }

  setStopLoss(price: number): void {
    if (this.position !== 0) this.stopLoss = price;
  }

  setTakeProfit(price: number): void {
    if (this.position !== 0) this.takeProfit = price;
  }

  setTrailingStop(distance: number, referencePrice: number): void {
    if (this.position === 0) return;
    this.trailDistance = distance;
    this.trailBest = referencePrice;
  }

  /**
   * A bar closed: its close prices EquityFraction orders, and a trailing stop follows its best price
   * (the resting stop moves up to it at the next flush).
   */
  mark(bar: { readonly h: number; readonly l: number; readonly c: number }): void {
    this.lastPrice = bar.c;
    if (this.position === 0 || !Number.isFinite(this.trailDistance)) return;
    this.trailBest = this.position > 0 ? Math.max(this.trailBest, bar.h) : Math.min(this.trailBest, bar.l);
  }

  /**
   * Protects the position at these levels (NaN: none) with resting orders, as `flush` would after
   * setStopLoss and setTakeProfit: the bot's way to hand the simulated book's levels to the account.
   */
  async protect(stop: number, target: number): Promise<void> {
    if (this.position === 0) return;
    this.stopLoss = stop;
    this.takeProfit = target;
    this.trailDistance = NaN;
    await this.arm();
  }

  /** The exit orders resting on the account now (null: none), for the bot's state file. */
  get restingExit(): RestingExit | null {
    return this.exit;
  }

  /**
   * Units a resting stop that filled in part still has to fill (0: none). Triggered, it sells (or buys)
   * the rest at the market, as Alpaca's stop does (its take-profit was cancelled at the first fill).
   */
  get stopping(): number {
    const stop = this.exit?.stop;
    return stop && stop.filled > 0 ? this.exit!.qty - stop.filled : 0;
  }

  /**
   * Takes over the exit orders an earlier run of the bot left on the account (from its state file),
   * with their levels: the next flush checks them, keeps them while they match, and places none twice.
   */
  adoptRestingExit(exit: RestingExit): void {
    this.exit = exit;
    this.stopLoss = exit.stop?.price ?? NaN;
    this.takeProfit = exit.target?.price ?? NaN;
  }

  /**
   * Sends the queued intents in order, then reads the account back and brings the resting exit to the
   * position and its levels. Before an order that reduces the position goes, the resting exit is
   * cancelled; if it had filled meanwhile, the position it was sized against is gone, and the order is
   * not sent (a Close order is sized from the position read back instead).
   */
  async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const intent = this.queue[0]!;
      if (intent.kind === 'cancel') {
        // An order that closed since the cancel was asked for has nothing left to cancel.
        const sent = this.sent.get(intent.id);
        if (sent !== undefined) await this.client.cancel(sent.alpacaId);
      } else {
        const reduces =
          intent.closes || (this.position !== 0 && (intent.order.side === 'sell') === this.position > 0);
        let stale = false;
        if (reduces && this.exit !== null && (await this.disarm())) {
          this.position = (await this.client.position(this.symbol)).qty;
          stale = !intent.closes;
        }
        const order: AlpacaOrderRequest = intent.closes
          ? {
              ...intent.order,
              side: this.position > 0 ? 'sell' : 'buy',
              qty: String(Math.abs(this.position)),
            }
          : intent.order;
        if (!stale && Number(order.qty) > 0) {
          const placed = await this.client.submit(order);
          const exits = this.pendingExits.get(intent.id);
          this.pendingExits.delete(intent.id);
          this.sent.set(intent.id, { alpacaId: placed.id, filled: 0, value: 0, exits });
          this.record(intent.id, placed);
        }
      }
      this.queue.shift();
    }
    await this.refresh();
    await this.arm();
  }

  /** Position, cash, and the fills of orders still open (resting exits included), from the account. */
  async refresh(): Promise<void> {
    for (const [id, sent] of this.sent) this.record(id, await this.client.order(sent.alpacaId));
    if (this.exit !== null) await this.checkExit();
    const [position, account] = await Promise.all([this.client.position(this.symbol), this.client.account()]);
    const wasFlat = this.position === 0;
    this.position = position.qty;
    this.averageEntryPrice = position.avgEntryPrice;
    this.cash = account.cash;
    this.equity = account.equity;
    if (this.position === 0 && !wasFlat) this.clearExits();
  }

  /** Queued intents not yet sent (a flush that failed leaves them, to be sent by the next). */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * The resting exit brought to the position and the levels: none when flat or without levels; a price
   * that moved is replaced in place; a changed size or shape is cancelled before its successor goes.
   */
  private async arm(): Promise<void> {
    // A stop that filled in part is a market order for the rest now: neither moved nor cancelled here.
    if (this.stopping > 0) return;
    const wanted = this.wantedExit();
    const exit = this.exit;
    if (exit === null && wanted === null) return;
    const same = (leg: ExitLeg | null, level: Level | null): boolean => (leg === null) === (level === null);
    if (
      exit === null ||
      wanted === null ||
      exit.qty !== wanted.qty ||
      exit.side !== wanted.side ||
      !same(exit.stop, wanted.stop) ||
      !same(exit.target, wanted.target)
    ) {
      // Some of it filled before the cancel: the position changed under the levels; read it first.
      if (exit !== null && (await this.disarm())) return this.refresh();
      if (wanted !== null) this.exit = await this.place(wanted);
      return;
    }
    const stop = await this.move(exit.stop, wanted.stop);
    const target = await this.move(exit.target, wanted.target);
    if (stop === undefined || target === undefined) {
      // A leg was no longer open: it filled (or its OCO's other leg did). Read what happened.
      await this.refresh();
      return;
    }
    this.exit = { ...exit, stop, target };
  }

  /** The exit the position and its levels call for (null: none). */
  private wantedExit(): {
    side: 'buy' | 'sell';
    qty: number;
    stop: Level | null;
    target: Level | null;
  } | null {
    const units = this.position;
    if (units === 0) return null;
    const long = units > 0;
    const trail = long ? this.trailBest - this.trailDistance : this.trailBest + this.trailDistance;
    const trailTighter =
      Number.isFinite(trail) &&
      (!Number.isFinite(this.stopLoss) || (long ? trail > this.stopLoss : trail < this.stopLoss));
    const stop: Level | null = trailTighter
      ? { price: trail, reason: 'TrailingStop' }
      : Number.isFinite(this.stopLoss)
        ? { price: this.stopLoss, reason: 'StopLoss' }
        : null;
    const target: Level | null = Number.isFinite(this.takeProfit)
      ? { price: this.takeProfit, reason: 'TakeProfit' }
      : null;
    if (stop === null && target === null) return null;
    return { side: long ? 'sell' : 'buy', qty: Math.abs(units), stop, target };
  }

  /** Places the exit: a stop, a take-profit limit, or both as one OCO. */
  private async place(wanted: {
    side: 'buy' | 'sell';
    qty: number;
    stop: Level | null;
    target: Level | null;
  }): Promise<RestingExit> {
    const id = this.nextId++;
    const base = {
      symbol: this.symbol,
      side: wanted.side,
      qty: String(wanted.qty),
      time_in_force: 'gtc',
      client_order_id: this.clientId(id),
    } as const;
    const { stop, target } = wanted;
    const leg = (orderId: string, level: Level): ExitLeg => ({ orderId, ...level, filled: 0, value: 0 });
    if (stop !== null && target !== null) {
      const placed = await this.client.submit({
        ...base,
        type: 'limit',
        order_class: 'oco',
        take_profit: { limit_price: String(target.price) },
        stop_loss: { stop_price: String(stop.price) },
      });
      const stopLeg = placed.legs?.[0];
      if (stopLeg === undefined)
        throw new Error(`Alpaca's OCO order ${placed.id} came back without its stop leg`);
      return {
        id,
        side: wanted.side,
        qty: wanted.qty,
        stop: leg(stopLeg.id, stop),
        target: leg(placed.id, target),
      };
    }
    if (stop !== null) {
      const placed = await this.client.submit({ ...base, type: 'stop', stop_price: String(stop.price) });
      return { id, side: wanted.side, qty: wanted.qty, stop: leg(placed.id, stop), target: null };
    }
    const placed = await this.client.submit({ ...base, type: 'limit', limit_price: String(target!.price) });
    return { id, side: wanted.side, qty: wanted.qty, stop: null, target: leg(placed.id, target!) };
  }

  /** A leg at its new level: the same leg when it has not moved, undefined when it is no longer open. */
  private async move(leg: ExitLeg | null, level: Level | null): Promise<ExitLeg | null | undefined> {
    if (leg === null || level === null || (leg.price === level.price && leg.reason === level.reason))
      return leg;
    const field = leg.reason === 'TakeProfit' ? 'limit_price' : 'stop_price';
    const replaced = await this.client.replace(leg.orderId, {
      [field]: String(level.price),
      client_order_id: this.clientId(this.nextId++),
    });
    if (replaced === null) return undefined;
    return { orderId: replaced.id, ...level, filled: 0, value: 0 };
  }

  /** Cancels the resting exit; true when some of it had filled first (its fills are recorded). */
  private async disarm(): Promise<boolean> {
    const exit = this.exit!;
    // Cancelling an OCO's parent (its take-profit) cancels its stop too.
    await this.client.cancel((exit.target ?? exit.stop)!.orderId);
    const before = this.fills.total;
    await this.checkExit();
    this.exit = null;
    return this.fills.total > before;
  }

  /** Records what the resting exit's orders filled; forgets the exit once none of it is open. */
  private async checkExit(): Promise<void> {
    const exit = this.exit!;
    const check = async (leg: ExitLeg | null): Promise<{ leg: ExitLeg | null; open: boolean }> => {
      if (leg === null) return { leg, open: false };
      let order: AlpacaOrder;
      try {
        order = await this.client.order(leg.orderId);
      } catch (error) {
        // Not on this account (a state file from another one): nothing of it rests here.
        if (error instanceof AlpacaTradingError && error.status === 404) return { leg, open: false };
        throw error;
      }
      let { filled, value } = leg;
      if (order.filled_qty > filled && order.filled_avg_price !== null) {
        const part = newPart(order, filled, value);
        this.fills.push({
          orderId: exit.id,
          side: order.side,
          ...part,
          reason: leg.reason,
          ...(filled > 0 ? { rest: true } : {}),
        });
        filled = order.filled_qty;
        value = order.filled_qty * order.filled_avg_price;
      }
      // A replace whose answer was lost: its successor is the leg now.
      if (order.status === 'replaced' && order.replaced_by) {
        return check({ ...leg, orderId: order.replaced_by, filled: 0, value: 0 });
      }
      return { leg: { ...leg, filled, value }, open: !CLOSED_STATUSES.has(order.status) };
    };
    const stop = await check(exit.stop);
    const target = await check(exit.target);
    this.exit = stop.open || target.open ? { ...exit, stop: stop.leg, target: target.leg } : null;
  }

  private clientId(id: number): string {
    return `regimen-${this.runId}-${id}`;
  }

  private record(id: number, order: AlpacaOrder): void {
    const sent = this.sent.get(id)!;
    const filled = order.filled_qty;
    if (filled > sent.filled && order.filled_avg_price !== null) {
      this.fills.push({ orderId: id, side: order.side, ...newPart(order, sent.filled, sent.value) });
      if (sent.filled === 0 && sent.exits) this.armExits(order.side, order.filled_avg_price, sent.exits);
      sent.filled = filled;
      sent.value = filled * order.filled_avg_price;
    }
    // A closed order is not asked about again, and not kept: the bot runs for months.
    if (CLOSED_STATUSES.has(order.status)) this.sent.delete(id);
  }

  /** Exits given as distances become levels at the entry's fill price, as in the simulated broker. */
  private armExits(side: 'buy' | 'sell', price: number, exits: Exits): void {
    const sign = side === 'buy' ? 1 : -1;
    this.stopLoss = price - sign * exits.stopDistance;
    this.takeProfit = price + sign * exits.targetDistance;
    this.trailDistance = exits.trailDistance;
    this.trailBest = price;
  }

  private clearExits(): void {
    this.stopLoss = NaN;
    this.takeProfit = NaN;
    this.trailDistance = NaN;
    this.trailBest = NaN;
  }

  private units(direction: Direction, sizing: Sizing, amount: number): number {
    switch (sizing) {
      case Sizing.Units:
        return amount;
      case Sizing.Close:
        // Zero here: the flush sizes it from the position when it sends it.
        return 0;
      case Sizing.EquityFraction: {
        const price = this.lastPrice;
        if (!(price > 0)) return 0;
        const against =
          this.position !== 0 && Math.sign(this.position) !== direction ? Math.abs(this.position) : 0;
        const equity = this.equityAt(price);
        return against + Math.floor((amount * equity) / price);
      }
    }
  }
}

/** Fills the port holds: the bot takes each bar's within the bar. */
const FILL_WINDOW = 100;

const CLOSED_STATUSES = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

const price = (x: number): string | undefined => (Number.isFinite(x) ? String(x) : undefined);

interface Level {
  readonly price: number;
  readonly reason: ExitLegReason;
}

interface SentOrder {
  readonly alpacaId: string;
  filled: number;
  /** Units filled times their average price. */
  value: number;
  readonly exits: Exits | undefined;
}

/**
 * What an order filled since `filled` units were seen (worth `value`): Alpaca reports the average price
 * of all its fills, so a later part's own price is what the total gained over the earlier parts.
 */
function newPart(
  order: AlpacaOrder,
  filled: number,
  value: number | undefined,
): { units: number; price: number } {
  const units = order.filled_qty - filled;
  const average = order.filled_avg_price!;
  // No earlier part, or a state file from before `value` was kept (their price unknown: the average).
  if (filled === 0 || value === undefined) return { units, price: average };
  return { units, price: (order.filled_qty * average - value) / units };
}

interface Exits {
  readonly stopDistance: number;
  readonly targetDistance: number;
  readonly trailDistance: number;
}
