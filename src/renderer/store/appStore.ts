import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RegimenClient } from '../../shared/client.ts';
import type {
  AppInfo,
  BacktestResult,
  BarsPayload,
  DatasetInfo,
  JobProgress,
  StrategyInfo,
} from '../../shared/contract.ts';
import type { Timeframe } from '../../core/data/bars.ts';
import { errorMessage } from '../client/clientError.ts';
import { checkAccount, checkParams, defaultDraft, type ParamDraft } from './params.ts';

export type ViewId = 'backtest' | 'data';

export type Loadable<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; data: T }
  | { status: 'error'; message: string };

export interface Notice {
  id: number;
  /** What the user was doing, e.g. "Backtest" or "Loading bars". */
  context: string;
  message: string;
}

export interface RunningJob {
  jobId: string;
  startedAt: number;
  progress: JobProgress | null;
}

/** How many of the most recent bars the price chart shows. */
export const CHART_BAR_LIMITS = [500, 2_000, 5_000, 20_000] as const;
export type ChartBarLimit = (typeof CHART_BAR_LIMITS)[number];

export interface AppState {
  view: ViewId;
  appInfo: AppInfo | null;
  datasets: Loadable<DatasetInfo[]>;
  strategies: Loadable<StrategyInfo[]>;
  symbol: string | null;
  timeframe: Timeframe;
  barLimit: ChartBarLimit;
  bars: Loadable<BarsPayload>;
  strategyName: string | null;
  paramDraft: ParamDraft;
  cash: string;
  /** Percent of traded value, as typed. */
  commission: string;
  job: RunningJob | null;
  result: BacktestResult | null;
  notices: Notice[];

  start(): Promise<void>;
  setView(view: ViewId): void;
  selectSymbol(symbol: string): void;
  setTimeframe(timeframe: Timeframe): void;
  setBarLimit(limit: ChartBarLimit): void;
  selectStrategy(name: string): void;
  setParam(name: string, text: string): void;
  resetParams(): void;
  setCash(text: string): void;
  setCommission(text: string): void;
  runBacktest(): Promise<void>;
  dismissNotice(id: number): void;
}

export type AppStore = StoreApi<AppState>;

