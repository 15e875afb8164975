/**
 * A fake Alpaca market-data server on 127.0.0.1 for tests, benchmarks and demos:
 * - GET /v2/stocks/bars as documented: symbols, timeframe (1Min/5Min/15Min/1Hour/1Day), start, end
 *   (inclusive), limit (default 1000, max 10000), page_token, adjustment, feed, sort; the answer is
 *   {bars: {SYM: [{t,o,h,l,c,v,n,vw}]}, next_page_token}, sorted by symbol then time, the limit counting
 *   bars across symbols. Keys are checked from APCA-API-KEY-ID / APCA-API-SECRET-KEY (401 otherwise).
 * - Scripted faults for the next requests (429 with Retry-After, 401, 403, 500, a slow answer, a
 *   connection cut mid-body, a hang), a delay for every answer, and an optional per-minute limit it
 *   enforces itself with 429s.
 * - The bars stream over WebSocket at /v2/{feed}: [{"T":"success","msg":"connected"}], auth, subscribe,
 *   and bar messages {"T":"b","S",o,h,l,c,v,t,n,vw} published by the test (or by a replay clock in
 *   standalone mode).
 * - The paper-trading account (see trading.ts): account, positions and orders, filled against the bars
 *   the stream publishes.
 *
 * Standalone: `npx tsx test/fake-alpaca/server.ts --port 8765 [--key K --secret S] [--replay-ms 1000]`.
 */
import { firstIndexAtOrAfter } from '../../src/core/data/bars.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { FAKE_TIMEFRAMES, FakeMarket, type FakeMarketOptions, type FakeTimeframe } from './data.ts';
import { FakeTradingAccount } from './trading.ts';

export type Fault =
  | { readonly kind: '429'; readonly retryAfterSeconds: number }
  | { readonly kind: '401' }
  | { readonly kind: '403' }
  | { readonly kind: '500' }
  | { readonly kind: 'slow'; readonly ms: number }
  /** Sends the headers and half the body, then destroys the socket. */
  | { readonly kind: 'disconnect' }
  /** Never answers (the client's timeout must fire). */
  | { readonly kind: 'hang' }
  /** A refusal whose message is given (e.g. one echoing the request's headers). */
  | { readonly kind: 'echo'; readonly status: number; readonly message: string };

export interface FakeAlpacaOptions extends FakeMarketOptions {
  readonly port?: number;
  readonly keyId?: string;
  readonly secretKey?: string;
  /** Delay before every bars answer (ms). */
  readonly delayMs?: number;
  /** When set, more than this many bars requests in any 60 s window get a 429. */
  readonly rateLimitPerMinute?: number;
  /** Retry-After (seconds) the enforced limit sends. */
  readonly rateLimitRetryAfterSeconds?: number;
}

export interface RequestRecord {
  readonly at: number;
  readonly status: number;
  readonly symbols: string[];
  readonly timeframe: string;
  readonly start: string | null;
  readonly end: string | null;
  readonly pageToken: string | null;
  readonly adjustment: string | null;
  readonly feed: string | null;
  readonly bars: number;
  readonly fault?: Fault['kind'];
}

interface PageCursor {
  readonly symbol: number;
  readonly t: number;
}

interface StreamClient {
  readonly socket: WebSocket;
  authenticated: boolean;
  readonly bars: Set<string>;
}

export class FakeAlpaca {
  readonly market: FakeMarket;
  /**
   * A market order fills at the next trade: the open of the minute after the last one published. That
   * open is then traded at, so it can no longer be gapped (see gapBar).
   */
  readonly trading = new FakeTradingAccount(100_000, (symbol) => {
    const last = this.published.get(symbol);
    if (last === undefined) return undefined;
    const { t, o } = this.market.series(symbol, '1Min').bars;
    const next = firstIndexAtOrAfter(t, last) + 1;
    if (next >= t.length) return undefined;
    this.tradedOpens.add(`${symbol} ${t[next]}`);
    return o[next];
  });
  /** The time of each symbol's last published minute. */
  private readonly published = new Map<string, number>();
  /** "SYMBOL time" of each minute a market order filled at the open of. */
  private readonly tradedOpens = new Set<string>();
  readonly requests: RequestRecord[] = [];
  private readonly faults: Fault[] = [];
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private readonly streamClients = new Set<StreamClient>();
  private readonly pageCache = new Map<string, { body: string; bars: number }>();
  private readonly recentStarts: number[] = [];
  private port = 0;
  keyId: string;
  secretKey: string;
  delayMs: number;
  rateLimitPerMinute: number | undefined;
  /** Stream connections ever accepted and auth messages seen (reconnect tests count them). */
  streamConnections = 0;
  unhandledRateLimits = 0;

