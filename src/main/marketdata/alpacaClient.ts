import { marketData } from '@alpacahq/alpaca-trade-api';
import { z } from 'zod';
import type { Bars } from '../../core/data/bars.ts';
import { validateBars } from '../../core/data/validate.ts';
import { type AlpacaCredentials, redact } from './credentials.ts';
import { RateLimiter, sleep } from './rateLimiter.ts';
import { UpstreamError } from '../../shared/errors.ts';
import type { Adjustment, AlpacaTimeframe, Feed } from './types.ts';

export const DEFAULT_DATA_BASE_URL = 'https://data.alpaca.markets';
export const DEFAULT_STREAM_BASE_URL = 'wss://stream.data.alpaca.markets';
/** Alpaca's largest page. */
const MAX_PAGE_LIMIT = 10_000;

export interface AlpacaClientOptions {
  readonly credentials: AlpacaCredentials;
  /** Market-data REST host; ALPACA_DATA_BASE_URL or --alpaca-base-url point it at a fake or a proxy. */
  readonly baseUrl?: string;
  readonly requestsPerMinute?: number;
  readonly maxInFlight?: number;
  /** Per attempt, covering the body download. */
  readonly timeoutMs?: number;
  /** Retries after a 5xx, a timeout or a broken connection (429s are retried separately). */
  readonly maxRetries?: number;
  readonly maxRateLimitRetries?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly pageLimit?: number;
  readonly onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  readonly reason: 'rate-limited' | 'server-error' | 'network';
  /** The retry this is, from 1, of at most `limit` for this reason (maxRateLimitRetries or maxRetries). */
  readonly attempt: number;
  readonly limit: number;
  readonly delayMs: number;
  readonly status?: number;
}

export interface BarsPageRequest {
  readonly symbols: readonly string[];
  readonly timeframe: AlpacaTimeframe;
  /** Inclusive start, epoch ms. */
  readonly start: number;
  /** Exclusive end, epoch ms. */
  readonly end: number;
  readonly adjustment: Adjustment;
  readonly feed: Feed;
  readonly pageToken?: string;
}

/** One symbol's bars of a page, as columns; vwap and trade count are NaN where Alpaca sent none. */
export interface SymbolBars {
  readonly bars: Bars;
  readonly vwap: Float64Array;
  readonly tradeCount: Float64Array;
}

export interface BarsPage {
  /** In the order the response lists them (Alpaca sorts by symbol, then time). */
  readonly symbols: Map<string, SymbolBars>;
  readonly nextPageToken: string | null;
  readonly barCount: number;
}

/** The keys were refused (401/403): retrying cannot help, so the whole job stops. */
export class AlpacaAuthError extends UpstreamError {
  override name = 'AlpacaAuthError';
  constructor(readonly upstreamStatus: number) {
    super(
      upstreamStatus === 401
        ? 'Alpaca refused the API keys (HTTP 401 Unauthorized): check the key id and secret saved in the keychain or in APCA_API_KEY_ID / APCA_API_SECRET_KEY'
        : 'Alpaca refused the API keys for this request (HTTP 403 Forbidden): the keys are valid but not allowed this data (feed or plan); try --feed iex',
    );
  }
}

/** Any other failure talking to Alpaca; the message never contains the keys. */
class AlpacaRequestError extends UpstreamError {
  override name = 'AlpacaRequestError';
  constructor(
    message: string,
    readonly upstreamStatus?: number,
    kind: 'upstream' | 'unavailable' = 'upstream',
  ) {
    super(message, kind);
  }
}

/**
 * GET /v2/stocks/bars as documented: {bars: {SYM: [{t,o,h,l,c,v,n,vw}]}, next_page_token}. The envelope
 * is checked by zod; the bars inside (up to 10,000 a page) by `readBar`'s typed field checks, which do
 * the same work as a zod object per bar at a fraction of the cost on the fetch's hot path.
 */
const WireBarsResponse = z.object({
  bars: z.record(z.string(), z.array(z.unknown()).nullable()).nullable(),
  next_page_token: z.string().nullable().optional(),
  currency: z.string().optional(),
});

interface WireBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n?: number;
  vw?: number;
}

function isWireBar(value: unknown): value is WireBar {
  if (typeof value !== 'object' || value === null) return false;
  const bar = value as Record<string, unknown>;
  return (
    typeof bar['t'] === 'string' &&
    typeof bar['o'] === 'number' &&
    typeof bar['h'] === 'number' &&
    typeof bar['l'] === 'number' &&
    typeof bar['c'] === 'number' &&
    typeof bar['v'] === 'number' &&
    (bar['n'] === undefined || typeof bar['n'] === 'number') &&
    (bar['vw'] === undefined || typeof bar['vw'] === 'number')
  );
}

