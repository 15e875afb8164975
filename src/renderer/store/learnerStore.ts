import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Timeframe } from '../../core/data/bars.ts';
import type { RegimenClient } from '../../shared/client.ts';
import type {
  LearnerEvaluation,
  LearnerRecommendations,
  LearnerStatus,
  RegimeRecommendation,
  ScorecardResult,
} from '../../shared/contract.ts';
import type { LearnFrom } from '../../shared/learnerChoices.ts';
import type { RunProgressEvent } from '../../shared/runProgress.ts';
import { errorMessage } from '../client/clientError.ts';
import type { AppStore, Loadable, TradingSession } from './appStore.ts';
import { latestOnly, newJobId } from './requests.ts';
import { runDefaults } from './runDefaults.ts';

/**
 * What the scorecard and "open as backtest" run with (runDefaults): costs out of range are refused by
 * name, as a backtest refuses them, not replaced by the defaults.
 */
function costsOf(app: AppStore): Omit<ReturnType<typeof runDefaults>, 'costErrors'> {
  const { costErrors, ...defaults } = runDefaults(app.getState());
  const wrong = Object.keys(costErrors);
  if (wrong.length > 0)
    throw new Error(`The costs are out of range (${wrong.join(', ')}): fix them on the form or in Settings.`);
  return defaults;
}

/** The strategy the learner views are about (the ledger keeps one learner per strategy). */
export const LEARNER_STRATEGY = 'sma-cross';

export interface LearnerState {
  symbol: string | null;
  timeframe: Timeframe;
  status: Loadable<LearnerStatus>;
  recommendations: Loadable<LearnerRecommendations>;
  /**
   * The learner the trader chose for the recommendation; null: main's default (the ledger once its
   * learner has learned a calibration window of results, else the bars), which the answer's basis names.
   */
  learnFrom: LearnFrom | null;
  evaluation: Loadable<LearnerEvaluation>;
  scorecard: Loadable<ScorecardResult>;
  /** The running scorecard's id and how far it has got (its learner:scorecard-progress); null when none runs. */
  scorecardRun: { jobId: string; progress: RunProgressEvent | null } | null;
  /** The regime whose recommendation is being opened as a backtest (its button shows it). */
  opening: string | null;
  /** Why the last "open as backtest" failed. */
  openError: string | null;

  /** Reads the ledger's status and the recommendations for the Backtest view's symbol and timeframe. */
  load(): Promise<void>;
  setSubject(symbol: string, timeframe: Timeframe): void;
  /** Asks again, from the ledger's learner or from one trained on these bars. */
  setLearnFrom(from: LearnFrom): void;
  evaluate(): Promise<void>;
  runScorecard(): Promise<void>;
  /** Backtests the recommended set and shows it in the Backtest view, its form filled with the set. */
  openAsBacktest(recommendation: RegimeRecommendation): Promise<void>;
}

export type LearnerStore = StoreApi<LearnerState>;