function newJobId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function createAppStore(client: RegimenClient): AppStore {
  let noticeId = 0;
  // Only the answer to the latest bars request may land: the user can click through symbols faster than
  // the server answers.
  let barsRequest = 0;
  let unsubscribe: Array<() => void> = [];

  return createStore<AppState>()((set, get) => {
    const notify = (context: string, error: unknown): void => {
      noticeId += 1;
      const notice: Notice = { id: noticeId, context, message: errorMessage(error) };
      // Keep the last few; an error storm must not bury the screen.
      set((s) => ({ notices: [...s.notices, notice].slice(-4) }));
    };

    const loadBars = async (): Promise<void> => {
      const { symbol, timeframe, barLimit } = get();
      if (!symbol) return;
      const request = ++barsRequest;
      set({ bars: { status: 'loading' } });
      try {
        const data = await client.invoke('bars:get', { symbol, timeframe, limit: barLimit });
        if (request === barsRequest) set({ bars: { status: 'ready', data } });
      } catch (error) {
        if (request !== barsRequest) return;
        set({ bars: { status: 'error', message: errorMessage(error) } });
        notify(`Loading ${symbol} ${timeframe} bars`, error);
      }
    };

    const onProgress = (progress: JobProgress): void => {
      const job = get().job;
      if (job && progress.jobId === job.jobId) set({ job: { ...job, progress } });
    };

    return {
      view: 'backtest',
      appInfo: null,
      datasets: { status: 'idle' },
      strategies: { status: 'idle' },
      symbol: null,
      timeframe: '15m',
      barLimit: 2_000,
      bars: { status: 'idle' },
      strategyName: null,
      paramDraft: {},
      cash: '10000',
      commission: '0',
      job: null,
      result: null,
      notices: [],

      async start() {
        for (const stop of unsubscribe) stop();
        unsubscribe = [client.on('job:progress', onProgress)];
        set({ datasets: { status: 'loading' }, strategies: { status: 'loading' } });
        const info = client.invoke('app:info', {}).then(
          (appInfo) => set({ appInfo }),
          (error: unknown) => notify('Connecting to the services', error),
        );
        const datasets = client.invoke('data:list', {}).then(
          (data) => {
            set({ datasets: { status: 'ready', data } });
            const first = data[0];
            if (!get().symbol && first) get().selectSymbol(first.symbol);
          },
          (error: unknown) => {
            set({ datasets: { status: 'error', message: errorMessage(error) } });
            notify('Listing symbols', error);
          },
        );
        const strategies = client.invoke('strategies:list', {}).then(
          (data) => {
            set({ strategies: { status: 'ready', data } });
            const first = data[0];
            if (!get().strategyName && first) get().selectStrategy(first.name);
          },
          (error: unknown) => {
            set({ strategies: { status: 'error', message: errorMessage(error) } });
            notify('Listing strategies', error);
          },
        );
        await Promise.all([info, datasets, strategies]);
      },

      setView(view) {
        set({ view });
      },

      selectSymbol(symbol) {
        if (symbol === get().symbol && get().bars.status !== 'error') return;
        set({ symbol, result: null });
        void loadBars();
      },

      setTimeframe(timeframe) {
        if (timeframe === get().timeframe) return;
        set({ timeframe, result: null });
        void loadBars();
      },

      setBarLimit(barLimit) {
        if (barLimit === get().barLimit) return;
        set({ barLimit });
        void loadBars();
      },

      selectStrategy(name) {
        const strategies = get().strategies;
        if (strategies.status !== 'ready') return;
        const strategy = strategies.data.find((s) => s.name === name);
        if (!strategy) return;
        set({ strategyName: name, paramDraft: defaultDraft(strategy) });
      },

      setParam(name, text) {
        set((s) => ({ paramDraft: { ...s.paramDraft, [name]: text } }));
      },

      resetParams() {
        const strategy = selectedStrategy(get());
        if (strategy) set({ paramDraft: defaultDraft(strategy) });
      },

      setCash(cash) {
        set({ cash });
      },

      setCommission(commission) {
        set({ commission });
      },

      async runBacktest() {
        const state = get();
        const strategy = selectedStrategy(state);
        if (!state.symbol || !strategy || state.job) return;
        const params = checkParams(strategy, state.paramDraft);
        const account = checkAccount(state.cash, state.commission);
        if (
          Object.keys(params.errors).length > 0 ||
          account.cash === undefined ||
          account.commission === undefined
        ) {
          notify('Backtest', new Error('Some inputs are out of range: fix the fields marked in red.'));
          return;
        }
        const jobId = newJobId();
        set({ job: { jobId, startedAt: Date.now(), progress: null } });
        try {
          const result = await client.invoke('backtest:run', {
            jobId,
            symbol: state.symbol,
            timeframe: state.timeframe,
            strategy: strategy.name,
            params: params.values,
            cash: account.cash,
            commission: account.commission,
          });
          // The user may have moved to another symbol or timeframe while it ran.
          const now = get();
          if (now.symbol === result.symbol && now.timeframe === result.timeframe) set({ result });
        } catch (error) {
          notify(`Backtest ${strategy.name} on ${state.symbol} ${state.timeframe}`, error);
        } finally {
          if (get().job?.jobId === jobId) set({ job: null });
        }
      },

      dismissNotice(id) {
        set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
      },
    };
  });
}

export function selectedStrategy(state: AppState): StrategyInfo | null {
  if (state.strategies.status !== 'ready') return null;
  return state.strategies.data.find((s) => s.name === state.strategyName) ?? null;
}

/** One row per symbol for the symbol list: the finest timeframe stored says how much history there is. */
export function symbolRows(datasets: DatasetInfo[]): DatasetInfo[] {
  const bySymbol = new Map<string, DatasetInfo>();
  const rank = (tf: string): number => ['1m', '5m', '15m', '1h', '1d'].indexOf(tf);
  for (const row of datasets) {
    const seen = bySymbol.get(row.symbol);
    if (!seen || (rank(row.timeframe) >= 0 && rank(row.timeframe) < rank(seen.timeframe)))
      bySymbol.set(row.symbol, row);
  }
  return [...bySymbol.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
}