/**
 * The historical bars client: the SDK's generated StockApi does the HTTP (URL, query, auth headers,
 * per-attempt timeout); pacing, retries and the parse into columns are done here, because the fetcher
 * needs all pages as typed arrays and a 429 must slow every request, not just the one that got it.
 */
export class AlpacaBarsClient {
  readonly limiter: RateLimiter;
  readonly stats = { requests: 0, pages: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0 };
  private readonly api: marketData.StockApi;
  private readonly options: Required<Omit<AlpacaClientOptions, 'onRetry' | 'baseUrl'>> &
    Pick<AlpacaClientOptions, 'onRetry'>;

  /** The REST host (and port), as errors name it. */
  private readonly host: string;

  constructor(options: AlpacaClientOptions) {
    const baseUrl = (options.baseUrl ?? DEFAULT_DATA_BASE_URL).replace(/\/+$/, '');
    this.host = URL.canParse(baseUrl) ? new URL(baseUrl).host : baseUrl;
    this.options = {
      credentials: options.credentials,
      requestsPerMinute: options.requestsPerMinute ?? 200,
      maxInFlight: options.maxInFlight ?? 4,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRetries: options.maxRetries ?? 5,
      maxRateLimitRetries: options.maxRateLimitRetries ?? 20,
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 30_000,
      pageLimit: Math.min(MAX_PAGE_LIMIT, options.pageLimit ?? MAX_PAGE_LIMIT),
      onRetry: options.onRetry,
    };
    this.limiter = new RateLimiter({
      requestsPerMinute: this.options.requestsPerMinute,
      maxInFlight: this.options.maxInFlight,
    });
    this.api = new marketData.StockApi(
      new marketData.Configuration({
        basePath: baseUrl,
        keyId: options.credentials.keyId,
        secret: options.credentials.secretKey,
        timeoutMs: this.options.timeoutMs,
        // Retries are ours (shared pacing, 401 stops at once); the SDK's would double them.
        retry: { maxRetries: 0 },
      }),
    );
  }

  /** One page, retried as the failure warrants. */
  async getBarsPage(request: BarsPageRequest, signal?: AbortSignal): Promise<BarsPage> {
    let failures = 0;
    let rateLimits = 0;
    for (;;) {
      signal?.throwIfAborted();
      const release = await this.limiter.acquire(signal);
      let outcome: Attempt;
      try {
        this.stats.requests++;
        outcome = await this.attempt(request, signal);
      } finally {
        release();
      }
      if (outcome.kind === 'page') {
        this.stats.pages++;
        return outcome.page;
      }
      signal?.throwIfAborted();
      if (outcome.kind === 'rate-limited') {
        this.stats.rateLimited++;
        if (++rateLimits > this.options.maxRateLimitRetries) {
          throw new AlpacaRequestError(
            `Alpaca kept answering 429 Too Many Requests after ${rateLimits - 1} waits`,
            429,
          );
        }
        const delayMs = outcome.retryAfterMs ?? this.backoff(rateLimits - 1);
        this.limiter.pause(delayMs);
        const limit = this.options.maxRateLimitRetries;
        this.options.onRetry?.({ reason: 'rate-limited', attempt: rateLimits, limit, delayMs, status: 429 });
        continue;
      }
      if (outcome.kind === 'server-error') this.stats.serverErrors++;
      else this.stats.networkErrors++;
      if (++failures > this.options.maxRetries) {
        throw outcome.kind === 'server-error'
          ? new AlpacaRequestError(
              `Alpaca market data at ${this.host} failed after ${failures} attempts: ${outcome.message}`,
              outcome.status,
            )
          : new AlpacaRequestError(
              `Alpaca market data at ${this.host} could not be reached after ${failures} attempts: ${outcome.message}`,
              undefined,
              'unavailable',
            );
      }
      const delayMs = this.backoff(failures - 1);
      this.options.onRetry?.({
        reason: outcome.kind,
        attempt: failures,
        limit: this.options.maxRetries,
        delayMs,
        ...(outcome.kind === 'server-error' ? { status: outcome.status } : {}),
      });
      await sleep(delayMs, signal);
    }
  }

  /** Every page of a request, following next_page_token to the end. */
  async *iterateBars(request: BarsPageRequest, signal?: AbortSignal): AsyncGenerator<BarsPage> {
    let pageToken = request.pageToken;
    for (;;) {
      const page = await this.getBarsPage({ ...request, ...(pageToken ? { pageToken } : {}) }, signal);
      yield page;
      if (!page.nextPageToken) return;
      pageToken = page.nextPageToken;
    }
  }

