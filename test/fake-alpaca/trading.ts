/**
 * The fake Alpaca's paper-trading account, served beside the market data on the same port (as a test
 * points both hosts at one fake): GET /v2/account, GET /v2/positions[/{symbol}], POST /v2/orders,
 * GET /v2/orders/{id}, GET /v2/orders:by_client_order_id, DELETE /v2/orders/{id}, in Alpaca's shapes
 * (numbers as strings, snake_case). Market orders fill at once at the symbol's last published close;
 * limit and stop orders rest until a published bar reaches them (at the bar's open when it gaps through).
 * A client_order_id can be used once (422 after), as Alpaca enforces.
 */
import { randomUUID } from 'node:crypto';

export interface FakeOrder {
  readonly id: string;
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop';
  readonly qty: number;
  readonly limit_price: number | null;
  readonly stop_price: number | null;
  status: 'new' | 'filled' | 'canceled';
  filled_qty: number;
  filled_avg_price: number | null;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

export class FakeTradingAccount {
  cash: number;
  readonly orders = new Map<string, FakeOrder>();
  /** Every order request in arrival order (a refused one included): tests count submissions. */
  readonly orderRequests: { readonly clientOrderId: string; readonly status: number }[] = [];
  /** GET /v2/orders/{id} answered: tests check a client stops asking about closed orders. */
  orderLookups = 0;
  private readonly positions = new Map<string, { qty: number; avgEntry: number }>();
  private readonly lastClose = new Map<string, number>();

  constructor(cash = 100_000) {
    this.cash = cash;
  }

  position(symbol: string): number {
    return this.positions.get(symbol)?.qty ?? 0;
  }

  /** A bar closed (the stream published it): resting orders it reaches fill, then its close is the price. */
  onBar(symbol: string, bar: { o: number; h: number; l: number; c: number }): void {
    for (const order of this.orders.values()) {
      if (order.symbol !== symbol || order.status !== 'new') continue;
      const buy = order.side === 'buy';
      if (order.type === 'limit') {
        const limit = order.limit_price!;
        if (buy ? bar.l <= limit : bar.h >= limit)
          this.fill(order, buy ? Math.min(bar.o, limit) : Math.max(bar.o, limit));
      } else if (order.type === 'stop') {
        const stop = order.stop_price!;
        if (buy ? bar.h >= stop : bar.l <= stop)
          this.fill(order, buy ? Math.max(bar.o, stop) : Math.min(bar.o, stop));
      }
    }
    this.lastClose.set(symbol, bar.c);
  }

  handle(method: string, url: URL, body: unknown): Answer | null {
    const path = url.pathname;
    if (method === 'GET' && path === '/v2/account') {
      let equity = this.cash;
      for (const [symbol, held] of this.positions)
        equity += held.qty * (this.lastClose.get(symbol) ?? held.avgEntry);
      return {
        status: 200,
        body: {
          id: 'fake-account',
          status: 'ACTIVE',
          currency: 'USD',
          cash: String(this.cash),
          equity: String(equity),
        },
      };
    }
    if (method === 'GET' && path === '/v2/positions') {
      return { status: 200, body: [...this.positions.keys()].map((symbol) => this.positionBody(symbol)) };
    }
    const position = /^\/v2\/positions\/([^/]+)$/.exec(path);
    if (method === 'GET' && position) {
      const symbol = decodeURIComponent(position[1]!);
      if (!this.positions.has(symbol))
        return { status: 404, body: { code: 40410000, message: 'position does not exist' } };
      return { status: 200, body: this.positionBody(symbol) };
    }
    if (method === 'POST' && path === '/v2/orders') return this.submit(body);
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const wanted = url.searchParams.get('client_order_id');
      const order = [...this.orders.values()].find((o) => o.client_order_id === wanted);
      return order ? { status: 200, body: orderBody(order) } : notFound();
    }
    const byId = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (byId) {
      const order = this.orders.get(decodeURIComponent(byId[1]!));
      if (!order) return notFound();
      if (method === 'GET') {
        this.orderLookups += 1;
        return { status: 200, body: orderBody(order) };
      }
      if (method === 'DELETE') {
        if (order.status !== 'new')
          return { status: 422, body: { code: 42210000, message: `order is already ${order.status}` } };
        order.status = 'canceled';
        return { status: 204 };
      }
    }
    return null;
  }

