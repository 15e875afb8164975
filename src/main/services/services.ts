import { availableParallelism } from 'node:os';
import { version } from '../../../package.json';
import type { AppInfo, RequestChannel, Requests } from '../../shared/contract.ts';
import { ComputePool } from '../compute/pool.ts';
import { MarketDataService, type MarketDataConfig } from '../marketdata/service.ts';
import { removeStaleStaging } from '../marketdata/importer.ts';
import { openSecretStore, type SecretStore } from '../secrets/secretStore.ts';
import { databasePath } from '../paths.ts';
import { BarsRepository } from '../store/barsRepository.ts';
import { Database } from '../store/database.ts';
import { createAppHandlers } from './app/handlers.ts';
import { createBacktestHandlers } from './backtest/handlers.ts';
import { loadUserStrategies, reloadUserStrategies } from './backtest/userStrategyFiles.ts';
import { ComputeChoice } from './compute/computeChoice.ts';
import { createCompareHandlers } from './compare/handlers.ts';
import { createComputeHandlers } from './compute/handlers.ts';
import { createDataHandlers } from './data/handlers.ts';
import { ensureDemoMarket, type DemoProgress } from './demoMarket.ts';
import { EventBus } from './events.ts';
import { JobRegistry } from './jobs.ts';
import { createLearnerHandlers } from './learner/handlers.ts';
import { createOptimizeHandlers } from './optimize/handlers.ts';
import { createRegimeHandlers } from './regime/handlers.ts';
import { createLiveHandlers } from './live/handlers.ts';
import { secretScrubber } from './scrub.ts';
import { createSettingsHandlers } from './settings/handlers.ts';
import { SettingsStore } from './settings/settingsStore.ts';

export interface ServicesOptions {
  dataDir: string;
  host: AppInfo['host'];
  /** Worker threads for the compute pool; all cores by default. */
  threads?: number;
  /** Skips writing the demo market (tests that bring their own data). */
  skipDemo?: boolean;
  /** Told before a first start generates the demo market (seconds of otherwise silent work). */
  onNotice?: (notice: string) => void;
  /**
   * Resolve at once and generate the demo market behind: app:info reports its progress, so a window can
   * say what is happening, and every other request waits until it is done (the hosts set this).
   */
  prepareInBackground?: boolean;
  /**
   * Alpaca hosts (e.g. the fake server for demos), else ALPACA_DATA_BASE_URL / ALPACA_STREAM_BASE_URL;
   * the pacing and timings (tests shorten them).
   */
  alpaca?: Pick<
    MarketDataConfig,
    'dataBaseUrl' | 'streamBaseUrl' | 'requestsPerMinute' | 'timeoutMs' | 'backoffBaseMs'
  >;
  /** Where API keys are saved; the OS keychain when it answers, else memory (see keys-status). */
  secrets?: SecretStore;
  /** Environment the Alpaca keys and hosts are read from; process.env by default (tests isolate it). */
  env?: NodeJS.ProcessEnv;
  /** How long a strategy file's top level may run before it is called broken (STRATEGY_LOAD_TIMEOUT_MS). */
  strategyLoadTimeoutMs?: number;
}

/** The services behind the contract, shared by both hosts and the CLI. */
export interface Services {
  readonly handlers: Requests;
  readonly events: EventBus;
  readonly db: Database;
  readonly bars: BarsRepository;
  readonly pool: ComputePool;
  readonly marketData: MarketDataService;
  close(): Promise<void>;
}