  constructor(private readonly options: FakeAlpacaOptions = {}) {
    this.market = new FakeMarket(options);
    this.keyId = options.keyId ?? 'FAKE-KEY-ID';
    this.secretKey = options.secretKey ?? 'FAKE-SECRET-KEY';
    this.delayMs = options.delayMs ?? 0;
    this.rateLimitPerMinute = options.rateLimitPerMinute;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      if (!/^\/v2\/(iex|sip|test)\/?$/.test(new URL(req.url ?? '/', 'http://x').pathname)) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.acceptStream(ws));
    });
  }

  static async start(options: FakeAlpacaOptions = {}): Promise<FakeAlpaca> {
    const fake = new FakeAlpaca(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Base of the stream URL; the feed is appended (`${streamUrl}/v2/iex`). */
  get streamUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Faults for the next bars requests, one per request, in order. */
  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  get pendingFaults(): number {
    return this.faults.length;
  }

  barsRequests(): RequestRecord[] {
    return this.requests;
  }

  async close(): Promise<void> {
    for (const client of this.streamClients) client.socket.terminate();
    this.wss.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // -----------------------------------------------------------------------------------------------------
  // REST

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/v2/stocks/bars' && /^\/v2\/(account|positions|orders)/.test(url.pathname)) {
      await this.handleTrading(req, res, url);
      return;
    }
    if (url.pathname !== '/v2/stocks/bars' || req.method !== 'GET') {
      this.json(res, 404, { code: 40410000, message: 'endpoint not found' });
      return;
    }
    const q = url.searchParams;
    const record = (status: number, bars: number, fault?: Fault['kind']): void => {
      this.requests.push({
        at: Date.now(),
        status,
        symbols: (q.get('symbols') ?? '').split(',').filter(Boolean),
        timeframe: q.get('timeframe') ?? '',
        start: q.get('start'),
        end: q.get('end'),
        pageToken: q.get('page_token'),
        adjustment: q.get('adjustment'),
        feed: q.get('feed'),
        bars,
        ...(fault ? { fault } : {}),
      });
    };
    if (
      req.headers['apca-api-key-id'] !== this.keyId ||
      req.headers['apca-api-secret-key'] !== this.secretKey
    ) {
      record(401, 0);
      this.json(res, 401, { code: 40110000, message: 'request is not authorized' });
      return;
    }
    const fault = this.faults.shift();
    if (fault) {
      record(faultStatus(fault), 0, fault.kind);
      switch (fault.kind) {
        case '429':
          res.setHeader('Retry-After', String(fault.retryAfterSeconds));
          this.json(res, 429, { code: 42910000, message: 'rate limit exceeded' });
          return;
        case '401':
          this.json(res, 401, { code: 40110000, message: 'request is not authorized' });
          return;
        case '403':
          this.json(res, 403, {
            code: 40310000,
            message: 'subscription does not permit querying recent SIP data',
          });
          return;
        case '500':
          this.json(res, 500, { code: 50010000, message: 'internal server error' });
          return;
        case 'hang':
          return;
        case 'echo':
          this.json(res, fault.status, { code: fault.status * 100_000, message: fault.message });
          return;
        case 'slow':
          await delay(fault.ms);
          break;
        case 'disconnect': {
          const body = this.page(q).body;
          res.writeHead(200, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          });
          res.write(body.slice(0, Math.floor(body.length / 2)));
          setTimeout(() => res.socket?.destroy(), 5);
          return;
        }
      }
    }
    if (this.rateLimitPerMinute !== undefined) {
      const now = Date.now();
      while (this.recentStarts.length > 0 && this.recentStarts[0]! <= now - 60_000) this.recentStarts.shift();
      if (this.recentStarts.length >= this.rateLimitPerMinute) {
        record(429, 0);
        res.setHeader('Retry-After', String(this.options.rateLimitRetryAfterSeconds ?? 1));
        this.json(res, 429, { code: 42910000, message: 'rate limit exceeded' });
        return;
      }
      this.recentStarts.push(now);
    }
    if (this.delayMs > 0) await delay(this.delayMs);
    let page: { body: string; bars: number };
    try {
      page = this.page(q);
    } catch (error) {
      record(422, 0);
      this.json(res, 422, {
        code: 42210000,
        message: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    record(200, page.bars);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(page.body),
    });
    res.end(page.body);
  }

  private async handleTrading(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    if (
      req.headers['apca-api-key-id'] !== this.keyId ||
      req.headers['apca-api-secret-key'] !== this.secretKey
    ) {
      this.json(res, 401, { code: 40110000, message: 'request is not authorized' });
      return;
    }
    let body: unknown = undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      this.json(res, 400, { code: 40010000, message: 'request body is not JSON' });
      return;
    }
    const answer = this.trading.handle(req.method ?? 'GET', url, body);
    if (answer === null) this.json(res, 404, { code: 40410000, message: 'endpoint not found' });
    else if (answer.body === undefined) res.writeHead(answer.status).end();
    else this.json(res, answer.status, answer.body);
  }

  /** One page of bars; answers are cached by query so a benchmark measures the client, not the fake. */
  private page(q: URLSearchParams): { body: string; bars: number } {
    const key = q.toString();
    const cached = this.pageCache.get(key);
    if (cached) return cached;
    const symbols = [...new Set((q.get('symbols') ?? '').split(',').filter(Boolean))].sort();
    if (symbols.length === 0) throw new Error('symbols is required');
    const timeframe = q.get('timeframe') ?? '';
    if (!(FAKE_TIMEFRAMES as readonly string[]).includes(timeframe))
      throw new Error(`invalid timeframe: ${timeframe}`);
    const start = q.get('start') ? Date.parse(q.get('start')!) : this.market.start;
    const end = q.get('end') ? Date.parse(q.get('end')!) : Date.now();
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error('invalid start or end');
    const limit = Math.min(10_000, Math.max(1, Number(q.get('limit') ?? 1000) || 1000));
    let cursor: PageCursor = { symbol: 0, t: start };
    const token = q.get('page_token');
    if (token) cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageCursor;
    const out: Record<string, unknown[]> = {};
    let count = 0;
    let next: PageCursor | null = null;
    for (let s = cursor.symbol; s < symbols.length && next === null; s++) {
      const symbol = symbols[s]!;
      const series = this.market.series(symbol, timeframe as FakeTimeframe);
      const { t, o, h, l, c, v } = series.bars;
      let i = firstIndexAtOrAfter(t, s === cursor.symbol ? cursor.t : start);
      const list: unknown[] = [];
      for (; i < t.length && t[i]! <= end; i++) {
        if (count === limit) {
          next = { symbol: s, t: t[i]! };
          break;
        }
        list.push({
          t: new Date(t[i]!).toISOString().replace('.000Z', 'Z'),
          o: o[i],
          h: h[i],
          l: l[i],
          c: c[i],
          v: v[i],
          n: series.tradeCount[i],
          vw: series.vwap[i],
        });
        count++;
      }
      if (list.length > 0) out[symbol] = list;
      if (next === null && count === limit && s + 1 < symbols.length) next = { symbol: s + 1, t: start };
    }
    const body = JSON.stringify({
      bars: out,
      next_page_token: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : null,
    });
    const page = { body, bars: count };
    if (this.pageCache.size < 20_000) this.pageCache.set(key, page);
    return page;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  // -----------------------------------------------------------------------------------------------------
  // Stream

  private acceptStream(socket: WebSocket): void {
    this.streamConnections++;
    const client: StreamClient = { socket, authenticated: false, bars: new Set() };
    this.streamClients.add(client);
    socket.on('close', () => this.streamClients.delete(client));
    socket.send(JSON.stringify([{ T: 'success', msg: 'connected' }]));
    socket.on('message', (data) => {
      let messages: unknown;
      try {
        messages = JSON.parse(String(data));
      } catch {
        socket.send(JSON.stringify([{ T: 'error', code: 400, msg: 'invalid syntax' }]));
        return;
      }
      for (const message of Array.isArray(messages) ? messages : [messages])
        this.onStreamMessage(client, message);
    });
  }

  private onStreamMessage(client: StreamClient, message: unknown): void {
    const m = (message ?? {}) as { action?: unknown; key?: unknown; secret?: unknown; bars?: unknown };
    const send = (payload: unknown[]): void => client.socket.send(JSON.stringify(payload));
    if (m.action === 'auth') {
      if (m.key === this.keyId && m.secret === this.secretKey) {
        client.authenticated = true;
        send([{ T: 'success', msg: 'authenticated' }]);
      } else {
        send([{ T: 'error', code: 402, msg: 'auth failed' }]);
        client.socket.close(1008, 'auth failed');
      }
      return;
    }
    if (!client.authenticated) {
      send([{ T: 'error', code: 401, msg: 'not authenticated' }]);
      return;
    }
    if (m.action === 'subscribe' || m.action === 'unsubscribe') {
      const bars = Array.isArray(m.bars) ? m.bars.filter((s): s is string => typeof s === 'string') : [];
      for (const symbol of bars) {
        if (m.action === 'subscribe') client.bars.add(symbol);
        else client.bars.delete(symbol);
      }
      send([
        { T: 'subscription', trades: [], quotes: [], bars: [...client.bars], updatedBars: [], dailyBars: [] },
      ]);
      return;
    }
    send([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
  }

  /** Number of authenticated stream clients subscribed to a symbol's bars. */
  subscribers(symbol: string): number {
    let n = 0;
    for (const client of this.streamClients) if (client.authenticated && client.bars.has(symbol)) n++;
    return n;
  }

  /**
   * Publishes the market's 1-minute bar of `symbol` starting at `t` to subscribed clients (as Alpaca
   * does once the minute has closed), with any fields in `corrupt` replaced (a bad bar from the feed).
   * Returns false when the market has no bar at that minute.
   */
  publishBar(
    symbol: string,
    t: number,
    corrupt: Partial<Record<'o' | 'h' | 'l' | 'c' | 'v', number>> = {},
  ): boolean {
    const series = this.market.series(symbol, '1Min');
    const i = firstIndexAtOrAfter(series.bars.t, t);
    if (series.bars.t[i] !== t) return false;
    const { o, h, l, c, v } = series.bars;
    this.trading.onBar(symbol, { o: o[i]!, h: h[i]!, l: l[i]!, c: c[i]! });
    this.published.set(symbol, t);
    const message = JSON.stringify([
      {
        T: 'b',
        S: symbol,
        o: o[i],
        h: h[i],
        l: l[i],
        c: c[i],
        v: v[i],
        ...corrupt,
        t: new Date(t).toISOString().replace('.000Z', 'Z'),
        n: series.tradeCount[i],
        vw: series.vwap[i],
      },
    ]);
    for (const client of this.streamClients) {
      if (client.authenticated && client.bars.has(symbol)) client.socket.send(message);
    }
    return true;
  }

  /**
   * Gaps a 1-minute bar away from the previous close (see FakeMarket.gap) for every consumer. Refused for
   * a minute whose open a market order already filled at: that fill would keep a price the minute, as
   * published, never had (a bot's order sent at the previous close; gap the minute before it is sent).
   */
  gapBar(symbol: string, t: number, fraction: number): boolean {
    if (this.openTraded(symbol, t))
      throw new Error(
        `cannot gap ${symbol}'s minute ${new Date(t).toISOString()}: a market order already filled at its ` +
          `open; gap it before the order is sent`,
      );
    this.pageCache.clear();
    return this.market.gap(symbol, t, fraction);
  }

  /** Whether a market order filled at the open of `symbol`'s minute `t` (it can no longer be gapped). */
  openTraded(symbol: string, t: number): boolean {
    return this.tradedOpens.has(`${symbol} ${t}`);
  }

  /** Cuts every stream connection without a close handshake (a network drop). */
  dropStreamClients(): void {
    for (const client of this.streamClients) client.socket.terminate();
  }
}

function faultStatus(fault: Fault): number {
  switch (fault.kind) {
    case '429':
      return 429;
    case '401':
      return 401;
    case '403':
      return 403;
    case '500':
      return 500;
    case 'echo':
      return fault.status;
    default:
      return 200;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Standalone mode: serve until killed; with --replay-ms, publish each session minute in turn. */
async function runStandalone(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8765' },
      key: { type: 'string' },
      secret: { type: 'string' },
      seed: { type: 'string' },
      'replay-ms': { type: 'string' },
      symbols: { type: 'string', default: 'SYNX,ALFA,BRVO' },
    },
  });
  const fake = await FakeAlpaca.start({
    port: Number(values.port),
    ...(values.key ? { keyId: values.key } : {}),
    ...(values.secret ? { secretKey: values.secret } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
  process.stdout.write(
    `fake Alpaca on ${fake.url} (stream ${fake.streamUrl}/v2/iex); keys APCA_API_KEY_ID=${fake.keyId} APCA_API_SECRET_KEY=<the --secret given, default FAKE-SECRET-KEY>\n`,
  );
  const replayMs = values['replay-ms'] ? Number(values['replay-ms']) : 0;
  if (replayMs > 0) {
    const symbols = (values.symbols ?? '').split(',').filter(Boolean);
    const minutes = fake.market.series(symbols[0]!, '1Min').bars.t;
    let i = Math.max(0, minutes.length - 390);
    setInterval(() => {
      const t = minutes[i++ % minutes.length]!;
      for (const symbol of symbols) fake.publishBar(symbol, t);
    }, replayMs);
  }
  const stop = (): void => void fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runStandalone(process.argv.slice(2));
}
