import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RegimenClient } from '../../shared/client.ts';
import type {
  AppInfo,
  BacktestResult,
  BarsPayload,
  DatasetInfo,
  JobProgress,
  RequestInput,
  StrategyInfo,
} from '../../shared/contract.ts';
import type { Timeframe } from '../../core/data/bars.ts';
import { finestAvailable, TIMEFRAME_CHOICES, TIMEFRAME_MS, timeframeReasons } from '../timeframes.ts';
import { dateRange } from '../format.ts';
import { errorMessage } from '../client/clientError.ts';
import { checkAccount, checkParams, commissionPercentText, defaultDraft, type ParamDraft } from './params.ts';
import { DEFAULT_TIME_ZONE_SETTING, isTimeZoneSetting, type TimeZoneSetting } from '../../shared/timeZone.ts';
import { isViewId, type ViewId } from '../views/registry.ts';
import { localKeeper, sessionKeeper, type Keeper } from './keeper.ts';
import { checkCosts, DEFAULT_COST_DRAFT, isCostDraft, type CostDraft } from './costDraft.ts';
import { latestOnly, newJobId, withNotice, withoutNotice, type Notice } from './requests.ts';
import type { Settings, SettingsPatch, SettingsState } from '../../shared/settingsContract.ts';

/** The record's costs as the forms' draft: null parts are left to the asset class (empty fields). */
function costDraftOf(settings: Settings): CostDraft {
  return {
    fees: settings.fees,
    spreadBps: settings.spreadBps === null ? '' : String(settings.spreadBps),
    impact: settings.impact === null ? '' : String(settings.impact),
    borrowPercent: settings.borrowPercent === null ? '' : String(settings.borrowPercent),
    cryptoFeeTier: settings.cryptoFeeTier,
    shortSales: settings.shortSales,
    units: settings.units,
  };
}

/** The draft's parts for the record: only a draft without errors is written. */
function costPatchOf(draft: CostDraft): SettingsPatch | null {
  const { costs, errors } = checkCosts(draft);
  if (Object.keys(errors).length > 0) return null;
  return {
    fees: costs?.fees ?? null,
    spreadBps: costs?.spreadBps ?? null,
    impact: costs?.impact ?? null,
    borrowPercent: costs?.borrowPercent ?? null,
    cryptoFeeTier: costs?.cryptoFeeTier ?? null,
    shortSales: costs?.shortSales ?? null,
    units: costs?.units ?? null,
  };
}

export type Loadable<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; data: T }
  | { status: 'error'; message: string };

export type { Notice } from './requests.ts';

/** What can fail in the backtest workspace: one banner each, gone once it works again. */
type NoticeCause = 'services' | 'symbols' | 'strategies' | 'bars' | 'backtest' | 'settings';

export interface RunningJob {
  jobId: string;
  startedAt: number;
  progress: JobProgress | null;
}

/** How many of the most recent bars the price chart shows. */
export const CHART_BAR_LIMITS = [500, 2_000, 5_000, 20_000] as const;
export type ChartBarLimit = (typeof CHART_BAR_LIMITS)[number];

/** Which minutes bars are drawn from: regular hours only (the default) or pre- and post-market too. */
export type TradingSession = NonNullable<RequestInput<'bars:get'>['session']>;
/** Every session the contract takes: `satisfies` keeps this list from naming one it does not. */
export const TRADING_SESSIONS = ['regular', 'extended'] as const satisfies readonly TradingSession[];

const isTradingSession = (value: unknown): value is TradingSession =>
  (TRADING_SESSIONS as readonly unknown[]).includes(value);