  /**
   * What went wrong on the way, in words: the SDK wraps fetch's error, which wraps the system's, so the
   * cause chain is searched for a code or a timeout rather than showing the outer "request failed".
   */
  private networkFailure(error: unknown): string {
    let innermost = error;
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
      const code = (cause as { code?: unknown }).code;
      if (cause.name === 'TimeoutError') return `no answer within ${this.options.timeoutMs / 1000} s`;
      if (code === 'ECONNREFUSED') return 'connection refused';
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was cut';
      if (cause instanceof SyntaxError) return 'the answer was cut short';
      innermost = cause;
    }
    return innermost instanceof Error ? innermost.message : String(innermost);
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** attempt);
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  private async attempt(request: BarsPageRequest, signal?: AbortSignal): Promise<Attempt> {
    const credentials = this.options.credentials;
    let body: unknown;
    try {
      const response = await this.api.stockBarsRaw(
        {
          symbols: request.symbols.join(','),
          timeframe: request.timeframe,
          start: new Date(request.start),
          // Alpaca's end is inclusive of a bar starting at that instant; ours is exclusive.
          end: new Date(request.end - 1),
          limit: this.options.pageLimit,
          adjustment: request.adjustment,
          feed: request.feed,
          sort: 'asc',
          ...(request.pageToken ? { pageToken: request.pageToken } : {}),
        },
        signal ? { signal } : undefined,
      );
      body = await response.raw.json();
    } catch (error) {
      if (error instanceof marketData.ApiError) {
        if (error.status === 401 || error.status === 403) throw new AlpacaAuthError(error.status);
        if (error.status === 429) return { kind: 'rate-limited', retryAfterMs: error.retryAfterMs };
        if (error.status >= 500 || error.status === 408) {
          return { kind: 'server-error', status: error.status, message: `HTTP ${error.status}` };
        }
        // The answer's body is not forwarded: it can echo the request, keys included, in any encoding.
        throw new AlpacaRequestError(
          `Alpaca rejected the bars request (HTTP ${error.status}${error.code !== undefined ? `, code ${error.code}` : ''}): check the symbols, timeframe, dates and feed`,
          error.status,
        );
      }
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('Aborted');
      // A timeout, a reset connection or a body cut short (JSON that ends mid-way): all worth a retry.
      return { kind: 'network', message: redact(this.networkFailure(error), credentials) };
    }
    return { kind: 'page', page: parseBarsPage(body) };
  }
}

type Attempt =
  | { kind: 'page'; page: BarsPage }
  | { kind: 'rate-limited'; retryAfterMs: number | undefined }
  | { kind: 'server-error'; status: number; message: string }
  | { kind: 'network'; message: string };

/** Validates a bars response at the boundary and turns it into columns per symbol. */
export function parseBarsPage(body: unknown): BarsPage {
  const parsed = WireBarsResponse.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AlpacaRequestError(
      `Alpaca sent a bars response of an unexpected shape at ${issue ? issue.path.join('.') : '?'}: ${issue?.message ?? ''}`,
    );
  }
  const symbols = new Map<string, SymbolBars>();
  let barCount = 0;
  for (const [symbol, list] of Object.entries(parsed.data.bars ?? {})) {
    if (!list || list.length === 0) continue;
    const n = list.length;
    const t = new Float64Array(n);
    const o = new Float64Array(n);
    const h = new Float64Array(n);
    const l = new Float64Array(n);
    const c = new Float64Array(n);
    const v = new Float64Array(n);
    const vwap = new Float64Array(n);
    const tradeCount = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const bar = list[i];
      if (!isWireBar(bar)) {
        throw new AlpacaRequestError(
          `Alpaca sent a malformed bar for ${symbol} (bar ${i}): expected {t: string, o, h, l, c, v: number}`,
        );
      }
      t[i] = Date.parse(bar.t);
      o[i] = bar.o;
      h[i] = bar.h;
      l[i] = bar.l;
      c[i] = bar.c;
      v[i] = bar.v;
      vwap[i] = bar.vw ?? NaN;
      tradeCount[i] = bar.n ?? NaN;
    }
    const bars = { t, o, h, l, c, v };
    // The same checks as a CSV or Parquet import: a bar Alpaca got wrong is refused, never stored.
    validateBars(bars, `Alpaca ${symbol}`, (row) => `bar ${(list[row] as WireBar).t}`);
    symbols.set(symbol, { bars, vwap, tradeCount });
    barCount += n;
  }
  return { symbols, nextPageToken: parsed.data.next_page_token ?? null, barCount };
}
