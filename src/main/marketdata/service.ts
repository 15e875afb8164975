import type { Timeframe } from '../../core/data/bars.ts';
import { ConflictError } from '../../shared/errors.ts';
import { SESSION_ONLY_NOTE, type SecretStore } from '../secrets/secretStore.ts';
import { BarsRepository, type DatasetSummary } from '../store/barsRepository.ts';
import type { Database } from '../store/database.ts';
import {
  AlpacaBarsClient,
  DEFAULT_DATA_BASE_URL,
  DEFAULT_STREAM_BASE_URL,
  type RetryEvent,
} from './alpacaClient.ts';
import { type AlpacaCredentials, resolveAlpacaCredentials } from './credentials.ts';
import { CoverageRepository, type CoverageRow } from './coverage.ts';
import { exportBars, type ExportRequest, type ExportResult } from './exporter.ts';
import { HistoricalFetcher, type FetchRequest, type FetchSummary } from './fetcher.ts';
import { importBarsFile, type CsvPartParser, type ImportOptions, type ImportResult } from './importer.ts';
import { checkQuality, type QualityAssessor, type QualityRequest, type QualityResult } from './quality.ts';
import { LiveBarStream, type LiveBar, type StreamStatus } from './liveStream.ts';
import type { Adjustment, Feed } from './types.ts';

export interface MarketDataConfig {
  /** REST host; else ALPACA_DATA_BASE_URL; else Alpaca's. */
  readonly dataBaseUrl?: string;
  /** Stream host; else ALPACA_STREAM_BASE_URL; else Alpaca's. */
  readonly streamBaseUrl?: string;
  readonly requestsPerMinute?: number;
  readonly maxInFlight?: number;
  readonly timeoutMs?: number;
  readonly backoffBaseMs?: number;
  /** Where saved keys are looked up (APCA_API_KEY_ID / APCA_API_SECRET_KEY win when set). */
  readonly secrets?: SecretStore | null;
  /** Keys given directly (tests); otherwise resolved from the environment and the secret store. */
  readonly credentials?: AlpacaCredentials;
  readonly env?: NodeJS.ProcessEnv;
  readonly onRetry?: (event: RetryEvent) => void;
  /** Where quality assessments run; in process when absent (the CLI, which has nothing else to answer). */
  readonly assessQuality?: QualityAssessor;
  /** Where the parts of an imported CSV file are parsed; in process when absent (the CLI). */
  readonly parseCsvPart?: CsvPartParser;
}

export interface DatasetWithCoverage extends DatasetSummary {
  /** Fetched ranges of this symbol and timeframe, per adjustment and feed (empty for imports). */
  readonly coverage: readonly Omit<CoverageRow, 'symbol' | 'timeframe'>[];
}

export interface SyncRequest {
  readonly symbols: readonly string[];
  readonly feed?: Feed;
  readonly adjustment?: Adjustment;
  readonly onBar?: (bar: LiveBar) => void;
  readonly onStatus?: (status: StreamStatus) => void;
  readonly onError?: (error: Error) => void;
}

/**
 * Thrown when a fetch or a sync needs keys and none are configured; the message says how to give them,
 * and does not offer the keychain where none is reachable.
 */
export class MissingCredentialsError extends ConflictError {
  override name = 'MissingCredentialsError';
  constructor(store: SecretStore['kind'] | null) {
    super(
      store === 'memory'
        ? `No Alpaca API keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY. ${SESSION_ONLY_NOTE}`
        : 'No Alpaca API keys: save them in Settings (kept in the OS keychain), or set APCA_API_KEY_ID and APCA_API_SECRET_KEY',
    );
  }
}

/**
 * What the services (Electron IPC, `regimen serve`, the CLI) call for market data: list, fetch, import,
 * export, live sync. One instance per open database; the Alpaca client is created on first use, so
 * listing and importing work without keys.
 */