export interface AppState {
  view: ViewId;
  /** The services client, for views that keep their own store (data, settings). */
  readonly client: RegimenClient;
  appInfo: AppInfo | null;
  datasets: Loadable<DatasetInfo[]>;
  strategies: Loadable<StrategyInfo[]>;
  symbol: string | null;
  timeframe: Timeframe;
  barLimit: ChartBarLimit;
  /** The price chart's window ends here (exclusive, epoch ms); null follows the latest bar. */
  barsEnd: number | null;
  /** The bars shown; they stay while a newer request is in flight (`barsLoading`) so the chart does not blink. */
  bars: Loadable<BarsPayload>;
  barsLoading: boolean;
  strategyName: string | null;
  paramDraft: ParamDraft;
  cash: string;
  /** Percent of traded value, as typed. */
  commission: string;
  /** Close a position still open after the last bar, so it is a closed trade (the CLI's --close-at-end). */
  closeAtEnd: boolean;
  /** The dates the next backtest runs over (date inputs' YYYY-MM-DD, UTC days; empty: all cached bars). */
  backtestDates: { start: string; end: string };
  /** The tear sheet's benchmark: another cached symbol held over the run's bars ('' : the symbol itself). */
  benchmark: string;
  /** Fees, spread and impact for every run from the app (Settings and every form), kept across launches. */
  costs: CostDraft;
  job: RunningJob | null;
  result: BacktestResult | null;
  /**
   * What `result` is, for a pin: the request run here, or the trial or request another view ran (null
   * when unknown). Without it Pin was disabled, unexplained, for a trial opened in the Backtest view.
   */
  resultSource: ResultSource | null;
  /**
   * The last backtest while the chart shows another symbol, timeframe or session (the trader looked
   * elsewhere, or a run finished after they did): shown again on the way back, or by `showKeptAside`.
   * Before, moving the chart dropped it, and a run finishing after the move was dropped unseen.
   */
  keptAside: KeptAside | null;
  /** The trade picked in the trade list; `seq` changes on every pick so picking it again re-centres. */
  focus: { trade: number; seq: number } | null;
  notices: Notice[];
  /**
   * Whether the services answer: 'connecting' until the first app:info, 'offline' once the event
   * connection dropped and app:info failed (the server stopped), 'online' again when it answers.
   */
  connection: { state: 'connecting' | 'online' | 'offline'; message: string | null };
  /** The one zone every time is printed in (Settings); kept across launches. */
  timeZone: TimeZoneSetting;
  /**
   * The one session every timeframe's bars and backtests use (Settings and the Backtest view); kept
   * across launches, as the CLI's --session.
   */
  session: TradingSession;
  /**
   * The settings record main owns (default cash, costs, risk-free rate, workers, zone, session, data
   * folder); null until the services answer. The form defaults, zone, session and costs follow it, and
   * changing them here writes it through, so every window, the CLI and the next launch agree.
   */
  settings: SettingsState | null;

  start(): Promise<void>;
  setView(view: ViewId): void;
  selectSymbol(symbol: string): void;
  setTimeframe(timeframe: Timeframe): void;
  setBarLimit(limit: ChartBarLimit): void;
  /** Shows a trade on the price chart, loading the bars around it when they are not the ones shown. */
  focusTrade(index: number): void;
  showLatestBars(): void;
  selectStrategy(name: string): void;
  /** Reads the data folder's strategy files again (after the user edited one); every window gets the list. */
  reloadStrategies(): Promise<void>;
  setParam(name: string, text: string): void;
  resetParams(): void;
  setCash(text: string): void;
  setCommission(text: string): void;
  setCloseAtEnd(closeAtEnd: boolean): void;
  setBacktestDates(dates: Partial<AppState['backtestDates']>): void;
  setBenchmark(symbol: string): void;
  setCosts(costs: CostDraft): void;
  setTimeZone(timeZone: TimeZoneSetting): void;
  setSession(session: TradingSession): void;
  /** Changes settings of the record (refused values come back as a notice naming the setting). */
  saveSettings(patch: SettingsPatch): Promise<boolean>;
  runBacktest(): Promise<void>;
  /**
   * Shows a backtest computed elsewhere (an optimiser trial) with its settings in the form, without
   * running it again; `account` gives the cash and the commission as a fraction (absent: the form's stay).
   */
  openBacktest(
    result: BacktestResult,
    account: { cash?: number; commission?: number },
    source?: ResultSource | null,
  ): void;
  /** Shows the backtest kept aside: the chart goes to its symbol, timeframe and session (the shown one is kept aside). */
  showKeptAside(): void;
  dismissNotice(id: number): void;
  /** Lists the cached datasets again (after an import, a fetch or a repair). */
  refreshDatasets(): Promise<void>;
}

export type AppStore = StoreApi<AppState>;

/** What a backtest result stands for, as the compare set takes it. */
export type ResultSource = RequestInput<'compare:pin'>['source'];

/** A backtest not shown because the chart moved, with what it stands for and the session it ran on. */
export interface KeptAside {
  result: BacktestResult;
  source: ResultSource | null;
  session: TradingSession;
}

