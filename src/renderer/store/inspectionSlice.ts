import type { RegimenClient } from '../../shared/client.ts';
import type { BacktestResult, StudyDetail, TrialRow } from '../../shared/contract.ts';
import { errorMessage } from '../client/clientError.ts';
import type { AppStore } from './appStore.ts';
import { latestOnly } from './requests.ts';
import type { SliceGet, SliceSet } from './slices.ts';

export interface TrialInspection {
  trialNumber: number;
  status: 'loading' | 'ready' | 'error';
  result: BacktestResult | null;
  message: string | null;
  /** The trial's tear sheet is open over the view (the trial table's row action asks for it). */
  sheetOpen: boolean;
}

/**
 * One trial re-run as a full backtest (trades, equity, tear sheet) on what its study scored it on (main
 * re-runs it with the study's bars, costs and options), shown in place of the search charts.
 */
export interface InspectionSlice {
  center: 'search' | 'inspect';
  inspection: TrialInspection | null;
  setCenter(center: 'search' | 'inspect'): void;
  /** `sheet`: open the trial's tear sheet once its backtest is in. */
  inspect(trialNumber: number, options?: { sheet?: boolean }): Promise<void>;
  setSheetOpen(open: boolean): void;
  /** Hands the inspected trial's backtest to the Backtest workspace (price chart with its trades). */
  openInBacktest(): void;
}

/** What the inspection reads from the rest of the optimisation store. */
export interface InspectionContext {
  study: { id: string; detail: StudyDetail | null } | null;
}

export interface InspectionDeps {
  client: RegimenClient;
  app: AppStore;
  trial(number: number): TrialRow | undefined;
  /** Reports a failed inspection; `resolved` takes the report back once one succeeds. */
  notify(context: string, error: unknown): void;
  resolved(): void;
}

/** Strategy parameters are numbers; a trial's numeric parameters are what a backtest or approval takes. */
export function numericParams(trial: TrialRow): Record<string, number> {
  const params: Record<string, number> = {};
  for (const [name, value] of Object.entries(trial.params))
    if (typeof value === 'number') params[name] = value;
  return params;
}

export function createInspectionSlice(
  { client, app, trial: findTrial, notify, resolved }: InspectionDeps,
  set: SliceSet<InspectionSlice>,
  get: SliceGet<InspectionSlice & InspectionContext>,
): InspectionSlice {
  const inspectRequest = latestOnly();
  return {
    center: 'search',
    inspection: null,

    setCenter(center) {
      set({ center });
    },

    async inspect(trialNumber, options = {}) {
      const study = get().study;
      if (!study?.detail || !findTrial(trialNumber)) return;
      const sheetOpen = options.sheet === true;
      // Trial numbers repeat across studies: the answer must belong to the latest inspection asked for.
      const isLatest = inspectRequest();
      const stillWanted = (): boolean => isLatest() && get().inspection?.trialNumber === trialNumber;
      set({
        inspection: { trialNumber, status: 'loading', result: null, message: null, sheetOpen },
        center: 'inspect',
      });
      try {
        const result = await client.invoke('optimize:trial-backtest', { studyId: study.id, trialNumber });
        resolved();
        if (stillWanted())
          set({ inspection: { trialNumber, status: 'ready', result, message: null, sheetOpen } });
      } catch (error) {
        if (stillWanted())
          set({
            inspection: {
              trialNumber,
              status: 'error',
              result: null,
              message: errorMessage(error),
              sheetOpen: false,
            },
          });
        notify(`Backtest of trial #${trialNumber}`, error);
      }
    },

    setSheetOpen(open) {
      const inspection = get().inspection;
      if (inspection) set({ inspection: { ...inspection, sheetOpen: open } });
    },

    openInBacktest() {
      const inspection = get().inspection;
      const study = get().study;
      const config = study?.detail?.config;
      if (inspection?.result && study && config)
        app.getState().openBacktest(inspection.result, config, {
          kind: 'trial',
          studyId: study.id,
          trial: inspection.trialNumber,
        });
    },
  };
}
