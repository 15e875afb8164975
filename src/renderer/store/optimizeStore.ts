import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Timeframe } from '../../core/data/bars.ts';
import type { RegimenClient } from '../../shared/client.ts';
import type {
  BacktestResult,
  OptimizeProgressEvent,
  OptimizeTrialEvent,
  StudyDetail,
  StudySummary,
  TrialRow,
} from '../../shared/contract.ts';
import { errorMessage } from '../client/clientError.ts';
import { findStrategy, type AppState, type AppStore, type Loadable } from './appStore.ts';
import {
  checkSetup,
  defaultSpace,
  emptySetup,
  type ObjectiveMetric,
  type SetupDraft,
  type SpaceDraft,
} from './optimizeSetup.ts';
import { latestOnly, newJobId, withNotice, type Notice } from './requests.ts';
import { studyMeasures } from './studyMeasures.ts';

/** Charts and the table are redrawn at most this often, however fast trials arrive. */
export const FLUSH_INTERVAL_MS = 250;

/** The study on screen. `detail` is null until `optimize:get` answers; its `trials` are kept apart. */
export interface ActiveStudy {
  id: string;
  detail: StudyDetail | null;
}

export interface TrialInspection {
  trialNumber: number;
  status: 'loading' | 'ready' | 'error';
  result: BacktestResult | null;
  message: string | null;
}

export type HeatAggregate = 'best' | 'mean';

export interface ChartChoices {
  /** Key of the measure the convergence chart, heatmap, parallel axes and table colour by. */
  measure: string | null;
  heatX: string | null;
  heatY: string | null;
  heatAggregate: HeatAggregate;
  paretoA: string | null;
  paretoB: string | null;
  /** The parameter the objective-response chart plots along (single-objective studies). */
  response: string | null;
}

export interface TableSort {
  /** '#', 'm:<measure key>', 'p:<param>', or 'x:<metric>'. */
  key: string;
  descending: boolean;
}

export interface OptimizeState {
  setup: SetupDraft;
  studies: Loadable<StudySummary[]>;
  starting: boolean;
  study: ActiveStudy | null;
  /** Trials of the study on screen, by number; replaced (throttled) as events arrive. */
  trials: TrialRow[];
  progress: OptimizeProgressEvent | null;
  charts: ChartChoices;
  sort: TableSort;
  center: 'search' | 'inspect';
  inspection: TrialInspection | null;
  approving: boolean;
  notices: Notice[];

  /**
   * Subscribes to the optimisation events and to the app's strategies and symbol (which fill the form
   * once they are known), and lists past studies.
   */
  connect(): void;
  patchSetup(patch: Partial<SetupDraft>): void;
  chooseStrategy(name: string): void;
  patchSpace(name: string, patch: Partial<SpaceDraft>): void;
  resetSpace(): void;
  toggleTimeframe(timeframe: Timeframe, multi: boolean): void;
  toggleObjective(metric: ObjectiveMetric): void;
  setObjectiveWeight(metric: ObjectiveMetric, text: string): void;
  start(): Promise<void>;
  cancel(): Promise<void>;
  resume(studyId: string): Promise<void>;
  open(studyId: string): Promise<void>;
  refreshStudies(): Promise<void>;
  setCharts(patch: Partial<ChartChoices>): void;
  sortBy(key: string): void;
  setCenter(center: 'search' | 'inspect'): void;
  inspect(trialNumber: number): Promise<void>;
  /** Hands the inspected trial's backtest to the Backtest workspace (price chart with its trades). */
  openInBacktest(): void;
  approve(trialNumber: number): Promise<void>;
  dismissNotice(id: number): void;
}

export type OptimizeStore = StoreApi<OptimizeState>;

const TERMINAL_STATES = new Set(['complete', 'cancelled', 'failed']);
/** Events that arrive while `optimize:start` is in flight, kept until the study id is known. */
const MAX_EARLY_TRIALS = 20_000;

/** Strategy parameters are numbers; a trial's numeric parameters are what a backtest or approval takes. */
export function numericParams(trial: TrialRow): Record<string, number> {
  const params: Record<string, number> = {};
  for (const [name, value] of Object.entries(trial.params))
    if (typeof value === 'number') params[name] = value;
  return params;
}

/** True when the approved set is this trial's parameters. */
export function isApprovedTrial(detail: StudyDetail | null, trial: TrialRow): boolean {
  const approved = detail?.approved;
  if (!approved) return false;
  const entries = Object.entries(approved.params);
  return entries.length > 0 && entries.every(([name, value]) => trial.params[name] === value);
}

