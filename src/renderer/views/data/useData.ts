import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../store/context.tsx';
import { dataStoreFor, type DataState, type DataStore } from '../../store/dataStore.ts';

/** The data store of this app's client (shared by the Data and Settings views). */
export function useDataStore(): DataStore {
  const client = useApp((s) => s.client);
  const refreshDatasets = useApp((s) => s.refreshDatasets);
  return useMemo(() => dataStoreFor(client, refreshDatasets), [client, refreshDatasets]);
}

/** Reads a slice of the data store; the component re-renders only when that slice changes. */
export function useData<T>(selector: (state: DataState) => T): T {
  return useStore(useDataStore(), selector);
}
