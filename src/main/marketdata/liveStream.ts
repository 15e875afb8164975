import WebSocket from 'ws';
import { z } from 'zod';
import { MINUTE_MS } from '../../core/data/calendar.ts';
import { validateBars, type BarValues } from '../../core/data/validate.ts';
import { BarsRepository } from '../store/barsRepository.ts';
import type { Database } from '../store/database.ts';
import { DEFAULT_STREAM_BASE_URL } from './alpacaClient.ts';
import { type AlpacaCredentials, redact } from './credentials.ts';
import type { HistoricalFetcher } from './fetcher.ts';
import type { Adjustment, Feed } from './types.ts';

/** A closed 1-minute bar from the stream, or from the REST back-fill of a gap after a reconnect. */
export interface LiveBar extends BarValues {
  readonly symbol: string;
  readonly backfilled: boolean;
}

export type StreamStatus =
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'live'; readonly symbols: readonly string[] }
  | { readonly state: 'reconnecting'; readonly inMs: number; readonly reason: string }
  | { readonly state: 'stopped'; readonly error?: string };

export interface LiveStreamOptions {
  readonly credentials: AlpacaCredentials;
  readonly symbols: readonly string[];
  readonly feed?: Feed;
  readonly adjustment?: Adjustment;
  /** Stream host, e.g. wss://stream.data.alpaca.markets (the feed path /v2/{feed} is appended). */
  readonly baseUrl?: string;
  /** Fills a gap seen after a reconnect over REST; without it gaps are only reported. */
  readonly fetcher?: HistoricalFetcher;
  /**
   * Checks each symbol's first bar for a gap against its last 1m bar in the cache too, as after a
   * reconnect. A sync's REST catch-up stops at the last minute known final, and the stream only sends
   * minutes closing after it subscribed: the minute or two between would otherwise never be stored.
   */
  readonly continueCache?: boolean;
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  readonly onBar?: (bar: LiveBar) => void;
  readonly onStatus?: (status: StreamStatus) => void;
  readonly onError?: (error: Error) => void;
}

const StreamMessage = z.union([
  z.object({ T: z.literal('success'), msg: z.string() }),
  z.object({ T: z.literal('error'), code: z.number(), msg: z.string() }),
  z.object({ T: z.literal('subscription'), bars: z.array(z.string()).optional() }),
  z.object({
    T: z.literal('b'),
    S: z.string(),
    o: z.number(),
    h: z.number(),
    l: z.number(),
    c: z.number(),
    v: z.number(),
    t: z.string(),
    n: z.number().optional(),
    vw: z.number().optional(),
  }),
  z.object({ T: z.string() }),
]);

/** A bar message as the stream sends it. */
export interface StreamBarMessage {
  readonly S: string;
  readonly t: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
}

/**
 * A stream bar, checked like any bar entering Regimen: throws a DataValidationError naming the symbol,
 * the bar's time and the field when it is not a usable bar.
 */
export function readStreamBar(message: StreamBarMessage): LiveBar {
  const bar = {
    symbol: message.S,
    t: Date.parse(message.t),
    o: message.o,
    h: message.h,
    l: message.l,
    c: message.c,
    v: message.v,
    backfilled: false,
  };
  const one = (x: number): Float64Array => Float64Array.of(x);
  validateBars(
    { t: one(bar.t), o: one(bar.o), h: one(bar.h), l: one(bar.l), c: one(bar.c), v: one(bar.v) },
    `Alpaca stream ${message.S}`,
    () => `bar ${message.t}`,
  );
  return bar;
}

/**
 * The stream's address for a feed. A base that already ends in /v2/{feed} (the full address a fake
 * server or a log prints) is taken as that base, not extended to /v2/iex/v2/iex.
 */
export function streamEndpoint(baseUrl: string, feed: Feed): string {
  return `${baseUrl.replace(/\/+$/, '').replace(/\/v2\/[a-z]+$/, '')}/v2/${feed}`;
}

/** A connection failure in words (the socket's own message is errno jargon such as ECONNREFUSED). */
function plainNetworkError(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'nothing answers there (connection refused)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    default: {
      const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1];
      return status ? `the server there is no bars stream (HTTP ${status})` : error.message;
    }
  }
}

/** Auth failures: retrying with the same keys cannot succeed. */
const FATAL_CODES = new Set([401, 402, 403, 404, 409]);

/**
 * The Alpaca stock bars stream: connect, authenticate, subscribe to bars; each closed 1-minute bar is
 * stored in the cache and then emitted. A dropped connection is retried with exponential backoff and
 * jitter and the subscription renewed; the minutes missed meanwhile are fetched over REST when the
 * first bar after the reconnect shows a gap, so the cache has no hole where the connection was down.
 */
export class LiveBarStream {
  private socket: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private reconnects = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly symbols: Set<string>;
  private readonly lastBar = new Map<string, number>();
  /** Symbols whose next bar must be checked for a gap (set on every reconnect). */
  private readonly checkGap = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private readonly repo: BarsRepository;
  private liveResolvers: (() => void)[] = [];
  readonly url: string;

  constructor(
    db: Database,
    private readonly options: LiveStreamOptions,
  ) {
    this.repo = new BarsRepository(db);
    this.symbols = new Set(options.symbols);
    this.url = streamEndpoint(options.baseUrl ?? DEFAULT_STREAM_BASE_URL, options.feed ?? 'iex');
  }

  /** Connects; resolves once subscribed (rejects if the keys are refused). */
  start(): Promise<void> {
    this.stopped = false;
    return new Promise<void>((resolve, reject) => {
      this.liveResolvers.push(resolve);
      const onError = this.options.onError;
      this.fatal = (error) => {
        reject(error);
        onError?.(error);
      };
      this.connect();
    });
  }

