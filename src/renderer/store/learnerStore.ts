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
import { SCORECARD_TRIALS, scorecardTrialsProblem, type LearnFrom } from '../../shared/learnerChoices.ts';
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

/** What a scorecard is about: its figures hold for these bars only. */
export interface ScorecardSubject {
  symbol: string;
  timeframe: Timeframe;
  session: TradingSession;
}

/** A scorecard run of minutes: its id and how far it has got (its learner:scorecard-progress). */
export interface ScorecardRun {
  jobId: string;
  progress: RunProgressEvent | null;
}

/** The key of a subject's scorecard and run in the store. */
export const scorecardKey = ({ symbol, timeframe, session }: ScorecardSubject): string =>
  `${symbol} ${timeframe} ${session}`;

export interface LearnerState {
  symbol: string | null;
  timeframe: Timeframe;
  /** The app's session (Settings'), which the learner's requests are read in. */
  session: TradingSession;
  status: Loadable<LearnerStatus>;
  recommendations: Loadable<LearnerRecommendations>;
  /**
   * The learner the trader chose for the recommendation; null: main's default (the ledger once its
   * learner has learned a calibration window of results, else the bars), which the answer's basis names.
   */
  learnFrom: LearnFrom | null;
  evaluation: Loadable<LearnerEvaluation>;
  /**
   * Each subject's last scorecard (scorecardKey): a run of minutes on GOOG is still there after a look at
   * SPY, and a run still going when the subject changed lands on its own subject, not the one shown.
   */
  scorecards: Readonly<Record<string, Loadable<ScorecardResult>>>;
  /** The scorecards running, by subject (scorecardKey). */
  scorecardRuns: Readonly<Record<string, ScorecardRun>>;
  /** The trial budget as typed (SCORECARD_TRIALS' bounds); kept as text so a half-typed value is not lost. */
  scorecardTrials: string;
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
  setScorecardTrials(text: string): void;
  /** Runs the scorecard of the subject shown, unless one runs for it already. */
  runScorecard(): Promise<void>;
  /** Backtests the recommended set and shows it in the Backtest view, its form filled with the set. */
  openAsBacktest(recommendation: RegimeRecommendation): Promise<void>;
}

export type LearnerStore = StoreApi<LearnerState>;

const IDLE: Loadable<ScorecardResult> = { status: 'idle' };

/** The subject shown, or null before the app has a symbol. */
export const shownSubject = (state: LearnerState): ScorecardSubject | null =>
  state.symbol === null ? null : { symbol: state.symbol, timeframe: state.timeframe, session: state.session };

/** The scorecard of the subject shown (idle when it has none). */
export function shownScorecard(state: LearnerState): Loadable<ScorecardResult> {
  const subject = shownSubject(state);
  return subject === null ? IDLE : (state.scorecards[scorecardKey(subject)] ?? IDLE);
}

/** The scorecard run of the subject shown, or null. */
export function shownScorecardRun(state: LearnerState): ScorecardRun | null {
  const subject = shownSubject(state);
  return subject === null ? null : (state.scorecardRuns[scorecardKey(subject)] ?? null);
}

/** Why the typed trial budget would be refused, or null. */
export function scorecardTrialsError({ scorecardTrials: typed }: LearnerState): string | null {
  const value = typed.trim() === '' ? NaN : Number(typed);
  return scorecardTrialsProblem(value, Number.isNaN(value) ? `"${typed}"` : typed);
}

export function createLearnerStore(client: RegimenClient, app: AppStore): LearnerStore {
  const recommendRequest = latestOnly();
  const evaluateRequest = latestOnly();
  const initial = app.getState();

  return createStore<LearnerState>()((set, get) => {
    client.on('learner:scorecard-progress', (progress) => {
      const runs = get().scorecardRuns;
      const key = Object.keys(runs).find((k) => runs[k]!.jobId === progress.jobId);
      if (key !== undefined) set({ scorecardRuns: { ...runs, [key]: { ...runs[key]!, progress } } });
    });
    const setScorecard = (key: string, card: Loadable<ScorecardResult>): void =>
      set({ scorecards: { ...get().scorecards, [key]: card } });
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

    // Figures of another symbol, timeframe or session would be read as this one's (the scorecards are
    // kept by subject, so the one shown is always the subject's own).
    const subjectChanged = (): void => {
      set({ evaluation: { status: 'idle' }, openError: null });
      void recommend();
    };
    app.subscribe((now, before) => {
      if (now.session === before.session) return;
      set({ session: now.session });
      if (get().symbol !== null) subjectChanged();
    });

    return {
      symbol: initial.symbol,
      timeframe: initial.timeframe,
      session: initial.session,
      status: { status: 'idle' },
      recommendations: { status: 'idle' },
      learnFrom: null,
      evaluation: { status: 'idle' },
      scorecards: {},
      scorecardRuns: {},
      scorecardTrials: String(SCORECARD_TRIALS.default),
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

      setScorecardTrials(text) {
        set({ scorecardTrials: text });
      },

      async runScorecard() {
        const about = subject();
        if (about === null) return;
        const key = scorecardKey(about);
        if (get().scorecardRuns[key] !== undefined) return;
        const trialsProblem = scorecardTrialsError(get());
        if (trialsProblem !== null) {
          setScorecard(key, { status: 'error', message: `The scorecard's ${trialsProblem}.` });
          return;
        }
        const jobId = newJobId();
        set({ scorecardRuns: { ...get().scorecardRuns, [key]: { jobId, progress: null } } });
        setScorecard(key, { status: 'loading' });
        try {
          const data = await client.invoke('learner:scorecard', {
            ...about,
            trials: Number(get().scorecardTrials),
            ...costsOf(app),
            jobId,
          });
          setScorecard(key, { status: 'ready', data });
        } catch (error) {
          setScorecard(key, { status: 'error', message: errorMessage(error) });
        } finally {
          const { [key]: ended, ...running } = get().scorecardRuns;
          if (ended?.jobId === jobId) set({ scorecardRuns: running });
        }
      },

      async openAsBacktest(recommendation) {
        const ready = get().recommendations;
        if (ready.status !== 'ready' || get().opening !== null) return;
        const { symbol, timeframe, strategy } = ready.data;
        set({ opening: recommendation.regime ?? 'warm-up', openError: null });
        try {
          const run = costsOf(app);
          const request = {
            jobId: newJobId(),
            symbol,
            timeframe,
            strategy,
            params: recommendation.params,
            ...run,
            session: app.getState().session,
          };
          const result = await client.invoke('backtest:run', request);
          app.getState().openBacktest(result, run, { kind: 'backtest', request });
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
