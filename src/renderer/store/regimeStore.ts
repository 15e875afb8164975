import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DetectorName } from '../../core/regime/detector.ts';
import type { RegimeAxis } from '../../core/regime/labels.ts';
import type { RegimenClient } from '../../shared/client.ts';
import type {
  JobProgress,
  RegimeCompareResult,
  RegimesResult,
  RegimeStudyResult,
  RequestInput,
} from '../../shared/contract.ts';
import { DETECTOR_CHOICES, type DetectorSetting } from '../../shared/regimeChoices.ts';
import type { RunProgressEvent } from '../../shared/runProgress.ts';
import { errorMessage } from '../client/clientError.ts';
import type { Loadable } from './appStore.ts';
import { latestOnly, newJobId } from './requests.ts';

/** The detector and its persistence as typed (empty: the detector's default). */
export interface RegimeForm {
  detector: DetectorName;
  hysteresis: string;
  minDwell: string;
  jumpPenalty: string;
  halflife: string;
  /** Which axis the bands and the ribbon colour. */
  axis: RegimeAxis;
}

/** The per-regime study and the comparison: what they trade and how a regime earns its own set. */
export interface StudyForm {
  strategy: string;
  switchAxis: 'trend' | 'volatility';
  trials: string;
  minTrades: string;
  /** Bars a regime's set stays in force once switched to: the sets' own dwell, not the detector's. */
  minDwell: string;
}

/** Where the labels are shown: a symbol and timeframe, from `start` (the first bar the chart holds). */
export interface RegimeTarget {
  symbol: string;
  timeframe: RequestInput<'regimes:get'>['timeframe'];
  start?: number;
  session: NonNullable<RequestInput<'regimes:get'>['session']>;
  /** Settings' costs, which a backtest charges too (absent: the asset-class defaults). */
  costs?: RequestInput<'regimes:compare'>['costs'];
  /** Settings' default cash and commission (a fraction per side); absent: the contract's defaults. */
  cash?: number;
  commission?: number;
}

export interface RegimeJob {
  kind: 'winners' | 'compare';
  jobId: string;
  progress: JobProgress | null;
  /** A comparison's regimes:compare-progress (its part, windows and time left), once its study starts. */
  runProgress: RunProgressEvent | null;
  cancelling: boolean;
}

/** A target's bars by name ("ALFA 1h regular"): what a study or a comparison was run on. */
export function subjectOf(target: Pick<RegimeTarget, 'symbol' | 'timeframe' | 'session'>): string {
  return `${target.symbol} ${target.timeframe} ${target.session}`;
}

export interface RegimeState {
  form: RegimeForm;
  study: StudyForm;
  labels: Loadable<RegimesResult>;
  /**
   * True while the latest labels request is unanswered. The last labels stay on screen meanwhile (no
   * flicker), but a detector, setting or chart change took seconds to show, and until then the panel
   * passed another detector's or timeframe's table off as the one just asked for.
   */
  labelling: boolean;
  winners: Loadable<RegimeStudyResult>;
  comparison: Loadable<RegimeCompareResult>;
  /**
   * The subject (subjectOf) the winners and the comparison were last run on: the panel shows them only
   * beside those bars, since neither names its symbol and another chart's figures or refusal would pass
   * for this one's.
   */
  ran: { winners: string | null; comparison: string | null };
  job: RegimeJob | null;
  setForm(patch: Partial<RegimeForm>): void;
  setStudy(patch: Partial<StudyForm>): void;
  /** Labels of `target` under the form's detector and settings. */
  load(target: RegimeTarget): Promise<void>;
  runWinners(target: RegimeTarget): Promise<void>;
  runCompare(target: RegimeTarget): Promise<void>;
  cancel(): Promise<void>;
}

export type RegimeStore = StoreApi<RegimeState>;

type Settings = NonNullable<RequestInput<'regimes:get'>['settings']>;

/** The settings the form gives for its detector (blank fields keep the detector's defaults). */
export function formSettings(form: RegimeForm): { settings: Settings; error?: string } {
  const applicable: readonly DetectorSetting[] =
    DETECTOR_CHOICES.find((choice) => choice.name === form.detector)?.settings ?? [];
  const settings: Record<string, number> = {};
  for (const key of applicable) {
    const text = form[key].trim();
    if (text === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value)) return { settings, error: `${key} must be a number, got "${text}"` };
    settings[key] = value;
  }
  return { settings };
}