/** Chart defaults for a study: its first measure and its first two searched parameters. */
function defaultCharts(detail: StudyDetail, current: ChartChoices): ChartChoices {
  const measures = studyMeasures(detail.summary);
  const ranged = detail.config.space
    .filter((p) => (p.kind === 'categorical' ? p.choices.length > 1 : p.low < p.high))
    .map((p) => p.name);
  const names = detail.config.space.map((p) => p.name);
  const keep = (value: string | null, allowed: string[], fallback: string | null): string | null =>
    value !== null && allowed.includes(value) ? value : fallback;
  const measureKeys = measures.map((m) => m.key);
  const objectiveKeys = measureKeys.filter((k) => k.startsWith('objective-'));
  return {
    measure: keep(current.measure, measureKeys, measureKeys[0] ?? null),
    heatX: keep(current.heatX, names, ranged[0] ?? names[0] ?? null),
    heatY: keep(current.heatY, names, ranged[1] ?? names[1] ?? ranged[0] ?? null),
    heatAggregate: current.heatAggregate,
    paretoA: keep(current.paretoA, objectiveKeys, objectiveKeys[0] ?? null),
    paretoB: keep(current.paretoB, objectiveKeys, objectiveKeys[1] ?? objectiveKeys[0] ?? null),
    response: keep(current.response, names, ranged[0] ?? names[0] ?? null),
  };
}

/**
 * The winner to show: the live best while the study runs (the detail read when it was opened goes stale),
 * the study's own winner once it has stopped (the plateau centre when preferPlateau).
 */
export function bestTrialNumber(state: Pick<OptimizeState, 'study' | 'progress'>): number | null {
  const live = state.progress?.best?.number ?? null;
  const stored = state.study?.detail?.best?.number ?? null;
  return state.progress?.state === 'running' ? (live ?? stored) : (stored ?? live);
}

