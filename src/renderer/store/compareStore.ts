import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RegimenClient } from '../../shared/client.ts';
import type { ComparedPin, RequestInput } from '../../shared/contract.ts';
import { errorMessage } from '../client/clientError.ts';
import type { AppStore, Loadable } from './appStore.ts';

/** The compare set as the Compare view shows it: pins derived by the services, a reference column, the scale. */
export interface CompareState {
  pins: Loadable<ComparedPin[]>;
  /** The pin the others' differences are measured against (the first pin when null or unpinned). */
  reference: string | null;
  logScale: boolean;
  /** The last pin/unpin/clear refusal, in words (a full set, a trial that no longer exists). */
  error: string | null;
  refresh(): Promise<void>;
  pin(request: RequestInput<'compare:pin'>): Promise<boolean>;
  unpin(pinId: string): Promise<void>;
  clear(): Promise<void>;
  setReference(pinId: string): void;
  setLogScale(on: boolean): void;
}
export type CompareStore = StoreApi<CompareState>;

/** The pin differences are measured against: the chosen one while it is pinned, else the first. */
export function referencePin(pins: readonly ComparedPin[], reference: string | null): ComparedPin | null {
  return pins.find((p) => p.id === reference) ?? pins[0] ?? null;
}

export function createCompareStore(client: RegimenClient): CompareStore {
  return createStore<CompareState>()((set, get) => {
    const act = async (work: () => Promise<unknown>): Promise<boolean> => {
      try {
        await work();
        set({ error: null });
        await get().refresh();
        return true;
      } catch (error) {
        set({ error: errorMessage(error) });
        return false;
      }
    };
    return {
      pins: { status: 'idle' },
      reference: null,
      logScale: false,
      error: null,
      async refresh() {
        if (get().pins.status !== 'ready') set({ pins: { status: 'loading' } });
        try {
          set({ pins: { status: 'ready', data: await client.invoke('compare:list', {}) } });
        } catch (error) {
          set({ pins: { status: 'error', message: errorMessage(error) } });
        }
      },
      pin: (request) => act(() => client.invoke('compare:pin', request)),
      async unpin(pinId) {
        await act(() => client.invoke('compare:unpin', { pinId }));
      },
      async clear() {
        await act(() => client.invoke('compare:clear', {}));
      },
      setReference: (pinId) => set({ reference: pinId }),
      setLogScale: (on) => set({ logScale: on }),
    };
  });
}

const stores = new WeakMap<AppStore, CompareStore>();

/** One compare store per app store: the Backtest and Optimize views pin into the set the Compare view shows. */
export function compareStoreFor(client: RegimenClient, app: AppStore): CompareStore {
  let store = stores.get(app);
  if (store === undefined) {
    store = createCompareStore(client);
    stores.set(app, store);
  }
  return store;
}