  /** Resolves when every stored bar so far has been written (tests and shutdown wait on it). */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
    await this.idle();
    this.options.onStatus?.({ state: 'stopped' });
  }

  get reconnectCount(): number {
    return this.reconnects;
  }

  private fatal: (error: Error) => void = () => undefined;

  private connect(): void {
    if (this.stopped) return;
    this.options.onStatus?.({ state: 'connecting', attempt: this.attempt + 1 });
    const socket = new WebSocket(this.url);
    this.socket = socket;
    let refused = false;
    socket.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        this.options.onError?.(new Error('The bars stream sent a message that is not JSON'));
        return;
      }
      for (const raw of Array.isArray(parsed) ? parsed : [parsed]) {
        const message = StreamMessage.safeParse(raw);
        if (!message.success) continue;
        const m = message.data;
        if (m.T === 'success' && 'msg' in m && m.msg === 'connected') {
          socket.send(
            JSON.stringify({
              action: 'auth',
              key: this.options.credentials.keyId,
              secret: this.options.credentials.secretKey,
            }),
          );
        } else if (m.T === 'success' && 'msg' in m && m.msg === 'authenticated') {
          socket.send(JSON.stringify({ action: 'subscribe', bars: [...this.symbols] }));
        } else if (m.T === 'subscription') {
          this.attempt = 0;
          this.options.onStatus?.({ state: 'live', symbols: [...this.symbols] });
          for (const resolve of this.liveResolvers.splice(0)) resolve();
        } else if (m.T === 'error' && 'code' in m) {
          if (FATAL_CODES.has(m.code)) {
            refused = true;
            this.stopped = true;
            socket.close();
            this.fatal(
              new Error(
                `Alpaca refused the API keys on the bars stream (code ${m.code}: ${redact(m.msg, this.options.credentials)})`,
              ),
            );
          } else {
            this.options.onError?.(
              new Error(`Bars stream error ${m.code}: ${redact(m.msg, this.options.credentials)}`),
            );
          }
        } else if (m.T === 'b' && 'S' in m) {
          let bar: LiveBar;
          try {
            bar = readStreamBar(m);
          } catch (error) {
            // One bad bar must not end the stream: it is reported and skipped, never stored.
            this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
            continue;
          }
          const extras = { vwap: Float64Array.of(m.vw ?? NaN), tradeCount: Float64Array.of(m.n ?? NaN) };
          this.enqueue(() => this.onBar(bar, extras));
        }
      }
    });
    socket.on('error', (error) => {
      if (!this.stopped)
        this.options.onError?.(
          new Error(`cannot reach the bars stream at ${this.url}: ${plainNetworkError(error)}`),
        );
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      if (this.stopped || refused) return;
      this.scheduleReconnect('connection closed');
    });
  }

  private scheduleReconnect(reason: string): void {
    const base = this.options.reconnectBaseMs ?? 1000;
    const max = this.options.reconnectMaxMs ?? 60_000;
    const ceiling = Math.min(max, base * 2 ** this.attempt++);
    const inMs = ceiling / 2 + (Math.random() * ceiling) / 2;
    for (const symbol of this.symbols) if (this.lastBar.has(symbol)) this.checkGap.add(symbol);
    this.reconnects++;
    this.options.onStatus?.({ state: 'reconnecting', inMs, reason });
    this.timer = setTimeout(() => this.connect(), inMs);
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private async onBar(bar: LiveBar, extras: { vwap: Float64Array; tradeCount: Float64Array }): Promise<void> {
    let last = this.lastBar.get(bar.symbol);
    if (last === undefined && this.options.continueCache) {
      last = await this.lastStoredBefore(bar.symbol, bar.t);
      if (last !== undefined) this.checkGap.add(bar.symbol);
    }
    if (last !== undefined && bar.t <= last) return; // a repeat after a reconnect
    if (last !== undefined && this.checkGap.has(bar.symbol) && bar.t > last + MINUTE_MS) {
      await this.backfill(bar.symbol, last + MINUTE_MS, bar.t);
    }
    this.checkGap.delete(bar.symbol);
    const one = (x: number): Float64Array => Float64Array.of(x);
    await this.repo.write(
      bar.symbol,
      '1m',
      { t: one(bar.t), o: one(bar.o), h: one(bar.h), l: one(bar.l), c: one(bar.c), v: one(bar.v) },
      'alpaca-stream',
      extras,
    );
    this.lastBar.set(bar.symbol, bar.t);
    this.options.onBar?.(bar);
  }

  private async lastStoredBefore(symbol: string, t: number): Promise<number | undefined> {
    if (!(await this.repo.storedTimeframes(symbol)).includes('1m')) return undefined;
    return (await this.repo.read(symbol, '1m', { end: t, limit: 1 })).t[0];
  }

  private async backfill(symbol: string, start: number, end: number): Promise<void> {
    const fetcher = this.options.fetcher;
    if (!fetcher) {
      this.options.onError?.(
        new Error(
          `Bars stream missed ${symbol} from ${new Date(start).toISOString()}; no REST client to back-fill`,
        ),
      );
      return;
    }
    await fetcher.fetch({
      symbols: [symbol],
      timeframe: '1Min',
      start,
      end,
      ...(this.options.feed ? { feed: this.options.feed } : {}),
      ...(this.options.adjustment ? { adjustment: this.options.adjustment } : {}),
    });
    const filled = await this.repo.read(symbol, '1m', { start, end });
    for (let i = 0; i < filled.t.length; i++) {
      this.options.onBar?.({
        symbol,
        t: filled.t[i]!,
        o: filled.o[i]!,
        h: filled.h[i]!,
        l: filled.l[i]!,
        c: filled.c[i]!,
        v: filled.v[i]!,
        backfilled: true,
      });
    }
  }
}
