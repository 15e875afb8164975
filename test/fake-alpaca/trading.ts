/**
 * The fake Alpaca's paper-trading account, served beside the market data on the same port (as a test
 * points both hosts at one fake): GET /v2/account, GET /v2/positions[/{symbol}], POST /v2/orders,
 * GET /v2/orders/{id}, GET /v2/orders:by_client_order_id, DELETE /v2/orders/{id}, in Alpaca's shapes
 * (numbers as strings, snake_case). Market orders fill at once at the next trade: the open of the
 * minute after the last published one, as a bot's order sent at a bar's close fills where the backtest
 * engine fills it (the last published close when the market has no next minute, or when none is known);
 * limit and stop orders rest until a published bar reaches them (at the bar's open when it gaps through).
 * A client_order_id can be used once (422 after), as Alpaca enforces. Exits of a held position rest as
 * Alpaca holds them: an OCO (order_class "oco": a take-profit limit, status "new", whose stop_loss leg
 * is a stop, status "held" until it triggers; the first fill of either, whole or partial, cancels the
 * other, the stop tried first in a bar that reaches both, as the backtest engine does). Each leg is an
 * order of its own: PATCH replaces one order (a new one, the old one "replaced"), a leg's replacement
 * stays in the OCO with the other leg untouched, and a price the order type does not have is refused
 * (422 "limit orders must not have stop_price", as Alpaca answers). The units exits hold are not
 * available to another order against the position (403 "insufficient qty available"). `partialNext`
 * makes the next resting fill of a symbol partial: a stop, triggered, fills the rest at the next bar's
 * open (it is a market order by then); a limit when a bar reaches it again.
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
  status: 'new' | 'held' | 'partially_filled' | 'filled' | 'canceled' | 'replaced';
  filled_qty: number;
  filled_avg_price: number | null;
  /** The OCO this order is a leg of (its parent's id), or null. */
  readonly group: string | null;
  replaced_by: string | null;
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
  /** Every submit, replace and cancel answered, in order (tests check what a client did first). */
  readonly actions: { readonly action: 'submit' | 'replace' | 'cancel'; readonly type: string }[] = [];
  /** GET /v2/orders/{id} answered: tests check a client stops asking about closed orders. */
  orderLookups = 0;
  private readonly positions = new Map<string, { qty: number; avgEntry: number }>();
  private readonly lastClose = new Map<string, number>();
  /** Ids of stops whose price was reached: what they have not filled yet fills as a market order. */
  private readonly triggered = new Set<string>();
  /** Per symbol: the units the next resting fill is cut to (then the cap is gone). */
  private readonly partial = new Map<string, number>();

  constructor(
    cash = 100_000,
    /** The next trade's price of a symbol (undefined: unknown, the last close is used). */
    private readonly nextTrade: (symbol: string) => number | undefined = () => undefined,
  ) {
    this.cash = cash;
  }

  position(symbol: string): number {
    return this.positions.get(symbol)?.qty ?? 0;
  }

  /** The next resting order of `symbol` a bar reaches fills only `units` of its quantity. */
  partialNext(symbol: string, units: number): void {
    this.partial.set(symbol, units);
  }

  /** A bar closed (the stream published it): resting orders it reaches fill, then its close is the price. */
  onBar(symbol: string, bar: { o: number; h: number; l: number; c: number }): void {
    // Stops before limits: of an OCO's two legs both reached in one bar, the stop fills (as the engine).
    const resting = [...this.orders.values()].sort(
      (a, b) => Number(b.type === 'stop') - Number(a.type === 'stop'),
    );
    for (const order of resting) {
      // An OCO leg cancelled by the other's fill earlier in this loop is skipped here.
      if (order.symbol !== symbol || !isOpen(order)) continue;
      const buy = order.side === 'buy';
      if (order.type === 'limit') {
        const limit = order.limit_price!;
        if (buy ? bar.l <= limit : bar.h >= limit)
          this.fillResting(order, buy ? Math.min(bar.o, limit) : Math.max(bar.o, limit));
      } else if (order.type === 'stop') {
        const stop = order.stop_price!;
        if (this.triggered.has(order.id)) this.fillResting(order, bar.o);
        else if (buy ? bar.h >= stop : bar.l <= stop) {
          this.triggered.add(order.id);
          this.fillResting(order, buy ? Math.max(bar.o, stop) : Math.min(bar.o, stop));
        }
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
      return order ? { status: 200, body: orderBody(order, this.orders) } : notFound();
    }
    const byId = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (byId) {
      const order = this.orders.get(decodeURIComponent(byId[1]!));
      if (!order) return notFound();
      if (method === 'GET') {
        this.orderLookups += 1;
        return { status: 200, body: orderBody(order, this.orders) };
      }
      if (!isOpen(order) && (method === 'DELETE' || method === 'PATCH'))
        return { status: 422, body: { code: 42210000, message: `order is already ${order.status}` } };
      if (method === 'DELETE') {
        // Cancelling an OCO's leg cancels the OCO.
        for (const leg of this.group(order)) leg.status = 'canceled';
        this.actions.push({ action: 'cancel', type: order.type });
        return { status: 204 };
      }
      if (method === 'PATCH') return this.replace(order, body);
    }
    return null;
  }

  /** Open orders of a symbol (tests count the resting exits). */
  open(symbol: string): FakeOrder[] {
    return [...this.orders.values()].filter((o) => o.symbol === symbol && isOpen(o));
  }

  /** The order and the other legs of its OCO. */
  private group(order: FakeOrder): FakeOrder[] {
    if (order.group === null) return [order];
    return [...this.orders.values()].filter((o) => o.group === order.group && isOpen(o));
  }

  /**
   * PATCH: a new order with the changed qty or prices takes the old one's place, in the old one's OCO
   * and with its status (a held stop leg stays held); the other leg is not touched.
   */
  private replace(old: FakeOrder, raw: unknown): Answer {
    const request = (raw ?? {}) as Record<string, unknown>;
    const foreign = old.type === 'limit' ? 'stop_price' : 'limit_price';
    if (request[foreign] !== undefined)
      return {
        status: 422,
        body: { code: 42210000, message: `${old.type} orders must not have ${foreign}` },
      };
    const number = (name: string, was: number | null): number | null =>
      request[name] === undefined ? was : Number(request[name]);
    const order: FakeOrder = {
      ...old,
      id: randomUUID(),
      client_order_id:
        typeof request['client_order_id'] === 'string' ? request['client_order_id'] : randomUUID(),
      qty: number('qty', old.qty)!,
      limit_price: number('limit_price', old.limit_price),
      stop_price: number('stop_price', old.stop_price),
      replaced_by: null,
    };
    if (!(order.qty > 0)) return { status: 422, body: { code: 42210000, message: 'qty must be > 0' } };
    old.status = 'replaced';
    old.replaced_by = order.id;
    this.orders.set(order.id, order);
    this.actions.push({ action: 'replace', type: order.type });
    return { status: 200, body: orderBody(order, this.orders) };
  }

  /** Units of the position already held by open orders on `side` (an OCO's legs hold them once). */
  private held(symbol: string, side: 'buy' | 'sell'): number {
    const groups = new Set<string>();
    let held = 0;
    for (const order of this.open(symbol)) {
      if (order.side !== side) continue;
      if (order.group !== null) {
        if (groups.has(order.group)) continue;
        groups.add(order.group);
      }
      held += order.qty - order.filled_qty;
    }
    return held;
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
    const oco = request['order_class'] === 'oco';
    if (request['order_class'] !== undefined && request['order_class'] !== 'simple' && !oco)
      return refuse(422, `order class ${String(request['order_class'])} is not supported`);
    if (!(qty > 0)) return refuse(422, 'qty must be > 0');
    if (request['time_in_force'] !== 'day' && request['time_in_force'] !== 'gtc')
      return refuse(422, 'time_in_force must be day or gtc');
    const price = (name: string): number | null =>
      request[name] === undefined ? null : Number(request[name]);
    const leg = (name: string, field: string): number | null => {
      const value = (request[name] as Record<string, unknown> | undefined)?.[field];
      return value === undefined ? null : Number(value);
    };
    const id = randomUUID();
    const order: FakeOrder = {
      id,
      client_order_id: clientOrderId,
      symbol,
      side,
      type,
      qty,
      limit_price: oco ? leg('take_profit', 'limit_price') : price('limit_price'),
      stop_price: price('stop_price'),
      status: 'new',
      filled_qty: 0,
      filled_avg_price: null,
      group: oco ? id : null,
      replaced_by: null,
    };
    if (oco && type !== 'limit') return refuse(422, 'an oco order must be of type limit');
    const stopLeg = oco ? leg('stop_loss', 'stop_price') : null;
    if (oco && !(stopLeg! > 0)) return refuse(422, 'stop_loss.stop_price is required');
    if (type === 'limit' && !(order.limit_price! > 0)) return refuse(422, 'limit_price is required');
    if (type === 'stop' && !(order.stop_price! > 0)) return refuse(422, 'stop_price is required');
    const last = this.lastClose.get(symbol);
    if (type === 'market' && last === undefined) return refuse(403, `no price for ${symbol} yet`);
    const position = this.position(symbol);
    const reduces = position !== 0 && (side === 'sell') === position > 0;
    const held = reduces ? this.held(symbol, side) : 0;
    if (held > 0 && qty > Math.abs(position) - held)
      return refuse(
        403,
        `insufficient qty available for order (requested: ${qty}, available: ${Math.abs(position) - held})`,
      );
    this.orders.set(order.id, order);
    if (oco) {
      const stop: FakeOrder = {
        ...order,
        id: randomUUID(),
        client_order_id: randomUUID(),
        type: 'stop',
        limit_price: null,
        stop_price: stopLeg,
        // Alpaca holds the stop leg (not on the market) while its take-profit rests.
        status: 'held',
      };
      this.orders.set(stop.id, stop);
    }
    this.orderRequests.push({ clientOrderId, status: 200 });
    this.actions.push({ action: 'submit', type: oco ? 'oco' : type });
    if (type === 'market') this.fill(order, this.nextTrade(symbol) ?? last!);
    return { status: 200, body: orderBody(order, this.orders) };
  }

  /** A resting order a bar reached: whole, or as far as `partialNext` allows. */
  private fillResting(order: FakeOrder, price: number): void {
    const cap = this.partial.get(order.symbol);
    this.partial.delete(order.symbol);
    this.fill(order, price, Math.min(order.qty - order.filled_qty, cap ?? Infinity));
  }

  private fill(order: FakeOrder, price: number, units = order.qty - order.filled_qty): void {
    const signed = order.side === 'buy' ? units : -units;
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
    order.filled_avg_price =
      order.filled_qty === 0
        ? price
        : (order.filled_qty * order.filled_avg_price! + units * price) / (order.filled_qty + units);
    order.filled_qty += units;
    order.status = order.filled_qty === order.qty ? 'filled' : 'partially_filled';
    // One leg of an OCO filled, whole or in part: the others are cancelled.
    for (const other of this.group(order)) if (other !== order) other.status = 'canceled';
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

/** An order as Alpaca shows it; an OCO's take-profit (its parent) lists the stop leg under `legs`. */
function orderBody(order: FakeOrder, orders: ReadonlyMap<string, FakeOrder>): unknown {
  const { group, ...fields } = order;
  const legs =
    group !== null && order.type === 'limit'
      ? [...orders.values()]
          // The stop leg (a replaced take-profit stays in the group, and is no leg of its successor).
          .filter((o) => o.group === group && o.type === 'stop' && o.status !== 'replaced')
          .map((o) => orderBody(o, orders))
      : null;
  return {
    ...fields,
    order_class: group === null ? 'simple' : 'oco',
    legs,
    qty: String(order.qty),
    filled_qty: String(order.filled_qty),
    filled_avg_price: order.filled_avg_price === null ? null : String(order.filled_avg_price),
    limit_price: order.limit_price === null ? null : String(order.limit_price),
    stop_price: order.stop_price === null ? null : String(order.stop_price),
    time_in_force: 'day',
  };
}

const isOpen = (order: FakeOrder): boolean =>
  order.status === 'new' || order.status === 'held' || order.status === 'partially_filled';

function notFound(): Answer {
  return { status: 404, body: { code: 40410000, message: 'order not found' } };
}
