import type { Requests } from '../../shared/contract.ts';
import { ComputePool } from '../compute/pool.ts';
import { databasePath } from '../paths.ts';
import { BarsRepository } from '../store/barsRepository.ts';
import { Database } from '../store/database.ts';
import { BacktestService } from './backtestService.ts';
import { ensureDemoMarket } from './demoMarket.ts';
import { EventBus } from './events.ts';
import { listStrategies } from './strategyCatalog.ts';
import { barsToPayload } from './payloads.ts';

export interface ServicesOptions {
  dataDir: string;
  host: 'electron' | 'http';
  /** Worker threads for the compute pool; all cores by default. */
  threads?: number;
  /** Skips writing the demo market (tests that bring their own data). */
  skipDemo?: boolean;
}

/** The services behind the contract, shared by both hosts and the CLI. */
export interface Services {
  readonly handlers: Requests;
  readonly events: EventBus;
  readonly db: Database;
  readonly bars: BarsRepository;
  readonly pool: ComputePool;
  close(): Promise<void>;
}

const VERSION = '0.1.0';

export async function createServices(options: ServicesOptions): Promise<Services> {
  const db = await Database.open(databasePath(options.dataDir));
  const bars = new BarsRepository(db);
  const events = new EventBus();
  const demo = options.skipDemo ? false : await ensureDemoMarket(bars);
  const pool = new ComputePool(options.threads);
  const backtests = new BacktestService(bars, pool, events);

  const handlers: Requests = {
    'app:info': async () => ({ version: VERSION, host: options.host, dataDir: options.dataDir, demo }),
    'data:list': () => bars.list(),
    'bars:get': async (query) =>
      barsToPayload(query.symbol, query.timeframe, await bars.read(query.symbol, query.timeframe, query)),
    'strategies:list': async () => listStrategies(),
    'backtest:run': (request) => backtests.run(request),
  };

  return {
    handlers,
    events,
    db,
    bars,
    pool,
    close: async () => {
      await pool.close();
      db.close();
    },
  };
}
