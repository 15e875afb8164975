import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useApp, useAppStore } from '../../store/context.tsx';
import { compareStoreFor, type CompareState, type CompareStore } from '../../store/compareStore.ts';

/** The compare store of this app (kept across tab switches, shared by the views that pin). */
export function useCompareStore(): CompareStore {
  const client = useApp((s) => s.client);
  const app = useAppStore();
  return useMemo(() => compareStoreFor(client, app), [client, app]);
}

export function useCompare<T>(selector: (state: CompareState) => T): T {
  return useStore(useCompareStore(), selector);
}