export function createLearnerStore(client: RegimenClient, app: AppStore): LearnerStore {
  const recommendRequest = latestOnly();
  const evaluateRequest = latestOnly();
  const scorecardRequest = latestOnly();
  const initial = app.getState();

  return createStore<LearnerState>()((set, get) => {
    client.on('learner:scorecard-progress', (progress) => {
      const run = get().scorecardRun;
      if (run !== null && progress.jobId === run.jobId) set({ scorecardRun: { ...run, progress } });
    });
    // The app's one session setting (the Learner view's select is the same as Settings' and the Backtest
    // view's), so the learner reads the hours the backtest it opens will run on.
    const subject = (): {
      symbol: string;
      timeframe: Timeframe;
      strategy: string;
      session: TradingSession;
    } | null => {
      const { symbol, timeframe } = get();
      return symbol === null
        ? null
        : { symbol, timeframe, strategy: LEARNER_STRATEGY, session: app.getState().session };
    };

    const recommend = async (): Promise<void> => {
      const about = subject();
      if (about === null) return;
      const isLatest = recommendRequest();
      set({ recommendations: { status: 'loading' } });
      try {
        const { learnFrom } = get();
        const data = await client.invoke('learner:recommend', {
          ...about,
          ...(learnFrom === null ? {} : { learnFrom }),
          jobId: newJobId(),
        });
        if (isLatest()) set({ recommendations: { status: 'ready', data } });
      } catch (error) {
        if (isLatest()) set({ recommendations: { status: 'error', message: errorMessage(error) } });
      }
    };

    // Figures of another symbol, timeframe or session would be read as this one's.
    const subjectChanged = (): void => {
      set({ evaluation: { status: 'idle' }, scorecard: { status: 'idle' }, openError: null });
      void recommend();
    };
    app.subscribe((now, before) => {
      if (now.session !== before.session && get().symbol !== null) subjectChanged();
    });

    return {
      symbol: initial.symbol,
      timeframe: initial.timeframe,
      status: { status: 'idle' },
      recommendations: { status: 'idle' },
      learnFrom: null,
      evaluation: { status: 'idle' },
      scorecard: { status: 'idle' },
      scorecardRun: null,
      opening: null,
      openError: null,

      async load() {
        const { symbol, timeframe } = app.getState();
        if (get().symbol === null && symbol !== null) set({ symbol, timeframe });
        set({ status: { status: 'loading' } });
        const status = client.invoke('learner:status', {}).then(
          (data) => set({ status: { status: 'ready', data } }),
          (error: unknown) => set({ status: { status: 'error', message: errorMessage(error) } }),
        );
        await Promise.all([status, recommend()]);
      },

      setSubject(symbol, timeframe) {
        if (symbol === get().symbol && timeframe === get().timeframe) return;
        set({ symbol, timeframe });
        subjectChanged();
      },

      setLearnFrom(from) {
        set({ learnFrom: from, openError: null });
        void recommend();
      },

      async evaluate() {
        const about = subject();
        if (about === null) return;
        const isLatest = evaluateRequest();
        set({ evaluation: { status: 'loading' } });
        try {
          const data = await client.invoke('learner:evaluate', { ...about, jobId: newJobId() });
          if (isLatest()) set({ evaluation: { status: 'ready', data } });
        } catch (error) {
          if (isLatest()) set({ evaluation: { status: 'error', message: errorMessage(error) } });
        }
      },

      async runScorecard() {
        const about = subject();
        if (about === null) return;
        const isLatest = scorecardRequest();
        const jobId = newJobId();
        set({ scorecard: { status: 'loading' }, scorecardRun: { jobId, progress: null } });
        try {
          const data = await client.invoke('learner:scorecard', { ...about, ...costsOf(app), jobId });
          if (isLatest()) set({ scorecard: { status: 'ready', data } });
        } catch (error) {
          if (isLatest()) set({ scorecard: { status: 'error', message: errorMessage(error) } });
        } finally {
          if (get().scorecardRun?.jobId === jobId) set({ scorecardRun: null });
        }
      },

      async openAsBacktest(recommendation) {
        const ready = get().recommendations;
        if (ready.status !== 'ready' || get().opening !== null) return;
        const { symbol, timeframe, strategy } = ready.data;
        set({ opening: recommendation.regime ?? 'warm-up', openError: null });
        try {
          const run = costsOf(app);
          const result = await client.invoke('backtest:run', {
            jobId: newJobId(),
            symbol,
            timeframe,
            strategy,
            params: recommendation.params,
            ...run,
            session: app.getState().session,
          });
          app.getState().openBacktest(result, run);
        } catch (error) {
          set({ openError: errorMessage(error) });
        } finally {
          set({ opening: null });
        }
      },
    };
  });
}

const stores = new WeakMap<AppStore, LearnerStore>();

/** One learner store per app store, so leaving the tab and coming back keeps what was computed. */
export function learnerStoreFor(client: RegimenClient, app: AppStore): LearnerStore {
  let store = stores.get(app);
  if (store === undefined) {
    store = createLearnerStore(client, app);
    stores.set(app, store);
  }
  return store;
}
