import { etMidnight, etDateKey, MINUTE_MS } from '../../core/data/calendar.ts';
import { BarsRepository, type BatchEntry } from '../store/barsRepository.ts';
import type { Database } from '../store/database.ts';
import type { AlpacaBarsClient, BarsPage } from './alpacaClient.ts';
import { CoverageRepository, type Interval } from './coverage.ts';
import {
  type Adjustment,
  type AlpacaTimeframe,
  type Feed,
  type ProgressListener,
  TO_CACHE_TIMEFRAME,
} from './types.ts';

export interface FetchRequest {
  readonly symbols: readonly string[];
  readonly timeframe: AlpacaTimeframe;
  /** Inclusive start, epoch ms. */
  readonly start: number;
  /** Exclusive end, epoch ms (clipped to what can be final: the last closed minute, or today for 1Day). */
  readonly end: number;
  readonly adjustment?: Adjustment;
  readonly feed?: Feed;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface FetchSummary {
  readonly symbols: readonly string[];
  readonly timeframe: AlpacaTimeframe;
  /** Missing ranges asked for (0 when the cache already had everything). */
  readonly requests: number;
  readonly pages: number;
  readonly bars: number;
  readonly elapsedMs: number;
}

export interface FetcherOptions {
  /** Longest time span of one request chain; shorter spans let several chains run in parallel. */
  readonly chunkMs?: Partial<Record<AlpacaTimeframe, number>>;
  /** Symbols per request (Alpaca accepts long lists; the URL must stay reasonable). */
  readonly maxSymbolsPerRequest?: number;
  /** Request chains run at once (the rate limiter still paces their starts). */
  readonly concurrency?: number;
  readonly now?: () => number;
}

const DAY = 86_400_000;
const DEFAULT_CHUNK_MS: Record<AlpacaTimeframe, number> = {
  '1Min': 30 * DAY,
  '5Min': 120 * DAY,
  '15Min': 365 * DAY,
  '1Hour': 3 * 365 * DAY,
  '1Day': 30 * 365 * DAY,
};

interface Job {
  readonly symbols: string[];
  readonly start: number;
  readonly end: number;
}

/**
 * Fills the cache from Alpaca, asking only for what the coverage record says is missing. Each page is
 * stored with its coverage in one transaction, so an interrupted fetch keeps every page it committed
 * and the next run starts after the last stored bar. Storing is an upsert: running twice changes nothing.
 */
export class HistoricalFetcher {
  private readonly bars: BarsRepository;
  readonly coverage: CoverageRepository;
  private readonly options: Required<Omit<FetcherOptions, 'chunkMs'>> & {
    chunkMs: Record<AlpacaTimeframe, number>;
  };

  constructor(
    db: Database,
    private readonly client: AlpacaBarsClient,
    options: FetcherOptions = {},
  ) {
    this.bars = new BarsRepository(db);
    this.coverage = new CoverageRepository(db);
    this.options = {
      chunkMs: { ...DEFAULT_CHUNK_MS, ...options.chunkMs },
      maxSymbolsPerRequest: options.maxSymbolsPerRequest ?? 100,
      concurrency: options.concurrency ?? 4,
      now: options.now ?? Date.now,
    };
  }

  /** The ranges each symbol still lacks for this request. */
  async missing(request: FetchRequest): Promise<Map<string, Interval[]>> {
    const { adjustment, feed, end } = this.settings(request);
    const timeframe = TO_CACHE_TIMEFRAME[request.timeframe];
    const out = new Map<string, Interval[]>();
    for (const symbol of request.symbols) {
      out.set(
        symbol,
        await this.coverage.missing({ symbol, timeframe, adjustment, feed }, { start: request.start, end }),
      );
    }
    return out;
  }

