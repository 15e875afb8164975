import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RegimenClient } from '../../shared/client.ts';
import type { RequestInput, WalkForwardProgressEvent, WalkForwardResult } from '../../shared/contract.ts';
import { errorMessage } from '../client/clientError.ts';

/** The walk-forward windows as typed in the Optimize view. */
export interface WindowDraft {
  mode: 'rolling' | 'anchored';
  unit: 'days' | 'bars';
  train: string;
  test: string;
  step: string;
  /** Units before each test window, or ignored while `purgeWarmup` asks for the strategy's warm-up. */
  purge: string;
  purgeWarmup: boolean;
}

/**
 * The Optimize view's walk-forward: its window fields, the run in flight with its progress, and the last
 * result. Kept outside the panel, which a tab switch unmounts: its own state lost the result of a run of
 * minutes, and a run still going when the tab was left finished for nobody.
 */
export interface WalkForwardState {
  windows: WindowDraft;
  /** The job id of the run in flight. */
  running: string | null;
  progress: WalkForwardProgressEvent | null;
  result: WalkForwardResult | null;
  /** What the result's run was asked: a pin keeps it to replay the run's windows later. */
  pinRequest: RequestInput<'compare:pin'> | null;
  error: string | null;
  setWindows(windows: WindowDraft): void;
  setError(error: string | null): void;
  run(request: RequestInput<'walkforward:run'>): Promise<void>;
}

export type WalkForwardStore = StoreApi<WalkForwardState>;

const isWalkForwardResult = (value: unknown): value is WalkForwardResult =>
  typeof value === 'object' && value !== null && 'windows' in value;

export function createWalkForwardStore(client: RegimenClient): WalkForwardStore {
  const store = createStore<WalkForwardState>()((set, get) => ({
    windows: {
      mode: 'rolling',
      unit: 'days',
      train: '60',
      test: '20',
      step: '20',
      purge: '0',
      purgeWarmup: false,
    },
    running: null,
    progress: null,
    result: null,
    pinRequest: null,
    error: null,
    setWindows: (windows) => set({ windows }),
    setError: (error) => set({ error }),
    async run(request) {
      set({ running: request.jobId, progress: null, error: null });
      try {
        const answer = await client.invoke('walkforward:run', request);
        if (isWalkForwardResult(answer))
          set({
            result: answer,
            pinRequest: { source: { kind: 'walkforward', runId: answer.runId, request } },
          });
      } catch (failure) {
        set({ error: errorMessage(failure) });
      } finally {
        if (get().running === request.jobId) set({ running: null });
      }
    },
  }));
  // Listening from the start, not from a run's request: its first event may come before the answer.
  client.on('walkforward:progress', (event) => {
    if (event.jobId === store.getState().running) store.setState({ progress: event });
  });
  return store;
}

const stores = new WeakMap<RegimenClient, WalkForwardStore>();

/** One walk-forward store per client, outliving the Optimize view's panel. */
export function walkForwardStoreFor(client: RegimenClient): WalkForwardStore {
  let store = stores.get(client);
  if (!store) {
    store = createWalkForwardStore(client);
    stores.set(client, store);
  }
  return store;
}
