import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { OrderType, Sizing, type Direction, type OrderPort } from '../../core/strategy-api/order-port.ts';
import { RecentLog } from '../../core/live/recentLog.ts';
import { type AlpacaCredentials, redact } from '../marketdata/credentials.ts';

/** Alpaca's paper-trading host; `--alpaca-trading-url` points a bot at another (the fake server). */
export const PAPER_TRADING_BASE_URL = 'https://paper-api.alpaca.markets';

const decimal = z.union([z.string(), z.number()]).transform(Number);

const OrderSchema = z.object({
  id: z.string(),
  client_order_id: z.string(),
  status: z.string(),
  side: z.enum(['buy', 'sell']),
  filled_qty: decimal,
  filled_avg_price: decimal.nullable(),
});
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
      // Sent twice (the first answer was lost): the first is the order.
      if (
        error instanceof AlpacaTradingError &&
        error.status === 422 &&
        /client_order_id/.test(error.message)
      )
        return this.orderByClientId(order.client_order_id);
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
}

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
 * average entry, cash and the fills of the orders still open. Protective exits (attachExits and the
 * set* calls) are watched by the port at each bar it is shown (`mark`) and close the position with a
 * market order, as the simulated broker checks them bar by bar.
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
    const price = (x: number): string | undefined => (Number.isFinite(x) ? String(x) : undefined);
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
        client_order_id: `regimen-${this.runId}-${id}`,
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
   * A bar closed: its close prices EquityFraction orders, and a protective level it crossed closes the
   * position (sent by the next flush). Returns the exit's reason, or null.
   */
  mark(bar: { readonly h: number; readonly l: number; readonly c: number }): string | null {
    this.lastPrice = bar.c;
    if (this.position === 0) return null;
    const long = this.position > 0;
    if (Number.isFinite(this.trailDistance)) {
      this.trailBest = long ? Math.max(this.trailBest, bar.h) : Math.min(this.trailBest, bar.l);
    }
    const trail = long ? this.trailBest - this.trailDistance : this.trailBest + this.trailDistance;
    const crossed = (level: number, below: boolean): boolean =>
      Number.isFinite(level) && (below ? bar.l <= level : bar.h >= level);
    const reason = crossed(this.stopLoss, long)
      ? 'StopLoss'
      : crossed(this.takeProfit, !long)
        ? 'TakeProfit'
        : crossed(trail, long)
          ? 'TrailingStop'
          : null;
    if (reason !== null) {
      this.clearExits();
      this.close();
    }
    return reason;
  }

  /** Sends the queued intents in order, then reads the account back. */
  async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const intent = this.queue[0]!;
      if (intent.kind === 'cancel') {
        // An order that closed since the cancel was asked for has nothing left to cancel.
        const sent = this.sent.get(intent.id);
        if (sent !== undefined) await this.client.cancel(sent.alpacaId);
      } else {
        const order: AlpacaOrderRequest = intent.closes
          ? {
              ...intent.order,
              side: this.position > 0 ? 'sell' : 'buy',
              qty: String(Math.abs(this.position)),
            }
          : intent.order;
        if (Number(order.qty) > 0) {
          const placed = await this.client.submit(order);
          const exits = this.pendingExits.get(intent.id);
          this.pendingExits.delete(intent.id);
          this.sent.set(intent.id, { alpacaId: placed.id, filled: 0, exits });
          this.record(intent.id, placed);
        }
      }
      this.queue.shift();
    }
    await this.refresh();
  }

  /** Position, cash, and the fills of orders still open, from the account. */
  async refresh(): Promise<void> {
    for (const [id, sent] of this.sent) this.record(id, await this.client.order(sent.alpacaId));
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

  private record(id: number, order: AlpacaOrder): void {
    const sent = this.sent.get(id)!;
    const filled = order.filled_qty;
    if (filled > sent.filled && order.filled_avg_price !== null) {
      this.fills.push({
        orderId: id,
        side: order.side,
        units: filled - sent.filled,
        price: order.filled_avg_price,
      });
      if (sent.filled === 0 && sent.exits) this.armExits(order.side, order.filled_avg_price, sent.exits);
      sent.filled = filled;
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

const CLOSED_STATUSES = new Set(['filled', 'canceled', 'expired', 'rejected']);

interface SentOrder {
  readonly alpacaId: string;
  filled: number;
  readonly exits: Exits | undefined;
}

interface Exits {
  readonly stopDistance: number;
  readonly targetDistance: number;
  readonly trailDistance: number;
}