  async fetch(request: FetchRequest): Promise<FetchSummary> {
    const started = performance.now();
    const jobs = this.plan(await this.missing(request), request.timeframe);
    const weight = (job: Job): number => (job.end - job.start) * job.symbols.length;
    const total = jobs.reduce((sum, job) => sum + weight(job), 0);
    let done = 0;
    let bars = 0;
    let pages = 0;
    const report = (message?: string): void =>
      request.onProgress?.({
        stage: 'fetch',
        done: Math.min(done, total),
        total,
        bars,
        ...(message ? { message } : {}),
      });
    report(jobs.length === 0 ? 'already cached' : `${jobs.length} request${jobs.length === 1 ? '' : 's'}`);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        let jobDone = 0;
        await this.runJob(job, request, (page, progress) => {
          pages++;
          bars += page.barCount;
          done += progress - jobDone;
          jobDone = progress;
          report();
        });
        done += weight(job) - jobDone;
        report();
      }
    };
    const workers = Array.from({ length: Math.min(this.options.concurrency, jobs.length) }, worker);
    await Promise.all(workers);
    return {
      symbols: request.symbols,
      timeframe: request.timeframe,
      requests: jobs.length,
      pages,
      bars,
      elapsedMs: performance.now() - started,
    };
  }

  /**
   * One request chain: pages in Alpaca's order (by symbol, then time). After each page the coverage
   * advances to what is known complete: symbols the page moved past in full, and the page's last
   * symbol up to its last bar.
   */
  private async runJob(
    job: Job,
    request: FetchRequest,
    onPage: (page: BarsPage, progress: number) => void,
  ): Promise<void> {
    const { adjustment, feed } = this.settings(request);
    const timeframe = TO_CACHE_TIMEFRAME[request.timeframe];
    const span = job.end - job.start;
    const finished = new Set<string>();
    let current: string | undefined;
    for await (const page of this.client.iterateBars(
      {
        symbols: job.symbols,
        timeframe: request.timeframe,
        start: job.start,
        end: job.end,
        adjustment,
        feed,
      },
      request.signal,
    )) {
      const entries: BatchEntry[] = [];
      const complete: string[] = [];
      let last: { symbol: string; t: number } | undefined;
      for (const [symbol, data] of page.symbols) {
        if (!job.symbols.includes(symbol)) continue;
        entries.push({ symbol, bars: data.bars, extras: { vwap: data.vwap, tradeCount: data.tradeCount } });
        if (current !== undefined && current !== symbol && !finished.has(current)) complete.push(current);
        if (last) complete.push(last.symbol);
        last = { symbol, t: data.bars.t[data.bars.t.length - 1]! };
        current = symbol;
      }
      if (!page.nextPageToken) complete.push(...job.symbols);
      const newlyComplete = [...new Set(complete)].filter((s) => !finished.has(s));
      await this.bars.writeBatch(timeframe, 'alpaca', entries, {
        alsoInTransaction: async () => {
          for (const symbol of newlyComplete) {
            await this.coverage.addInTransaction({ symbol, timeframe, adjustment, feed }, job);
          }
          if (last && !newlyComplete.includes(last.symbol)) {
            await this.coverage.addInTransaction(
              { symbol: last.symbol, timeframe, adjustment, feed },
              { start: job.start, end: last.t + 1 },
            );
          }
        },
      });
      for (const symbol of newlyComplete) finished.add(symbol);
      const partial = last && !finished.has(last.symbol) ? (last.t + 1 - job.start) / span : 0;
      onPage(page, (finished.size + Math.min(1, Math.max(0, partial))) * span);
    }
  }

  /** Splits missing ranges into request chains, batching symbols that lack the same range. */
  private plan(missing: Map<string, Interval[]>, timeframe: AlpacaTimeframe): Job[] {
    const chunk = this.options.chunkMs[timeframe];
    const jobs: Job[] = [];
    const open = new Map<string, Job>();
    for (const [symbol, intervals] of missing) {
      for (const interval of intervals) {
        for (let start = interval.start; start < interval.end; start += chunk) {
          const end = Math.min(interval.end, start + chunk);
          const id = `${start}:${end}`;
          let job = open.get(id);
          if (!job || job.symbols.length >= this.options.maxSymbolsPerRequest) {
            job = { symbols: [], start, end };
            open.set(id, job);
            jobs.push(job);
          }
          job.symbols.push(symbol);
        }
      }
    }
    return jobs
      .map((job) => ({ ...job, symbols: [...job.symbols].sort() }))
      .sort((a, b) => a.start - b.start);
  }

  private settings(request: FetchRequest): { adjustment: Adjustment; feed: Feed; end: number } {
    const now = this.options.now();
    // Only what is final gets recorded as fetched: closed minutes, or sessions before today for 1Day.
    const lastFinal =
      request.timeframe === '1Day'
        ? etMidnight(etDateKey(now))
        : Math.floor(now / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    return {
      adjustment: request.adjustment ?? 'raw',
      feed: request.feed ?? 'iex',
      end: Math.min(request.end, lastFinal),
    };
  }
}