  private submit(raw: unknown): Answer {
    const request = (raw ?? {}) as Record<string, unknown>;
    const clientOrderId =
      typeof request['client_order_id'] === 'string' ? request['client_order_id'] : randomUUID();
    const refuse = (status: number, message: string): Answer => {
      this.orderRequests.push({ clientOrderId, status });
      return { status, body: { code: status * 100_000, message } };
    };
    if ([...this.orders.values()].some((o) => o.client_order_id === clientOrderId))
      return refuse(422, 'client_order_id must be unique');
    const symbol = request['symbol'];
    const side = request['side'];
    const type = request['type'];
    const qty = Number(request['qty']);
    if (typeof symbol !== 'string' || symbol === '') return refuse(422, 'symbol is required');
    if (side !== 'buy' && side !== 'sell') return refuse(422, 'side must be buy or sell');
    if (type !== 'market' && type !== 'limit' && type !== 'stop')
      return refuse(422, `order type ${String(type)} is not supported`);
    if (!(qty > 0)) return refuse(422, 'qty must be > 0');
    if (request['time_in_force'] !== 'day' && request['time_in_force'] !== 'gtc')
      return refuse(422, 'time_in_force must be day or gtc');
    const price = (name: string): number | null =>
      request[name] === undefined ? null : Number(request[name]);
    const order: FakeOrder = {
      id: randomUUID(),
      client_order_id: clientOrderId,
      symbol,
      side,
      type,
      qty,
      limit_price: price('limit_price'),
      stop_price: price('stop_price'),
      status: 'new',
      filled_qty: 0,
      filled_avg_price: null,
    };
    if (type === 'limit' && !(order.limit_price! > 0)) return refuse(422, 'limit_price is required');
    if (type === 'stop' && !(order.stop_price! > 0)) return refuse(422, 'stop_price is required');
    const last = this.lastClose.get(symbol);
    if (type === 'market' && last === undefined) return refuse(403, `no price for ${symbol} yet`);
    this.orders.set(order.id, order);
    this.orderRequests.push({ clientOrderId, status: 200 });
    if (type === 'market') this.fill(order, last!);
    return { status: 200, body: orderBody(order) };
  }

  private fill(order: FakeOrder, price: number): void {
    const signed = order.side === 'buy' ? order.qty : -order.qty;
    const held = this.positions.get(order.symbol) ?? { qty: 0, avgEntry: 0 };
    const qty = held.qty + signed;
    const adding = held.qty === 0 || Math.sign(held.qty) === Math.sign(signed);
    const avgEntry =
      qty === 0
        ? 0
        : adding
          ? (held.qty * held.avgEntry + signed * price) / qty
          : Math.sign(qty) === Math.sign(held.qty)
            ? held.avgEntry
            : price;
    if (qty === 0) this.positions.delete(order.symbol);
    else this.positions.set(order.symbol, { qty, avgEntry });
    this.cash -= signed * price;
    order.status = 'filled';
    order.filled_qty = order.qty;
    order.filled_avg_price = price;
  }

  private positionBody(symbol: string): unknown {
    const held = this.positions.get(symbol)!;
    return {
      symbol,
      qty: String(held.qty),
      side: held.qty > 0 ? 'long' : 'short',
      avg_entry_price: String(held.avgEntry),
      current_price: String(this.lastClose.get(symbol) ?? held.avgEntry),
    };
  }
}

function orderBody(order: FakeOrder): unknown {
  return {
    ...order,
    qty: String(order.qty),
    filled_qty: String(order.filled_qty),
    filled_avg_price: order.filled_avg_price === null ? null : String(order.filled_avg_price),
    limit_price: order.limit_price === null ? null : String(order.limit_price),
    stop_price: order.stop_price === null ? null : String(order.stop_price),
    time_in_force: 'day',
  };
}

function notFound(): Answer {
  return { status: 404, body: { code: 40410000, message: 'order not found' } };
}
