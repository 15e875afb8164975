import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RegimenClient } from '../../shared/client.ts';
import type { OptimizeProgressEvent, StudyDetail, StudySummary, TrialRow } from '../../shared/contract.ts';
import { TRIALS_PAGE_LIMIT } from '../../shared/optimizeChoices.ts';
import { errorMessage } from '../client/clientError.ts';
import { findStrategy, type AppStore, type Loadable } from './appStore.ts';
import { createAnalysisSlice, type AnalysisSlice } from './analysisSlice.ts';
import { createChartsSlice, defaultCharts, type ChartsSlice } from './chartsSlice.ts';
import { createInspectionSlice, numericParams, type InspectionSlice } from './inspectionSlice.ts';
import { checkCosts } from './costDraft.ts';
import { checkSetup } from './optimizeSetup.ts';
import { latestOnly, withNotice, withoutNotice, type Notice } from './requests.ts';
import { sessionKeeper, type Keeper } from './keeper.ts';
import { createSetupSlice, keptSetup, setupFromApp, type SetupSlice } from './setupSlice.ts';
import { isTerminal, StudyFeed } from './studyFeed.ts';

/** The study on screen. `detail` is null until `optimize:get` answers; its `trials` are kept apart. */
export interface ActiveStudy {
  id: string;
  detail: StudyDetail | null;
}

/** The studies: the list, the one on screen with its trials as they arrive, starting, stopping, approving. */
export interface StudySlice {
  studies: Loadable<StudySummary[]>;
  starting: boolean;
  /**
   * The study whose resume request is in flight: it takes seconds to answer, and a second click meanwhile
   * was refused ("already running") with an error banner that outlived the run it came from.
   */
  resuming: string | null;
  study: ActiveStudy | null;
  /** Trials of the study on screen, by number; replaced (throttled) as events arrive. */
  trials: TrialRow[];
  progress: OptimizeProgressEvent | null;
  approving: boolean;
  /** The study a resume found already complete (nothing was run), so the header can say so. */
  alreadyComplete: string | null;
  notices: Notice[];

  /**
   * Subscribes to the optimisation events and to the app's strategies and symbol (which fill the form
   * once they are known), and lists past studies.
   */
  connect(): void;
  start(): Promise<void>;
  cancel(): Promise<void>;
  resume(studyId: string): Promise<void>;
  open(studyId: string): Promise<void>;
  refreshStudies(): Promise<void>;
  /** Renames or annotates a study; true once stored (a refusal is a notice, the list unchanged). */
  annotate(studyId: string, changes: { name?: string; note?: string }): Promise<boolean>;
  /** Deletes a stopped study with its trials (the services refuse a running one, in words). */
  remove(studyId: string): Promise<void>;
  /**
   * Approves a trial for live on the study and, given a bot, records a live proposal of it for that bot
   * (with its provenance), which the Live view then approves and pushes.
   */
  approve(trialNumber: number, bot?: string): Promise<void>;
  dismissNotice(id: number): void;
}

export type OptimizeState = StudySlice & SetupSlice & ChartsSlice & InspectionSlice & AnalysisSlice;
export type OptimizeStore = StoreApi<OptimizeState>;

const SETUP_KEY = 'optimize-setup';
/** The study on screen, opened again after a reload while the services still list it. */
const STUDY_KEY = 'optimize-study';

/** What can fail in the optimisation workspace: one banner each, gone once it works again. */
type OptimizeNoticeCause =
  'start' | 'cancel' | 'resume' | 'study' | 'inspect' | 'approve' | 'annotate' | 'delete';

