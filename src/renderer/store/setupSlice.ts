import type { Timeframe } from '../../core/data/bars.ts';
import { findStrategy, type AppState, type AppStore } from './appStore.ts';
import {
  defaultSpace,
  emptySetup,
  type ObjectiveMetric,
  type SetupDraft,
  type SpaceDraft,
} from './optimizeSetup.ts';
import type { SliceGet, SliceSet } from './slices.ts';

/** The study form: what the trader types before starting a study. */
export interface SetupSlice {
  setup: SetupDraft;
  patchSetup(patch: Partial<SetupDraft>): void;
  chooseStrategy(name: string): void;
  patchSpace(name: string, patch: Partial<SpaceDraft>): void;
  resetSpace(): void;
  toggleTimeframe(timeframe: Timeframe, multi: boolean): void;
  toggleObjective(metric: ObjectiveMetric): void;
  setObjectiveWeight(metric: ObjectiveMetric, text: string): void;
}

export function createSetupSlice(
  app: AppStore,
  set: SliceSet<SetupSlice>,
  get: SliceGet<SetupSlice>,
  initial: SetupDraft = emptySetup(),
): SetupSlice {
  return {
    setup: initial,

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
  };
}

/**
 * A form kept from before a page reload, if each field it holds has the type an empty form's has;
 * otherwise an empty form. A field it lacks (the form gained it since it was kept) takes the empty
 * form's value, so an update does not throw away the trader's typing.
 */
export function keptSetup(value: unknown): SetupDraft {
  const empty = emptySetup();
  if (typeof value !== 'object' || value === null) return empty;
  const kept = { ...empty, ...(value as Record<string, unknown>) };
  const sameShape = (Object.keys(empty) as Array<keyof SetupDraft>).every((key) => {
    const want = empty[key];
    const have = kept[key];
    return want === null
      ? have === null || typeof have === 'string'
      : Array.isArray(want)
        ? Array.isArray(have)
        : typeof have === typeof want;
  });
  return sameShape ? (kept as unknown as SetupDraft) : empty;
}

/**
 * The form with its empty strategy and symbol filled from the app's, once they are known; null when
 * nothing needs filling (what the trader chose is never replaced).
 */
export function setupFromApp(
  setup: SetupDraft,
  { strategies, symbol, strategyName, settings }: AppState,
): SetupDraft | null {
  if (strategies.status !== 'ready') return null;
  const patch: Partial<SetupDraft> = {};
  // The Settings' defaults replace the built-in ones, never a value the trader typed.
  const builtIn = emptySetup();
  if (settings !== null) {
    const { cash, commissionPercent } = settings.settings;
    if (setup.cash === builtIn.cash && String(cash) !== setup.cash) patch.cash = String(cash);
    if (setup.commission === builtIn.commission && String(commissionPercent) !== setup.commission)
      patch.commission = String(commissionPercent);
  }
  if (!setup.symbol && symbol) patch.symbol = symbol;
  if (!findStrategy(strategies, setup.strategy)) {
    const preferred = findStrategy(strategies, strategyName) ?? strategies.data[0];
    if (preferred) {
      patch.strategy = preferred.name;
      patch.space = defaultSpace(preferred);
    }
  }
  return Object.keys(patch).length > 0 ? { ...setup, ...patch } : null;
}