export function createOptimizeStore(client: RegimenClient, app: AppStore): OptimizeStore {
  let unsubscribe: Array<() => void> = [];
  // The trials of the study on screen, merged by number as events and `optimize:get` answers arrive; the
  // store gets a sorted copy at most every FLUSH_INTERVAL_MS so charts are not redrawn per event.
  const trialMap = new Map<number, TrialRow>();
  let activeId: string | null = null;
  let dirty = false;
  let pendingProgress: OptimizeProgressEvent | null = null;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let earlyTrials: OptimizeTrialEvent[] | null = null;
  let earlyProgress: OptimizeProgressEvent[] = [];
  let openRequest = 0;
  const studiesRequest = latestOnly();
  const inspectRequest = latestOnly();

  return createStore<OptimizeState>()((set, get) => {
    const notify = (context: string, error: unknown): void =>
      set((s) => ({ notices: withNotice(s.notices, context, error, 3) }));

    const merge = (rows: readonly TrialRow[]): void => {
      for (const row of rows) {
        const seen = trialMap.get(row.number);
        // A late 'running' copy must not hide the finished trial already received.
        if (seen && seen.status !== 'running' && row.status === 'running') continue;
        trialMap.set(row.number, row);
      }
      dirty = true;
    };

    const flush = (): void => {
      if (flushTimer !== null) clearTimeout(flushTimer);
      flushTimer = null;
      const patch: Partial<OptimizeState> = {};
      if (dirty) {
        patch.trials = [...trialMap.values()].sort((a, b) => a.number - b.number);
        dirty = false;
      }
      if (pendingProgress) {
        patch.progress = pendingProgress;
        pendingProgress = null;
      }
      if (Object.keys(patch).length > 0) set(patch);
    };

    const scheduleFlush = (): void => {
      if (flushTimer === null) flushTimer = setTimeout(flush, FLUSH_INTERVAL_MS);
    };

    /** Reads the study (every trial, the winner, the overfitting statistics) and merges it in. */
    const loadDetail = async (studyId: string, attempt = 0): Promise<void> => {
      const request = openRequest;
      const detail = await client.invoke('optimize:get', { studyId, includeTrials: true });
      if (activeId !== studyId || request !== openRequest) return;
      merge(detail.trials);
      set((s) => ({
        study: { id: studyId, detail: { ...detail, trials: [] } },
        charts: defaultCharts(detail, s.charts),
      }));
      flush();
      // The final statistics are written as the study closes: a progress event can overtake them.
      const finished = get().progress?.state;
      if (finished && TERMINAL_STATES.has(finished) && detail.summary.state === 'running' && attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 600));
        await loadDetail(studyId, attempt + 1);
      }
    };

    const activate = (studyId: string): void => {
      activeId = studyId;
      openRequest += 1;
      trialMap.clear();
      dirty = true;
      pendingProgress = null;
      set({ study: { id: studyId, detail: null }, progress: null, inspection: null, center: 'search' });
      flush();
    };

    const onTrials = (event: OptimizeTrialEvent): void => {
      if (earlyTrials && event.studyId !== activeId) {
        if (earlyTrials.length < MAX_EARLY_TRIALS) earlyTrials.push(event);
        return;
      }
      if (event.studyId !== activeId) return;
      merge(event.trials);
      scheduleFlush();
    };

    const onProgress = (event: OptimizeProgressEvent): void => {
      if (TERMINAL_STATES.has(event.state)) void get().refreshStudies();
      if (earlyTrials && event.studyId !== activeId) {
        earlyProgress.push(event);
        return;
      }
      if (event.studyId !== activeId) return;
      pendingProgress = event;
      if (TERMINAL_STATES.has(event.state)) {
        flush();
        loadDetail(event.studyId).catch((error: unknown) => notify('Reading the finished study', error));
      } else scheduleFlush();
    };

    /** Fills the form's empty strategy and symbol from the app's, once they are known. */
    const initSetup = ({ strategies, symbol, strategyName }: AppState): void => {
      if (strategies.status !== 'ready') return;
      const setup = get().setup;
      const patch: Partial<SetupDraft> = {};
      if (!setup.symbol && symbol) patch.symbol = symbol;
      if (!findStrategy(strategies, setup.strategy)) {
        const preferred = findStrategy(strategies, strategyName) ?? strategies.data[0];
        if (preferred) {
          patch.strategy = preferred.name;
          patch.space = defaultSpace(preferred);
        }
      }
      if (Object.keys(patch).length > 0) set({ setup: { ...setup, ...patch } });
    };

    return {
      setup: emptySetup(),
      studies: { status: 'idle' },
      starting: false,
      study: null,
      trials: [],
      progress: null,
      charts: {
        measure: null,
        heatX: null,
        heatY: null,
        heatAggregate: 'best',
        paretoA: null,
        paretoB: null,
        response: null,
      },
      sort: { key: 'm:auto', descending: true },
      center: 'search',
      inspection: null,
      approving: false,
      notices: [],

      connect() {
        for (const stop of unsubscribe) stop();
        unsubscribe = [
          client.on('optimize:trial', onTrials),
          client.on('optimize:progress', onProgress),
          app.subscribe((now, before) => {
            if (now.strategies !== before.strategies || now.symbol !== before.symbol) initSetup(now);
          }),
        ];
        initSetup(app.getState());
        void get().refreshStudies();
      },

      patchSetup(patch) {
        set((s) => ({ setup: { ...s.setup, ...patch } }));
      },

      chooseStrategy(name) {
        const strategy = findStrategy(app.getState().strategies, name);
        if (!strategy) return;
        set((s) => ({ setup: { ...s.setup, strategy: name, space: defaultSpace(strategy) } }));
      },

      patchSpace(name, patch) {
        set((s) => ({
          setup: { ...s.setup, space: s.setup.space.map((p) => (p.name === name ? { ...p, ...patch } : p)) },
        }));
      },

      resetSpace() {
        const name = get().setup.strategy;
        if (name) get().chooseStrategy(name);
      },

      toggleTimeframe(timeframe, multi) {
        set((s) => {
          const chosen = s.setup.timeframes;
          if (!multi) return { setup: { ...s.setup, timeframes: [timeframe] } };
          const next = chosen.includes(timeframe)
            ? chosen.filter((t) => t !== timeframe)
            : [...chosen, timeframe];
          return { setup: { ...s.setup, timeframes: next.length > 0 ? next : chosen } };
        });
      },

      toggleObjective(metric) {
        set((s) => {
          const objectives = s.setup.objectives.map((o) =>
            o.metric === metric ? { ...o, enabled: !o.enabled } : o,
          );
          const count = objectives.filter((o) => o.enabled).length;
          const mode = count < 2 ? 'single' : s.setup.mode === 'single' ? 'pareto' : s.setup.mode;
          return { setup: { ...s.setup, objectives, mode } };
        });
      },

      setObjectiveWeight(metric, text) {
        set((s) => ({
          setup: {
            ...s.setup,
            objectives: s.setup.objectives.map((o) => (o.metric === metric ? { ...o, weight: text } : o)),
          },
        }));
      },

      async start() {
        const state = get();
        if (state.starting) return;
        const check = checkSetup(state.setup, findStrategy(app.getState().strategies, state.setup.strategy));
        if (!check.request) {
          notify('Optimisation', new Error('Some inputs are out of range: fix the fields marked in red.'));
          return;
        }
        set({ starting: true });
        earlyTrials = [];
        earlyProgress = [];
        try {
          const started = await client.invoke('optimize:start', check.request);
          const early = earlyTrials;
          const progress = earlyProgress;
          earlyTrials = null;
          earlyProgress = [];
          activate(started.studyId);
          // A study can report trials before its id comes back: keep what belongs to it.
          for (const event of early) if (event.studyId === started.studyId) onTrials(event);
          for (const event of progress) if (event.studyId === started.studyId) onProgress(event);
          if (!get().progress && !pendingProgress) {
            pendingProgress = {
              studyId: started.studyId,
              state: 'running',
              done: 0,
              total: started.total,
              failed: 0,
              trialsPerSecond: 0,
              etaSeconds: null,
              best: null,
            };
          }
          flush();
          void get().refreshStudies();
          await loadDetail(started.studyId);
        } catch (error) {
          notify('Starting the optimisation', error);
        } finally {
          earlyTrials = null;
          set({ starting: false });
        }
      },

      async cancel() {
        const id = get().study?.id;
        if (!id) return;
        try {
          await client.invoke('optimize:cancel', { studyId: id });
        } catch (error) {
          notify('Cancelling the optimisation', error);
        }
      },

      async resume(studyId) {
        try {
          if (activeId !== studyId) activate(studyId);
          // The last progress said cancelled or paused: drop it so the resumed run's events take over.
          pendingProgress = null;
          set({ progress: null });
          await client.invoke('optimize:resume', { studyId });
          await loadDetail(studyId);
          void get().refreshStudies();
        } catch (error) {
          notify('Resuming the study', error);
        }
      },

      async open(studyId) {
        activate(studyId);
        try {
          await loadDetail(studyId);
        } catch (error) {
          notify('Opening the study', error);
        }
      },

      async refreshStudies() {
        // Every finished study asks for the list again: an older answer must not bring back its old state.
        const isLatest = studiesRequest();
        if (get().studies.status === 'idle') set({ studies: { status: 'loading' } });
        try {
          const data = await client.invoke('optimize:list', {});
          if (!isLatest()) return;
          data.sort((a, b) => b.createdAt - a.createdAt);
          set({ studies: { status: 'ready', data } });
        } catch (error) {
          if (isLatest()) set({ studies: { status: 'error', message: errorMessage(error) } });
        }
      },

      setCharts(patch) {
        set((s) => ({ charts: { ...s.charts, ...patch } }));
      },

      sortBy(key) {
        set((s) => ({
          sort:
            s.sort.key === key ? { key, descending: !s.sort.descending } : { key, descending: key !== '#' },
        }));
      },

      setCenter(center) {
        set({ center });
      },

      async inspect(trialNumber) {
        const detail = get().study?.detail;
        const trial = trialMap.get(trialNumber);
        if (!detail || !trial) return;
        const { summary, config } = detail;
        const timeframe = summary.timeframes[0];
        if (!timeframe) return;
        // Trial numbers repeat across studies: the answer must belong to the latest inspection asked for.
        const isLatest = inspectRequest();
        const stillWanted = (): boolean => isLatest() && get().inspection?.trialNumber === trialNumber;
        set({
          inspection: { trialNumber, status: 'loading', result: null, message: null },
          center: 'inspect',
        });
        try {
          const result = await client.invoke('backtest:run', {
            jobId: newJobId(),
            symbol: summary.symbol,
            timeframe,
            strategy: summary.strategy,
            params: numericParams(trial),
            cash: config.cash,
            commission: config.commission,
            ...(config.start === null ? {} : { start: config.start }),
            ...(config.end === null ? {} : { end: config.end }),
          });
          if (stillWanted()) set({ inspection: { trialNumber, status: 'ready', result, message: null } });
        } catch (error) {
          if (stillWanted())
            set({
              inspection: { trialNumber, status: 'error', result: null, message: errorMessage(error) },
            });
          notify(`Backtest of trial #${trialNumber}`, error);
        }
      },

      openInBacktest() {
        const result = get().inspection?.result;
        const config = get().study?.detail?.config;
        if (!result || !config) return;
        const backtest = app.getState();
        backtest.selectStrategy(result.strategy);
        for (const [name, value] of Object.entries(result.params)) backtest.setParam(name, String(value));
        backtest.setCash(String(config.cash));
        backtest.setCommission(String(config.commission * 100));
        backtest.selectSymbol(result.symbol);
        backtest.setTimeframe(result.timeframe);
        // The result is already computed: show it rather than running the same backtest again. Choosing
        // the symbol and timeframe above cleared the previous result and started loading their bars.
        app.setState({ result, focus: null });
        backtest.setView('backtest');
      },

      async approve(trialNumber) {
        const study = get().study;
        const trial = trialMap.get(trialNumber);
        if (!study?.detail || !trial || get().approving) return;
        set({ approving: true });
        try {
          const answer = await client.invoke('optimize:approve', {
            studyId: study.id,
            params: numericParams(trial),
            trialNumber,
          });
          const current = get().study;
          if (current?.id === answer.studyId && current.detail)
            set({ study: { ...current, detail: { ...current.detail, approved: answer.approved } } });
        } catch (error) {
          notify(`Approving trial #${trialNumber}`, error);
        } finally {
          set({ approving: false });
        }
      },

      dismissNotice(id) {
        set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
      },
    };
  });
}