/** True when the approved set is this trial's parameters. */
export function isApprovedTrial(detail: StudyDetail | null, trial: TrialRow): boolean {
  const approved = detail?.approved;
  if (!approved) return false;
  const entries = Object.entries(approved.params);
  return entries.length > 0 && entries.every(([name, value]) => trial.params[name] === value);
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

/**
 * A listed study's best value: the live one while it runs on screen (the list is read only when studies
 * start and stop, so it said "—" beside a header counting hundreds of trials), else the stored one.
 */
export function listedBestValue(
  study: Pick<StudySummary, 'id' | 'bestValue'>,
  progress: OptimizeProgressEvent | null,
): number | null {
  if (progress?.studyId === study.id && progress.state === 'running' && progress.best)
    return progress.best.score;
  return study.bestValue;
}

export function createOptimizeStore(
  client: RegimenClient,
  app: AppStore,
  keeper: Keeper = sessionKeeper(),
): OptimizeStore {
  let unsubscribe: Array<() => void> = [];
  const studiesRequest = latestOnly();

  const store = createStore<OptimizeState>()((set, get) => {
    const feed = new StudyFeed((patch) => set(patch));
    const notify = (cause: OptimizeNoticeCause, context: string, error: unknown): void =>
      set((s) => ({ notices: withNotice(s.notices, cause, context, error, 3) }));
    const resolved = (cause: OptimizeNoticeCause): void =>
      set((s) => ({ notices: withoutNotice(s.notices, cause) }));

    /** Shows the study's record (its trials go to the feed), if `ticket` is still current. */
    const showDetail = (ticket: ReturnType<StudyFeed['ticket']>, detail: StudyDetail): void => {
      if (ticket.studyId !== detail.summary.id || !feed.isCurrent(ticket)) return;
      // A record read before the study stopped must not replace the final one its terminal event carried.
      const stale = isTerminal(get().progress?.state) && detail.summary.state === 'running';
      if (!stale)
        set((s) => ({
          study: { id: detail.summary.id, detail: { ...detail, trials: [] } },
          charts: defaultCharts(detail, s.charts, s.study?.detail?.summary.id === detail.summary.id),
        }));
      feed.receiveDetail(ticket, detail);
      resolved('study');
    };

    /** Reads the study (its trials a page at a time, the winner, the overfitting statistics). */
    const loadDetail = async (studyId: string): Promise<void> => {
      const ticket = feed.ticket();
      let offset = 0;
      let detail: StudyDetail;
      do {
        detail = await client.invoke('optimize:get', { studyId, offset, limit: TRIALS_PAGE_LIMIT });
        if (ticket.studyId !== studyId || !feed.isCurrent(ticket)) return;
        showDetail(ticket, detail);
        offset += detail.trials.length;
      } while (detail.trials.length > 0 && offset < detail.trialsPage.total);
    };

    /** Puts `studyId` on screen, not yet read; the feed then forgets the previous study's trials. */
    const show = (studyId: string): void =>
      set({
        study: { id: studyId, detail: null },
        inspection: null,
        center: 'search',
        alreadyComplete: null,
        importance: { status: 'idle' },
        neighbourhood: { status: 'idle' },
      });
    const activate = (studyId: string): void => {
      show(studyId);
      feed.activate(studyId);
    };

    const onProgress = (event: OptimizeProgressEvent): void => {
      if (isTerminal(event.state)) void get().refreshStudies();
      if (!feed.receiveProgress(event)) return;
      // The terminal event carries the study as it stopped (winner, overfitting report): nothing to poll.
      if (event.detail) showDetail(feed.ticket(), event.detail);
      else
        loadDetail(event.studyId).catch((error: unknown) =>
          notify('study', 'Reading the finished study', error),
        );
    };

    return {
      ...createSetupSlice(app, set, get, keptSetup(keeper.load(SETUP_KEY))),
      ...createChartsSlice(set),
      ...createAnalysisSlice(client, set, get),
      ...createInspectionSlice(
        {
          client,
          app,
          trial: (n) => feed.trial(n),
          notify: (context, error) => notify('inspect', context, error),
          resolved: () => resolved('inspect'),
        },
        set,
        get,
      ),
      studies: { status: 'idle' },
      starting: false,
      resuming: null,
      study: null,
      trials: [],
      progress: null,
      approving: false,
      alreadyComplete: null,
      notices: [],

      connect() {
        for (const stop of unsubscribe) stop();
        const fillSetup = (): void => {
          const setup = setupFromApp(get().setup, app.getState());
          if (setup) set({ setup });
        };
        unsubscribe = [
          client.on('optimize:trial', (event) => feed.receiveTrials(event)),
          client.on('optimize:progress', onProgress),
          app.subscribe((now, before) => {
            if (
              now.strategies !== before.strategies ||
              now.symbol !== before.symbol ||
              now.settings !== before.settings
            )
              fillSetup();
          }),
        ];
        fillSetup();
        const kept = keeper.load(STUDY_KEY);
        void get()
          .refreshStudies()
          .then(() => {
            const { studies, study } = get();
            // A study deleted meanwhile (or from another window) is not opened to fail.
            if (typeof kept !== 'string' || study !== null || studies.status !== 'ready') return;
            if (studies.data.some((summary) => summary.id === kept)) void get().open(kept);
          });
      },

      async start() {
        const state = get();
        if (state.starting) return;
        const check = checkSetup(state.setup, findStrategy(app.getState().strategies, state.setup.strategy));
        if (!check.request) {
          notify(
            'start',
            'Optimisation',
            new Error('Some inputs are out of range: fix the fields marked in red.'),
          );
          return;
        }
        set({ starting: true });
        feed.holdForStart();
        try {
          // The app's one session setting (Settings, Backtest, this form) holds for every timeframe, and
          // so do its cost settings.
          const { session } = app.getState();
          const { costs } = checkCosts(app.getState().costs);
          const started = await client.invoke('optimize:start', {
            ...check.request,
            data: { ...check.request.data, session },
            ...(costs === undefined ? {} : { costs }),
          });
          show(started.studyId);
          feed.started(started.studyId, started.total);
          resolved('start');
          void get().refreshStudies();
          await loadDetail(started.studyId);
        } catch (error) {
          notify('start', 'Starting the optimisation', error);
        } finally {
          feed.abandonStart();
          set({ starting: false });
        }
      },

      async cancel() {
        const id = get().study?.id;
        if (!id) return;
        try {
          await client.invoke('job:cancel', { jobId: id });
          resolved('cancel');
        } catch (error) {
          notify('cancel', 'Cancelling the optimisation', error);
        }
      },

      async resume(studyId) {
        if (get().resuming !== null) return;
        set({ resuming: studyId });
        try {
          if (feed.studyId !== studyId) activate(studyId);
          // The last progress said cancelled or paused: drop it so the resumed run's events take over.
          feed.clearProgress();
          const resumed = await client.invoke('optimize:resume', { studyId });
          set({ alreadyComplete: resumed.alreadyComplete ? studyId : null });
          resolved('resume');
          await loadDetail(studyId);
          void get().refreshStudies();
        } catch (error) {
          notify('resume', 'Resuming the study', error);
        } finally {
          set({ resuming: null });
        }
      },

      async open(studyId) {
        activate(studyId);
        try {
          await loadDetail(studyId);
        } catch (error) {
          notify('study', 'Opening the study', error);
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

      async annotate(studyId, changes) {
        try {
          const summary = await client.invoke('optimize:annotate', { studyId, ...changes });
          resolved('annotate');
          set((s) => ({
            studies:
              s.studies.status === 'ready'
                ? { ...s.studies, data: s.studies.data.map((row) => (row.id === studyId ? summary : row)) }
                : s.studies,
            study:
              s.study?.id === studyId && s.study.detail
                ? {
                    ...s.study,
                    detail: { ...s.study.detail, summary: { ...s.study.detail.summary, ...changes } },
                  }
                : s.study,
          }));
          return true;
        } catch (error) {
          notify('annotate', 'Saving the study name and note', error);
          return false;
        }
      },

      async remove(studyId) {
        try {
          await client.invoke('optimize:delete', { studyId });
          resolved('delete');
          if (get().study?.id === studyId) {
            feed.activate(null);
            set({ study: null, inspection: null });
          }
          await get().refreshStudies();
        } catch (error) {
          notify('delete', 'Deleting the study', error);
        }
      },

      async approve(trialNumber, bot) {
        const study = get().study;
        const trial = feed.trial(trialNumber);
        if (!study?.detail || !trial || get().approving) return;
        set({ approving: true });
        try {
          const answer = await client.invoke('optimize:approve', {
            studyId: study.id,
            params: numericParams(trial),
            trialNumber,
          });
          if (bot !== undefined) await client.invoke('live:propose', { bot, studyId: study.id, trialNumber });
          resolved('approve');
          const current = get().study;
          if (current?.id === answer.studyId && current.detail)
            set({ study: { ...current, detail: { ...current.detail, approved: answer.approved } } });
        } catch (error) {
          notify('approve', `Approving trial #${trialNumber}`, error);
        } finally {
          set({ approving: false });
        }
      },

      dismissNotice(id) {
        set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
      },
    };
  });
  // The study form and which study is open survive a page reload (the studies themselves are the services').
  store.subscribe((now, previous) => {
    if (now.setup !== previous.setup) keeper.save(SETUP_KEY, now.setup);
    if (now.study?.id !== previous.study?.id) keeper.save(STUDY_KEY, now.study?.id ?? null);
  });
  return store;
}