export async function createServices(options: ServicesOptions): Promise<Services> {
  const db = await Database.open(databasePath(options.dataDir));
  // What an import killed mid-way left (nothing of it was stored): gone before anything imports again.
  await removeStaleStaging(db);
  const bars = new BarsRepository(db);
  const events = new EventBus();
  const jobs = new JobRegistry();
  let preparing: DemoProgress | null = null;
  let demo = false;
  // The strategy files load on worker threads (main never runs them), beside the demo market.
  const strategyLoad = {
    ...(options.strategyLoadTimeoutMs === undefined ? {} : { timeoutMs: options.strategyLoadTimeoutMs }),
  };
  const strategyFiles = {
    current: () => loadUserStrategies(options.dataDir, strategyLoad),
    reload: () => reloadUserStrategies(options.dataDir, strategyLoad),
  };
  const ready = Promise.all([
    options.skipDemo
      ? Promise.resolve(false)
      : ensureDemoMarket(bars, options.onNotice, (progress) => (preparing = progress)),
    strategyFiles.current(),
  ]).then(([loaded]) => {
    demo = loaded;
    preparing = null;
  });
  if (!options.prepareInBackground) await ready;
  // In the background nothing may await it for a while: a failure is said now (and every gated request
  // fails with it), rather than left unhandled.
  else
    ready.catch((error: unknown) =>
      options.onNotice?.(
        `The demo market could not be generated: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  const settings = new SettingsStore({
    dataDir: options.dataDir,
    checkpoint: () => db.run('CHECKPOINT'),
    onChange: (state) => events.emit('settings:changed', state),
  });
  const pool = new ComputePool(options.threads ?? settings.settings.workers ?? undefined);
  settings.usePool({
    get running() {
      return pool.threads;
    },
    cores: availableParallelism(),
    resize: (threads) => pool.resize(threads),
  });
  const env = options.env ?? process.env;
  const secrets = options.secrets ?? (await openSecretStore());
  const jobContext = { events, jobs, scrub: secretScrubber(env, secrets) };
  const compute = new ComputeChoice({ dataDir: options.dataDir, pool, secrets, env });
  const optimizer = createOptimizeHandlers({
    db,
    bars,
    pool,
    compute: compute.evaluators,
    jobs: jobContext,
    riskFreePercent: () => settings.settings.riskFreePercent,
  });
  const live = createLiveHandlers({
    dataDir: options.dataDir,
    db,
    bars,
    executor: pool,
    events,
    secrets,
    env,
    watch: true,
    settings: () => settings.settings,
  });
  const marketData = new MarketDataService(db, {
    ...options.alpaca,
    secrets,
    env,
    // A fetch waiting out a rate limit looks hung: whoever listens (the CLI's fetch and sync) says why.
    onRetry: (retry) => events.emit('data:alpaca-retry', retry),
    // A long span takes seconds to assess; on the pool it no longer holds up every other request.
    assessQuality: (series, assessment) => pool.run({ kind: 'quality', bars: series, options: assessment }),
    // Parsing a CSV file of gigabytes is minutes of CPU; on the pool, requests keep being answered.
    parseCsvPart: (input) => pool.run({ kind: 'csv-part', input }),
  });

  // One line per domain: each implements exactly its channels (DomainHandlers), and `Requests` fails to
  // type-check here when a domain's channel has no handler.
  const handlers: Requests = {
    ...createAppHandlers({
      info: () => ({
        version,
        host: options.host,
        dataDir: options.dataDir,
        demo: demo || preparing !== null,
        preparing,
      }),
      jobs,
    }),
    ...createBacktestHandlers({
      bars,
      pool,
      jobs: jobContext,
      events,
      strategyFiles,
      riskFreePercent: () => settings.settings.riskFreePercent,
    }),
    ...createComputeHandlers({ choice: compute, scrub: jobContext.scrub }),
    ...createDataHandlers({ bars, marketData, secrets, events, jobs, env }),
    ...optimizer.handlers,
    ...createRegimeHandlers({
      db,
      bars,
      pool,
      jobs: jobContext,
      riskFreePercent: () => settings.settings.riskFreePercent,
    }),
    ...live.handlers,
    ...createLearnerHandlers({ db, bars, pool, jobs: jobContext, settings: () => settings.settings }),
    ...createSettingsHandlers(settings),
    ...createCompareHandlers({
      db,
      bars,
      pool,
      jobs: jobContext,
      riskFreePercent: () => settings.settings.riskFreePercent,
    }),
  };

  return {
    handlers: afterReady(handlers, ready, ['app:info']),
    events,
    db,
    bars,
    pool,
    marketData,
    close: async () => {
      // The demo market may still be being written: the database must outlive those writes.
      await ready.catch(() => undefined);
      await optimizer.service.close();
      await compute.close();
      await live.close();
      await pool.close();
      db.close();
    },
  };
}

/** `handlers` whose requests wait for `ready` first, except the `open` ones (which report on it). */
function afterReady(handlers: Requests, ready: Promise<void>, open: readonly RequestChannel[]): Requests {
  const gated: Record<string, (input: never) => unknown> = { ...handlers };
  for (const [channel, handler] of Object.entries(handlers) as Array<
    [RequestChannel, (input: never) => unknown]
  >) {
    if (open.includes(channel)) continue;
    gated[channel] = async (input: never) => {
      await ready;
      return handler(input);
    };
  }
  return gated as unknown as Requests;
}