function studyRequest(state: RegimeState, target: RegimeTarget, jobId: string) {
  const { settings, error } = formSettings(state.form);
  const trials = Number(state.study.trials);
  const minTrades = Number(state.study.minTrades);
  const minDwell = Number(state.study.minDwell);
  const problem =
    error ??
    (!Number.isInteger(trials) || trials < 2 ? 'trials must be a whole number of at least 2' : undefined) ??
    (!Number.isInteger(minTrades) || minTrades < 0
      ? 'minimum trades must be a whole number of at least 0'
      : undefined) ??
    (state.study.minDwell.trim() === '' || !Number.isInteger(minDwell) || minDwell < 1
      ? `set dwell must be a whole number of bars of at least 1, got "${state.study.minDwell}"`
      : undefined);
  return {
    problem,
    request: {
      jobId,
      symbol: target.symbol,
      timeframe: target.timeframe,
      session: target.session,
      detector: state.form.detector,
      settings,
      axis: state.study.switchAxis,
      strategy: state.study.strategy,
      trials,
      minTrades,
      minDwell,
      ...(target.costs === undefined ? {} : { costs: target.costs }),
      ...(target.cash === undefined ? {} : { cash: target.cash }),
      ...(target.commission === undefined ? {} : { commission: target.commission }),
    },
  };
}

function createRegimeStore(client: RegimenClient): RegimeStore {
  const nextLabels = latestOnly();
  return createStore<RegimeState>()((set, get) => {
    client.on('job:progress', (progress) => {
      const job = get().job;
      if (job && progress.jobId === job.jobId) set({ job: { ...job, progress } });
    });
    client.on('regimes:compare-progress', (runProgress) => {
      const job = get().job;
      if (job && runProgress.jobId === job.jobId) set({ job: { ...job, runProgress } });
    });

    async function runJob<K extends 'winners' | 'compare'>(
      kind: K,
      target: RegimeTarget,
      invoke: (
        request: ReturnType<typeof studyRequest>['request'],
      ) => Promise<(K extends 'winners' ? RegimeStudyResult : RegimeCompareResult) | { cancelled: true }>,
    ): Promise<void> {
      if (get().job) return;
      const slot = kind === 'winners' ? 'winners' : 'comparison';
      const jobId = newJobId();
      const { problem, request } = studyRequest(get(), target, jobId);
      const ran = { ...get().ran, [slot]: subjectOf(target) };
      if (problem) {
        set({ ran, [slot]: { status: 'error', message: problem } } as Partial<RegimeState>);
        return;
      }
      set({
        ran,
        job: { kind, jobId, progress: null, runProgress: null, cancelling: false },
        [slot]: { status: 'loading' },
      });
      try {
        const result = await invoke(request);
        set({
          [slot]:
            'cancelled' in result
              ? { status: 'error', message: 'Cancelled: nothing was computed.' }
              : { status: 'ready', data: result },
        } as Partial<RegimeState>);
      } catch (error) {
        set({ [slot]: { status: 'error', message: errorMessage(error) } } as Partial<RegimeState>);
      } finally {
        if (get().job?.jobId === jobId) set({ job: null });
      }
    }

    return {
      form: {
        detector: 'rules',
        hysteresis: '',
        minDwell: '',
        jumpPenalty: '',
        halflife: '',
        axis: 'volatility',
      },
      study: {
        strategy: 'sma-cross',
        switchAxis: 'volatility',
        trials: '40',
        minTrades: '30',
        minDwell: '5',
      },
      labels: { status: 'idle' },
      labelling: false,
      winners: { status: 'idle' },
      comparison: { status: 'idle' },
      ran: { winners: null, comparison: null },
      job: null,

      setForm(patch) {
        set((s) => ({ form: { ...s.form, ...patch } }));
      },

      setStudy(patch) {
        set((s) => ({ study: { ...s.study, ...patch } }));
      },

      async load(target) {
        const isLatest = nextLabels();
        const { settings, error } = formSettings(get().form);
        if (error) {
          set({ labels: { status: 'error', message: error }, labelling: false });
          return;
        }
        set((s) => ({
          labels: s.labels.status === 'ready' ? s.labels : { status: 'loading' },
          labelling: true,
        }));
        try {
          const data = await client.invoke('regimes:get', {
            symbol: target.symbol,
            timeframe: target.timeframe,
            session: target.session,
            detector: get().form.detector,
            settings,
            ...(target.start !== undefined ? { start: target.start } : {}),
          });
          if (isLatest()) set({ labels: { status: 'ready', data }, labelling: false });
        } catch (failure) {
          if (isLatest())
            set({ labels: { status: 'error', message: errorMessage(failure) }, labelling: false });
        }
      },

      runWinners: (target) =>
        runJob('winners', target, (request) => client.invoke('regimes:winners', request)),

      runCompare: (target) =>
        runJob('compare', target, (request) => client.invoke('regimes:compare', request)),

      async cancel() {
        const job = get().job;
        if (!job || job.cancelling) return;
        set({ job: { ...job, cancelling: true } });
        try {
          await client.invoke('job:cancel', { jobId: job.jobId });
        } catch {
          // The job ended on its own meanwhile: its request reports how.
        }
      },
    };
  });
}

const stores = new WeakMap<RegimenClient, RegimeStore>();

/** One regime store per client: the Backtest and Optimize panels and the price chart's bands share it. */
export function regimeStoreFor(client: RegimenClient): RegimeStore {
  let store = stores.get(client);
  if (!store) {
    store = createRegimeStore(client);
    stores.set(client, store);
  }
  return store;
}