export class MarketDataService {
  private client: AlpacaBarsClient | null = null;
  private fetcherInstance: HistoricalFetcher | null = null;
  /** The end of the last import asked for (see importFile). */
  private imports: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly config: MarketDataConfig = {},
  ) {}

  get dataBaseUrl(): string {
    return this.config.dataBaseUrl ?? this.env['ALPACA_DATA_BASE_URL'] ?? DEFAULT_DATA_BASE_URL;
  }

  get streamBaseUrl(): string {
    return this.config.streamBaseUrl ?? this.env['ALPACA_STREAM_BASE_URL'] ?? DEFAULT_STREAM_BASE_URL;
  }

  /** One row per stored symbol and timeframe, with the fetched ranges behind it. */
  async list(): Promise<DatasetWithCoverage[]> {
    const [datasets, coverage] = await Promise.all([
      new BarsRepository(this.db).list(),
      new CoverageRepository(this.db).list(),
    ]);
    return datasets.map((d) => ({
      ...d,
      coverage: coverage
        .filter((c) => c.symbol === d.symbol && c.timeframe === d.timeframe)
        .map(({ adjustment, feed, start, end }) => ({ adjustment, feed, start, end })),
    }));
  }

  async fetch(request: FetchRequest): Promise<FetchSummary> {
    return (await this.fetcher()).fetch(request);
  }

  /**
   * Imports run one at a time, in the order asked: each holds the cache's connection for its one
   * transaction, and several at once would only multiply the memory and the wait.
   */
  importFile(path: string, options: ImportOptions = {}): Promise<ImportResult> {
    const parsePart = this.config.parseCsvPart;
    const result = this.imports.then(() =>
      importBarsFile(this.db, path, { ...(parsePart ? { parsePart } : {}), ...options }),
    );
    this.imports = result.catch(() => undefined);
    return result;
  }

  export(request: ExportRequest): Promise<ExportResult> {
    return exportBars(this.db, request);
  }

  quality(request: QualityRequest): Promise<QualityResult> {
    return checkQuality(this.db, request, this.config.assessQuality);
  }

  read(symbol: string, timeframe: Timeframe, range?: { start?: number; end?: number }) {
    return new BarsRepository(this.db).read(symbol, timeframe, range);
  }

  /**
   * The live bars stream, not yet started: the caller starts it (resolves once subscribed) and can stop
   * it at any time, also while it is still trying to connect.
   */
  async syncStream(request: SyncRequest): Promise<LiveBarStream> {
    const fetcher = await this.fetcher();
    const stream = new LiveBarStream(this.db, {
      credentials: await this.credentials(),
      symbols: request.symbols,
      baseUrl: this.streamBaseUrl,
      fetcher,
      continueCache: true,
      ...(request.feed ? { feed: request.feed } : {}),
      ...(request.adjustment ? { adjustment: request.adjustment } : {}),
      ...(request.onBar ? { onBar: request.onBar } : {}),
      ...(request.onStatus ? { onStatus: request.onStatus } : {}),
      ...(request.onError ? { onError: request.onError } : {}),
    });
    return stream;
  }

  /**
   * Drops the REST client and the keys it holds, so the next fetch resolves the keys again: called when
   * they are saved or cleared in the settings. A fetch already running finishes with the keys it had.
   */
  forgetCredentials(): void {
    this.client = null;
    this.fetcherInstance = null;
  }

  /** The shared REST client (its rate limiter spans every fetch of this service). */
  async barsClient(): Promise<AlpacaBarsClient> {
    if (!this.client) {
      this.client = new AlpacaBarsClient({
        credentials: await this.credentials(),
        baseUrl: this.dataBaseUrl,
        ...(this.config.requestsPerMinute ? { requestsPerMinute: this.config.requestsPerMinute } : {}),
        ...(this.config.maxInFlight ? { maxInFlight: this.config.maxInFlight } : {}),
        ...(this.config.timeoutMs ? { timeoutMs: this.config.timeoutMs } : {}),
        ...(this.config.backoffBaseMs ? { backoffBaseMs: this.config.backoffBaseMs } : {}),
        ...(this.config.onRetry ? { onRetry: this.config.onRetry } : {}),
      });
    }
    return this.client;
  }

  private async fetcher(): Promise<HistoricalFetcher> {
    if (!this.fetcherInstance) this.fetcherInstance = new HistoricalFetcher(this.db, await this.barsClient());
    return this.fetcherInstance;
  }

  private async credentials(): Promise<AlpacaCredentials> {
    if (this.config.credentials) return this.config.credentials;
    const found = await resolveAlpacaCredentials(this.config.secrets ?? null, this.env);
    if (!found) throw new MissingCredentialsError(this.config.secrets?.kind ?? null);
    return found;
  }

  private get env(): NodeJS.ProcessEnv {
    return this.config.env ?? process.env;
  }
}