/** What a page reload keeps of the workspace: the tab, the chart's choices, the form and the last result. */
const KEPT_KEYS = [
  'view',
  'symbol',
  'timeframe',
  'barLimit',
  'strategyName',
  'paramDraft',
  'cash',
  'commission',
  'result',
  // Without it a kept result could not be pinned (Pin was disabled after every reload).
  'resultSource',
  'keptAside',
] as const satisfies ReadonlyArray<keyof AppState>;
type KeptApp = Partial<Pick<AppState, (typeof KEPT_KEYS)[number]>>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The kept values that still make sense (storage is the page's, but it may hold an older shape). */
function keptApp(value: unknown): KeptApp {
  if (!isRecord(value)) return {};
  const kept: KeptApp = {};
  if (isViewId(value.view)) kept.view = value.view;
  if (typeof value.symbol === 'string') kept.symbol = value.symbol;
  if (typeof value.timeframe === 'string' && (TIMEFRAME_CHOICES as string[]).includes(value.timeframe))
    kept.timeframe = value.timeframe as Timeframe;
  if ((CHART_BAR_LIMITS as readonly unknown[]).includes(value.barLimit))
    kept.barLimit = value.barLimit as ChartBarLimit;
  if (typeof value.strategyName === 'string') kept.strategyName = value.strategyName;
  if (isRecord(value.paramDraft) && Object.values(value.paramDraft).every((v) => typeof v === 'string'))
    kept.paramDraft = value.paramDraft as ParamDraft;
  if (typeof value.cash === 'string') kept.cash = value.cash;
  if (typeof value.commission === 'string') kept.commission = value.commission;
  const result = keptResult(value.result);
  if (result) {
    kept.result = result;
    kept.resultSource = keptSource(value.resultSource, result);
  }
  const aside = value.keptAside;
  const asideResult = isRecord(aside) ? keptResult(aside.result) : null;
  if (isRecord(aside) && asideResult && isTradingSession(aside.session))
    kept.keptAside = {
      result: asideResult,
      source: keptSource(aside.source, asideResult),
      session: aside.session,
    };
  return kept;
}

/** A kept result; one kept by an older version (without its tear sheet) is dropped rather than shown half. */
function keptResult(result: unknown): BacktestResult | null {
  return isRecord(result) &&
    Array.isArray(result.trades) &&
    isRecord(result.equity) &&
    isRecord(result.metrics) &&
    isRecord(result.tearSheet)
    ? (result as unknown as BacktestResult)
    : null;
}

/** A kept result's source, only beside that result; the services check it again when it is pinned. */
function keptSource(source: unknown, result: BacktestResult): ResultSource | null {
  if (!isRecord(source)) return null;
  const request = source.request;
  if (
    source.kind === 'backtest' &&
    isRecord(request) &&
    request.symbol === result.symbol &&
    request.timeframe === result.timeframe &&
    request.strategy === result.strategy
  )
    return source as unknown as ResultSource;
  if (source.kind === 'trial' && typeof source.studyId === 'string' && Number.isInteger(source.trial))
    return source as unknown as ResultSource;
  return null;
}

const PREFERENCES_KEY = 'preferences';
const PREPARING_POLL_MS = 400;

export function createAppStore(
  client: RegimenClient,
  keeper: Keeper = sessionKeeper(),
  preferences: Keeper = localKeeper(),
): AppStore {
  const kept = keptApp(keeper.load('app'));
  const preferred = preferences.load(PREFERENCES_KEY);
  const timeZone =
    isRecord(preferred) && isTimeZoneSetting(preferred.timeZone)
      ? preferred.timeZone
      : DEFAULT_TIME_ZONE_SETTING;
  const session: TradingSession =
    isRecord(preferred) && isTradingSession(preferred.session) ? preferred.session : 'regular';
  // Only the answer to the latest bars request may land: the user can click through symbols faster than
  // the server answers.
  const barsRequest = latestOnly();
  const datasetsRequest = latestOnly();
  let unsubscribe: Array<() => void> = [];

  const store = createStore<AppState>()((set, get) => {
    const notify = (cause: NoticeCause, context: string, error: unknown): void =>
      set((s) => ({ notices: withNotice(s.notices, cause, context, error, 4) }));
    const resolved = (cause: NoticeCause): void => set((s) => ({ notices: withoutNotice(s.notices, cause) }));

    /**
     * The result to show once the chart is on `next`: the shown one or the one kept aside when it was
     * computed there; otherwise none, and the shown one is kept aside (it replaces the one kept before).
     */
    const resultFor = (next: {
      symbol: string | null;
      timeframe: Timeframe;
      session: TradingSession;
    }): Pick<AppState, 'result' | 'resultSource' | 'keptAside' | 'focus'> => {
      const { result, resultSource, keptAside, session } = get();
      const shown: KeptAside | null = result ? { result, source: resultSource, session } : null;
      const on = (kept: KeptAside | null): kept is KeptAside =>
        kept !== null &&
        kept.result.symbol === next.symbol &&
        kept.result.timeframe === next.timeframe &&
        kept.session === next.session;
      if (on(shown)) return { result, resultSource, keptAside, focus: get().focus };
      if (on(keptAside))
        return { result: keptAside.result, resultSource: keptAside.source, keptAside: shown, focus: null };
      return { result: null, resultSource: null, keptAside: shown ?? keptAside, focus: null };
    };

    const loadBars = async (): Promise<void> => {
      const { symbol, timeframe, barLimit, barsEnd, session } = get();
      if (!symbol) return;
      const isLatest = barsRequest();
      set((s) => ({ barsLoading: true, bars: s.bars.status === 'idle' ? { status: 'loading' } : s.bars }));
      try {
        const query = {
          symbol,
          timeframe,
          limit: barLimit,
          session,
          ...(barsEnd === null ? {} : { end: barsEnd }),
        };
        const data = await client.invoke('bars:get', query);
        if (!isLatest()) return;
        set({ bars: { status: 'ready', data }, barsLoading: false });
        resolved('bars');
      } catch (error) {
        if (!isLatest()) return;
        set({ bars: { status: 'error', message: errorMessage(error) }, barsLoading: false });
        notify('bars', `Loading ${symbol} ${timeframe} bars`, error);
      }
    };

    const savePreferences = (): void => {
      const { timeZone: zone, session: chosen, costs } = get();
      preferences.save(PREFERENCES_KEY, { timeZone: zone, session: chosen, costs });
    };

    const writeSettings = async (patch: SettingsPatch): Promise<boolean> => {
      try {
        adoptSettings(await client.invoke('settings:set', patch));
        resolved('settings');
        return true;
      } catch (error) {
        notify('settings', 'Saving the settings', error);
        return false;
      }
    };

    /** A new strategy list (a reload): the chosen strategy keeps its draft unless its file changed. */
    const adoptStrategies = ({ strategies }: { strategies: StrategyInfo[] }): void => {
      const chosen = selectedStrategy(get());
      set({ strategies: { status: 'ready', data: strategies } });
      const now = strategies.find((s) => s.name === chosen?.name) ?? strategies[0];
      if (now && (now.name !== chosen?.name || now.version !== chosen.version))
        set({ strategyName: now.name, paramDraft: defaultDraft(now) });
    };

    /** A record from the services (at start, after a change here, or pushed after one elsewhere). */
    const adoptSettings = (state: SettingsState): void => {
      const latest = get().settings?.revision;
      // An earlier state that arrives after a later one (the answer to the first of two quick changes)
      // would undo the second here while the record keeps it.
      if (latest?.instance === state.revision.instance && state.revision.count < latest.count) return;
      const before = get().settings?.settings;
      const next = state.settings;
      const draft = get().costs;
      const draftPatch = costPatchOf(draft);
      const patch: Partial<AppState> = {
        settings: state,
        timeZone: next.timeZone,
        // The draft being typed stays while it says what the record says ("1." is 1 bp).
        costs:
          draftPatch !== null &&
          (Object.keys(draftPatch) as Array<keyof SettingsPatch>).every(
            (key) => draftPatch[key] === next[key],
          )
            ? draft
            : costDraftOf(next),
      };
      // The form takes a new default; a form kept from this tab's last visit keeps what was typed.
      if (before === undefined ? kept.cash === undefined : before.cash !== next.cash)
        patch.cash = String(next.cash);
      if (
        before === undefined
          ? kept.commission === undefined
          : before.commissionPercent !== next.commissionPercent
      )
        patch.commission = String(next.commissionPercent);
      const sessionChanged = next.session !== get().session;
      set(
        sessionChanged
          ? { ...patch, session: next.session, ...resultFor({ ...get(), session: next.session }) }
          : patch,
      );
      savePreferences();
      if (sessionChanged) void loadBars();
    };

    const infoRequest = latestOnly();
    /** Asks app:info: the answer says the services are up, a failure that they are not. */
    const checkServices = async (): Promise<void> => {
      const isLatest = infoRequest();
      try {
        const appInfo = await client.invoke('app:info', {});
        if (!isLatest()) return;
        set({ appInfo, connection: { state: 'online', message: null } });
        resolved('services');
        // A first start is generating the demo market: its progress is read until it is done (the other
        // requests, the symbol list among them, are answered once it is).
        if (appInfo.preparing !== null) setTimeout(() => void checkServices(), PREPARING_POLL_MS);
      } catch (error) {
        if (!isLatest()) return;
        set({ connection: { state: 'offline', message: errorMessage(error) } });
        if (get().appInfo === null) notify('services', 'Connecting to the services', error);
      }
    };

    const onProgress = (progress: JobProgress): void => {
      const job = get().job;
      if (job && progress.jobId === job.jobId) set({ job: { ...job, progress } });
    };

    return {
      view: 'backtest',
      client,
      appInfo: null,
      datasets: { status: 'idle' },
      strategies: { status: 'idle' },
      symbol: null,
      timeframe: '15m',
      barLimit: 2_000,
      barsEnd: null,
      bars: { status: 'idle' },
      barsLoading: false,
      strategyName: null,
      paramDraft: {},
      cash: '10000',
      commission: '0',
      closeAtEnd: false,
      backtestDates: { start: '', end: '' },
      benchmark: '',
      costs: isRecord(preferred) && isCostDraft(preferred.costs) ? preferred.costs : DEFAULT_COST_DRAFT,
      job: null,
      result: null,
      resultSource: null,
      keptAside: null,
      focus: null,
      notices: [],
      connection: { state: 'connecting', message: null },
      timeZone,
      session,
      settings: null,
      ...kept,

      async start() {
        for (const stop of unsubscribe) stop();
        unsubscribe = [
          client.on('job:progress', onProgress),
          client.on('settings:changed', adoptSettings),
          client.on('strategies:changed', adoptStrategies),
        ];
        void client
          .invoke('settings:get', {})
          .then(adoptSettings, (error: unknown) => notify('settings', 'Reading the settings', error));
        if (client.onConnection)
          unsubscribe.push(
            client.onConnection((open) => {
              // A dropped connection alone may be a blip: the server is called gone once app:info fails.
              if (open && get().connection.state === 'offline')
                void checkServices().then(() => get().refreshDatasets());
              else if (!open) void checkServices();
            }),
          );
        set({ datasets: { status: 'loading' }, strategies: { status: 'loading' } });
        const info = checkServices();
        const datasets = get().refreshDatasets();
        const strategies = client.invoke('strategies:list', {}).then(
          (data) => {
            set({ strategies: { status: 'ready', data } });
            resolved('strategies');
            const first = data[0];
            if (!get().strategyName && first) get().selectStrategy(first.name);
          },
          (error: unknown) => {
            set({ strategies: { status: 'error', message: errorMessage(error) } });
            notify('strategies', 'Listing strategies', error);
          },
        );
        await Promise.all([info, datasets, strategies]);
      },

      setView(view) {
        set({ view });
      },

      selectSymbol(symbol) {
        if (symbol === get().symbol && get().bars.status !== 'error') return;
        // A symbol stored only as 1d cannot be shown in 15m: switch to its finest timeframe rather than
        // asking the server for one it must refuse.
        const reasons = symbolTimeframeReasons({ ...get(), symbol });
        const timeframe = reasons[get().timeframe] === null ? get().timeframe : finestAvailable(reasons);
        const next = { symbol, timeframe: timeframe ?? get().timeframe, session: get().session };
        set({ symbol, timeframe: next.timeframe, ...resultFor(next), barsEnd: null });
        if (timeframe) void loadBars();
        else set({ bars: { status: 'idle' }, barsLoading: false });
      },

      setTimeframe(timeframe) {
        if (timeframe === get().timeframe) return;
        if (symbolTimeframeReasons(get())[timeframe] !== null) return;
        set({ timeframe, ...resultFor({ ...get(), timeframe }), barsEnd: null });
        void loadBars();
      },

      setBarLimit(barLimit) {
        if (barLimit === get().barLimit) return;
        set({ barLimit });
        void loadBars();
      },

      focusTrade(index) {
        const { result, bars, timeframe, focus } = get();
        const trade = result?.trades[index];
        if (!trade) return;
        set({ focus: { trade: index, seq: (focus?.seq ?? 0) + 1 } });
        const shown = bars.status === 'ready' ? bars.data.t : [];
        const first = shown[0];
        const last = shown[shown.length - 1];
        if (first !== undefined && last !== undefined && trade.entryTime >= first && trade.exitTime <= last)
          return;
        // Load the window that ends a little after the exit, so the trade sits in view with context around it.
        set({ barsEnd: trade.exitTime + 60 * TIMEFRAME_MS[timeframe] });
        void loadBars();
      },

      showLatestBars() {
        if (get().barsEnd === null) return;
        set({ barsEnd: null });
        void loadBars();
      },

      selectStrategy(name) {
        const strategy = findStrategy(get().strategies, name);
        if (!strategy) return;
        set({ strategyName: name, paramDraft: defaultDraft(strategy) });
      },

      async reloadStrategies() {
        await client
          .invoke('strategies:reload', {})
          .then(adoptStrategies, (error: unknown) =>
            notify('strategies', 'Reloading the strategy files', error),
          );
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

      setCloseAtEnd(closeAtEnd) {
        set({ closeAtEnd });
      },

      setBenchmark(benchmark) {
        set({ benchmark });
      },

      setBacktestDates(dates) {
        set((s) => ({ backtestDates: { ...s.backtestDates, ...dates } }));
      },

      async runBacktest() {
        const state = get();
        const strategy = selectedStrategy(state);
        if (!state.symbol || !strategy || state.job) return;
        const params = checkParams(strategy, state.paramDraft);
        const account = checkAccount(state.cash, state.commission);
        const costs = checkCosts(state.costs);
        if (
          Object.keys(params.errors).length > 0 ||
          Object.keys(costs.errors).length > 0 ||
          account.cash === undefined ||
          account.commission === undefined
        ) {
          notify(
            'backtest',
            'Backtest',
            new Error('Some inputs are out of range: fix the fields marked in red.'),
          );
          return;
        }
        const jobId = newJobId();
        set({ job: { jobId, startedAt: Date.now(), progress: null } });
        try {
          const request: RequestInput<'backtest:run'> = {
            jobId,
            symbol: state.symbol,
            timeframe: state.timeframe,
            strategy: strategy.name,
            params: params.values,
            cash: account.cash,
            commission: account.commission,
            ...(costs.costs === undefined ? {} : { costs: costs.costs }),
            closeAtEnd: state.closeAtEnd,
            session: state.session,
            ...dateRange(state.backtestDates),
            ...(state.benchmark === '' || state.benchmark === state.symbol
              ? {}
              : { benchmark: state.benchmark }),
          };
          const result = await client.invoke('backtest:run', request);
          // The user may have moved to another symbol, timeframe or session while it ran: then it is
          // kept aside, to be shown on the way back.
          const now = get();
          const source: ResultSource = { kind: 'backtest', request };
          if (
            now.symbol === result.symbol &&
            now.timeframe === result.timeframe &&
            now.session === state.session
          )
            set({ result, resultSource: source, focus: null });
          else set({ keptAside: { result, source, session: state.session } });
          resolved('backtest');
        } catch (error) {
          notify('backtest', `Backtest ${strategy.name} on ${state.symbol} ${state.timeframe}`, error);
        } finally {
          if (get().job?.jobId === jobId) set({ job: null });
        }
      },

      openBacktest(result, account, source = null) {
        const state = get();
        const strategy = findStrategy(state.strategies, result.strategy);
        const paramDraft: ParamDraft = strategy ? defaultDraft(strategy) : { ...state.paramDraft };
        for (const [name, value] of Object.entries(result.params)) paramDraft[name] = String(value);
        const sameBars =
          state.symbol === result.symbol &&
          state.timeframe === result.timeframe &&
          state.bars.status !== 'error';
        set({
          view: 'backtest',
          strategyName: strategy ? strategy.name : state.strategyName,
          paramDraft,
          ...(account.cash === undefined ? {} : { cash: String(account.cash) }),
          ...(account.commission === undefined
            ? {}
            : { commission: commissionPercentText(account.commission) }),
          symbol: result.symbol,
          timeframe: result.timeframe,
          result,
          resultSource: source,
          focus: null,
          ...(sameBars ? {} : { barsEnd: null }),
        });
        if (!sameBars) void loadBars();
      },

      async refreshDatasets() {
        const isLatest = datasetsRequest();
        try {
          const data = await client.invoke('data:list', {});
          if (!isLatest()) return;
          set({ datasets: { status: 'ready', data } });
          resolved('symbols');
          const first = data[0];
          const symbol = get().symbol;
          if (symbol && data.some((d) => d.symbol === symbol)) {
            // Kept from before a reload: its bars are not loaded yet.
            if (get().bars.status === 'idle') void loadBars();
          } else if (first) get().selectSymbol(first.symbol);
        } catch (error) {
          if (!isLatest()) return;
          // A failed refresh keeps the list already shown.
          if (get().datasets.status !== 'ready')
            set({ datasets: { status: 'error', message: errorMessage(error) } });
          notify('symbols', 'Listing symbols', error);
        }
      },

      setTimeZone(zone) {
        set({ timeZone: zone });
        savePreferences();
        void writeSettings({ timeZone: zone });
      },

      setCosts(costs) {
        set({ costs });
        savePreferences();
        const patch = costPatchOf(costs);
        if (patch !== null) void writeSettings(patch);
      },

      saveSettings: writeSettings,

      setSession(session) {
        if (session === get().session) return;
        // A result computed on the other session's bars does not match the chart: it is kept aside.
        set({ session, ...resultFor({ ...get(), session }) });
        savePreferences();
        void loadBars();
        void writeSettings({ session });
      },

      showKeptAside() {
        const { keptAside: aside, result, resultSource, session } = get();
        if (!aside) return;
        set({
          symbol: aside.result.symbol,
          timeframe: aside.result.timeframe,
          session: aside.session,
          result: aside.result,
          resultSource: aside.source,
          keptAside: result ? { result, source: resultSource, session } : null,
          focus: null,
          barsEnd: null,
        });
        if (aside.session !== session) {
          savePreferences();
          void writeSettings({ session: aside.session });
        }
        void loadBars();
      },

      dismissNotice(id) {
        set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
      },
    };
  });
  store.subscribe((now, previous) => {
    if (KEPT_KEYS.some((key) => now[key] !== previous[key]))
      keeper.save('app', Object.fromEntries(KEPT_KEYS.map((key) => [key, now[key]])));
  });
  return store;
}

/** The listed strategy of that name, if the strategies are listed and it is one of them. */
export function findStrategy(strategies: Loadable<StrategyInfo[]>, name: string | null): StrategyInfo | null {
  if (strategies.status !== 'ready') return null;
  return strategies.data.find((s) => s.name === name) ?? null;
}

export function selectedStrategy(state: AppState): StrategyInfo | null {
  return findStrategy(state.strategies, state.strategyName);
}

/** Why each timeframe cannot be shown for the chosen symbol (null when it can). */
export function symbolTimeframeReasons(
  state: Pick<AppState, 'datasets' | 'symbol'>,
): Record<Timeframe, string | null> {
  return timeframeReasons(state.datasets.status === 'ready' ? state.datasets.data : null, state.symbol);
}

/**
 * True while the symbol shown is the demo market's (synthetic bars), so the status bar's DEMO MARKET
 * chip tells what is on screen and not only that the demo exists somewhere in the store.
 */
export function showsDemoMarket(state: Pick<AppState, 'datasets' | 'symbol'>): boolean {
  if (state.datasets.status !== 'ready' || state.symbol === null) return false;
  return state.datasets.data.some((d) => d.symbol === state.symbol && d.source === 'demo');
}

/** One row per symbol for the symbol list: the finest timeframe stored says how much history there is. */
export function symbolRows(datasets: DatasetInfo[]): DatasetInfo[] {
  const bySymbol = new Map<string, DatasetInfo>();
  const rank = (tf: string): number => (TIMEFRAME_CHOICES as string[]).indexOf(tf);
  for (const row of datasets) {
    const seen = bySymbol.get(row.symbol);
    if (!seen || (rank(row.timeframe) >= 0 && rank(row.timeframe) < rank(seen.timeframe)))
      bySymbol.set(row.symbol, row);
  }
  return [...bySymbol.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
}
