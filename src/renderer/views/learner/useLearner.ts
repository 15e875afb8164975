import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useApp, useAppStore } from '../../store/context.tsx';
import { learnerStoreFor, type LearnerState, type LearnerStore } from '../../store/learnerStore.ts';

/** The learner store of this app (kept across tab switches). */
export function useLearnerStore(): LearnerStore {
  const client = useApp((s) => s.client);
  const app = useAppStore();
  return useMemo(() => learnerStoreFor(client, app), [client, app]);
}

/** Reads a slice of the learner store; the component re-renders only when that slice changes. */
export function useLearner<T>(selector: (state: LearnerState) => T): T {
  return useStore(useLearnerStore(), selector);
}
