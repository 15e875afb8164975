/**
 * What a page reload must not lose (the tab, the symbol, the last backtest, the study form) is kept in
 * the tab's sessionStorage: it lives as long as the tab, as the page's token does, and two tabs keep
 * their own. Stores take a Keeper so tests can give them a memory one, or none.
 */
export interface Keeper {
  load(key: string): unknown;
  save(key: string, value: unknown): void;
}

const PREFIX = 'regimen:';

/** Keeps nothing: for tests and for hosts without storage. */
export const NO_KEEPER: Keeper = { load: () => null, save: () => {} };

export function storageKeeper(storage: Pick<Storage, 'getItem' | 'setItem'>): Keeper {
  return {
    load(key) {
      try {
        const text = storage.getItem(PREFIX + key);
        return text === null ? null : (JSON.parse(text) as unknown);
      } catch {
        // Unreadable or not JSON: start afresh rather than fail to open the app.
        return null;
      }
    },
    save(key, value) {
      try {
        storage.setItem(PREFIX + key, JSON.stringify(value));
      } catch {
        // Full or refused storage only costs what a reload would keep.
      }
    },
  };
}

/** The page's sessionStorage, when there is one. */
export function sessionKeeper(): Keeper {
  return typeof sessionStorage === 'undefined' ? NO_KEEPER : storageKeeper(sessionStorage);
}

/**
 * The page's localStorage, for preferences that outlive the tab (the time zone). In the browser it is
 * the origin's, and `regimen serve` on another port is another origin: the preference starts afresh.
 */
export function localKeeper(): Keeper {
  return typeof localStorage === 'undefined' ? NO_KEEPER : storageKeeper(localStorage);
}

/** A memory keeper, for tests: what one store saves, the next one created with it loads. */
export function memoryKeeper(): Keeper & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    ...storageKeeper({
      getItem: (key) => values.get(key) ?? null,
      setItem: (key, value) => void values.set(key, value),
    }),
  };
}
