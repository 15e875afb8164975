import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppStore } from './appStore.ts';
import { createOptimizeStore, type OptimizeState, type OptimizeStore } from './optimizeStore.ts';

// One optimisation store per app store, made on first use: studies keep running and keep reporting while
// the trader is on another tab, and coming back finds them as they were.
const stores = new WeakMap<AppStore, OptimizeStore>();

export function optimizeStoreFor(app: AppStore): OptimizeStore {
  let store = stores.get(app);
  if (!store) {
    store = createOptimizeStore(app.getState().client, app);
    stores.set(app, store);
    store.getState().connect();
  }
  return store;
}

const OptimizeContext = createContext<OptimizeStore | null>(null);

export function OptimizeStoreProvider({ store, children }: { store: OptimizeStore; children: ReactNode }) {
  return <OptimizeContext.Provider value={store}>{children}</OptimizeContext.Provider>;
}

/** Reads a slice of the optimisation state; the component re-renders only when that slice changes. */
export function useOptimize<T>(selector: (state: OptimizeState) => T): T {
  const store = useContext(OptimizeContext);
  if (!store) throw new Error('useOptimize is used outside <OptimizeStoreProvider>');
  return useStore(store, selector);
}
