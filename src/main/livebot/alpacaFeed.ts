import { sessionOf } from '../../core/data/calendar.ts';
import type { Session } from '../../core/ml/learner/ledger.ts';
import { AlpacaBarsClient } from '../marketdata/alpacaClient.ts';
import type { AlpacaCredentials } from '../marketdata/credentials.ts';
import { HistoricalFetcher } from '../marketdata/fetcher.ts';
import type { AlpacaHosts } from '../marketdata/hosts.ts';
import { LiveBarStream, type StreamStatus } from '../marketdata/liveStream.ts';
import { BarsRepository } from '../store/barsRepository.ts';
import { Database } from '../store/database.ts';
import type { LiveBarFeed } from './referenceBot.ts';

export interface AlpacaBarFeedOptions {
  readonly credentials: AlpacaCredentials;
  readonly symbol: string;
  /**
   * The hours it delivers: regular keeps to the exchange's session (the stream sends pre- and
   * after-market bars too), so the bot trades the session its status reports.
   */
  readonly session: Session;
  readonly hosts?: AlpacaHosts;
  readonly reconnectBaseMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * The Alpaca bars stream as a bot's feed: reconnects with backoff, and back-fills the minutes missed
 * while away over REST. Its bars go to an in-memory cache: the bot must not take the workstation's
 * data folder, which `regimen serve` owns while it runs.
 */
export function alpacaBarFeed(options: AlpacaBarFeedOptions): LiveBarFeed {
  let stream: LiveBarStream | null = null;
  let db: Database | null = null;
  let fetcher: HistoricalFetcher | null = null;
  const log = options.log ?? (() => undefined);
  return {
    async start(onBar) {
      db = await Database.open(':memory:');
      const client = new AlpacaBarsClient({
        credentials: options.credentials,
        ...(options.hosts?.dataBaseUrl ? { baseUrl: options.hosts.dataBaseUrl } : {}),
      });
      fetcher = new HistoricalFetcher(db, client);
      stream = new LiveBarStream(db, {
        credentials: options.credentials,
        symbols: [options.symbol],
        ...(options.hosts?.streamBaseUrl ? { baseUrl: options.hosts.streamBaseUrl } : {}),
        fetcher,
        ...(options.reconnectBaseMs === undefined ? {} : { reconnectBaseMs: options.reconnectBaseMs }),
        onBar: (bar) => {
          if (options.session === 'regular' && sessionOf(bar.t) === null) return;
          onBar({ t: bar.t, o: bar.o, h: bar.h, l: bar.l, c: bar.c, v: bar.v });
        },
        onStatus: (status) => log(`bars stream: ${describe(status)}`),
        onError: (error) => log(`bars stream: ${error.message}`),
      });
      await stream.start();
    },
    async history(before, count) {
      if (db === null || fetcher === null) throw new Error('the feed is not started');
      // Regular sessions have 390 minutes; weekends and holidays are what the slack days cover.
      const start = before - (Math.ceil(count / 390) * 2 + 4) * DAY_MS;
      await fetcher.fetch({ symbols: [options.symbol], timeframe: '1Min', start, end: before });
      return new BarsRepository(db).read(options.symbol, '1m', {
        start,
        end: before,
        limit: count,
        session: options.session,
      });
    },
    async stop() {
      await stream?.stop();
      db?.close();
      stream = null;
      db = null;
      fetcher = null;
    },
  };
}

const DAY_MS = 86_400_000;

function describe(status: StreamStatus): string {
  switch (status.state) {
    case 'connecting':
      return `connecting (attempt ${status.attempt})`;
    case 'live':
      return `live on ${status.symbols.join(', ')}`;
    case 'reconnecting':
      return `${status.reason}; reconnecting in ${Math.round(status.inMs)} ms`;
    case 'stopped':
      return status.error ? `stopped: ${status.error}` : 'stopped';
  }
}
