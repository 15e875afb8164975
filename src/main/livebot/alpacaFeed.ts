import { AlpacaBarsClient } from '../marketdata/alpacaClient.ts';
import type { AlpacaCredentials } from '../marketdata/credentials.ts';
import { HistoricalFetcher } from '../marketdata/fetcher.ts';
import type { AlpacaHosts } from '../marketdata/hosts.ts';
import { LiveBarStream, type StreamStatus } from '../marketdata/liveStream.ts';
import { Database } from '../store/database.ts';
import type { LiveBarFeed } from './referenceBot.ts';

export interface AlpacaBarFeedOptions {
  readonly credentials: AlpacaCredentials;
  readonly symbol: string;
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
  const log = options.log ?? (() => undefined);
  return {
    async start(onBar) {
      db = await Database.open(':memory:');
      const client = new AlpacaBarsClient({
        credentials: options.credentials,
        ...(options.hosts?.dataBaseUrl ? { baseUrl: options.hosts.dataBaseUrl } : {}),
      });
      stream = new LiveBarStream(db, {
        credentials: options.credentials,
        symbols: [options.symbol],
        ...(options.hosts?.streamBaseUrl ? { baseUrl: options.hosts.streamBaseUrl } : {}),
        fetcher: new HistoricalFetcher(db, client),
        ...(options.reconnectBaseMs === undefined ? {} : { reconnectBaseMs: options.reconnectBaseMs }),
        onBar: (bar) => onBar({ t: bar.t, o: bar.o, h: bar.h, l: bar.l, c: bar.c, v: bar.v }),
        onStatus: (status) => log(`bars stream: ${describe(status)}`),
        onError: (error) => log(`bars stream: ${error.message}`),
      });
      await stream.start();
    },
    async stop() {
      await stream?.stop();
      db?.close();
      stream = null;
      db = null;
    },
  };
}

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
