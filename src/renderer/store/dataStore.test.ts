import { describe, expect, it } from 'vitest';
import type { DatasetCoverage, KeysStatus } from '../../shared/contract.ts';
import type { Loadable } from './appStore.ts';
import { deferred, FakeRegimenClient } from '../../../test/support/fakeRegimenClient.ts';
import { createDataStore, fetchRange, parseSymbolList, type FetchForm } from './dataStore.ts';

const keysStatus = (configured: boolean): KeysStatus => ({
  alpaca: { configured, source: configured ? 'keychain' : 'none', dataBaseUrl: 'http://fake' },
  keychain: 'memory',
});
function coverage(symbol: string, timeframe: string, bars: number): DatasetCoverage {
  return { symbol, timeframe, bars, start: 0, end: 1, source: 'import', calendar: 'equities', coverage: [] };
}
const symbols = (c: Loadable<DatasetCoverage[]>): string[] =>
  c.status === 'ready' ? c.data.map((d) => d.symbol) : [];

const FORM: FetchForm = {
  symbols: 'A',
  timeframe: '1Day',
  start: '2024-01-01',
  end: '2024-01-02',
  adjustment: 'all',
  feed: 'iex',
};

describe('the data store against a fake client', () => {
  it('parses symbol lists and names the entry that is not a ticker', () => {
    expect(parseSymbolList('aapl, MSFT aapl')).toEqual({ symbols: ['AAPL', 'MSFT'] });
    expect(parseSymbolList('AAPL, $$$').error).toBe('"$$$" is not a ticker symbol');
    expect(parseSymbolList(' ').error).toMatch(/at least one symbol/);
  });

  it('takes the end date as inclusive and refuses an end before the start', () => {
    const range = fetchRange(FORM);
    expect([range.start, range.end]).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 3)]);
    expect(fetchRange({ ...FORM, start: '2024-02-01' }).error).toMatch(/before the start/);
  });

  it('a fetch without keys is refused in its panel with the way to Settings, and nothing is sent', async () => {
    const client = new FakeRegimenClient().handle('settings:keys-status', () => keysStatus(false));
    const store = createDataStore(client, async () => {});
    await store.getState().loadKeys();
    await store.getState().runFetch();
    expect(client.callsTo('data:fetch')).toEqual([]);
    expect(store.getState().errors).toEqual([
      { panel: 'fetch', message: 'No Alpaca API keys configured: add them in Settings', needsKeys: true },
    ]);
  });

  it('a cancelled fetch keeps what was fetched and says so', async () => {
    const fetch = deferred<{ jobId: string; cancelled: true }>();
    let changed = 0;
    const client = new FakeRegimenClient()
      .handle('data:fetch', () => fetch.promise)
      .handle('job:cancel', () => ({ cancelled: true }))
      .handle('data:coverage', () => []);
    const store = createDataStore(client, async () => {
      changed += 1;
    });
    const running = store.getState().runFetch();
    const jobId = store.getState().job?.jobId ?? '';
    client.emit('job:progress', { jobId, stage: 'fetch', done: 1, total: 4 });
    expect(store.getState().job?.progress?.done).toBe(1);
    await store.getState().cancelFetch();
    expect(store.getState().job?.cancelling).toBe(true);
    // The services answer a cancelled job as an outcome, not an error.
    fetch.resolve({ jobId, cancelled: true });
    await running;
    expect(store.getState().job).toBeNull();
    expect(store.getState().lastResult?.text).toMatch(/cancelled, the bars fetched so far are kept/);
    expect(changed).toBe(1);
  });

  it('a secret typed into the keys form never appears in an error', async () => {
    const client = new FakeRegimenClient().handle('settings:save-keys', ({ secret }) =>
      Promise.reject(new Error(`keychain refused ${secret}`)),
    );
    const store = createDataStore(client, async () => {});
    expect(await store.getState().saveKeys('KEY', 'supersecret')).toBe(false);
    expect(store.getState().errors[0]?.message).toBe('keychain refused •••');
  });

  it('deletes a symbol only once it is typed out, then lists the coverage again', async () => {
    const stored = [
      { symbol: 'GOOG', timeframe: '1d', bars: 10 },
      { symbol: 'SPY', timeframe: '1m', bars: 5 },
    ];
    let changed = 0;
    const client = new FakeRegimenClient()
      .handle('data:coverage', () => stored.map((d) => coverage(d.symbol, d.timeframe, d.bars)))
      .handle('data:quality', () => Promise.reject(new Error('not under test')))
      .handle('data:delete', ({ symbol }) => {
        const [gone] = stored.splice(
          stored.findIndex((d) => d.symbol === symbol),
          1,
        );
        return { symbol, bars: gone?.bars ?? 0 };
      });
    const store = createDataStore(client, async () => {
      changed += 1;
    });
    await store.getState().loadCoverage();
    expect(await store.getState().deleteDataset('GOOG', 'GOO')).toBe(false);
    expect(client.callsTo('data:delete')).toEqual([]);
    expect(store.getState().errors.find((e) => e.panel === 'manage')?.message).toBe(
      'Type GOOG to confirm deleting it',
    );
    expect(await store.getState().deleteDataset('GOOG', ' goog ')).toBe(true);
    expect(client.callsTo('data:delete')).toEqual([{ symbol: 'GOOG' }]);
    expect(symbols(store.getState().coverage)).toEqual(['SPY']);
    expect(store.getState().selected?.symbol).toBe('SPY');
    expect(store.getState().lastResult).toEqual({ kind: 'delete', text: 'GOOG: deleted, 10 bars' });
    expect(store.getState().errors.filter((e) => e.panel === 'manage')).toEqual([]);
    expect(changed).toBe(1);
  });

  it('renames a symbol, keeps it selected under the new name, and shows a refusal as the services word it', async () => {
    const stored = [
      { symbol: 'GOOG', timeframe: '1d', bars: 10 },
      { symbol: 'SPY', timeframe: '1m', bars: 5 },
    ];
    const client = new FakeRegimenClient()
      .handle('data:coverage', () => stored.map((d) => coverage(d.symbol, d.timeframe, d.bars)))
      .handle('data:quality', () => Promise.reject(new Error('not under test')))
      .handle('data:rename', ({ symbol, to }) => {
        if (stored.some((d) => d.symbol === to)) return Promise.reject(new Error(`${to} is already stored`));
        const entry = stored.find((d) => d.symbol === symbol);
        if (!entry) return Promise.reject(new Error(`no data stored for ${symbol}`));
        entry.symbol = to;
        return { symbol: to, bars: entry.bars };
      });
    const store = createDataStore(client, async () => {});
    await store.getState().loadCoverage();
    expect(store.getState().selected).toEqual({ symbol: 'GOOG', timeframe: '1d' });

    expect(await store.getState().renameDataset('GOOG', 'spy')).toBe(false);
    expect(store.getState().errors.find((e) => e.panel === 'manage')?.message).toMatch(
      /SPY is already stored/,
    );
    expect(await store.getState().renameDataset('GOOG', 'a b')).toBe(false);
    expect(store.getState().errors.find((e) => e.panel === 'manage')?.message).toBe(
      '"a b" is not a ticker symbol',
    );
    expect(client.callsTo('data:rename')).toEqual([{ symbol: 'GOOG', to: 'SPY' }]);

    expect(await store.getState().renameDataset('GOOG', 'googl')).toBe(true);
    expect(symbols(store.getState().coverage)).toEqual(['GOOGL', 'SPY']);
    expect(store.getState().selected).toEqual({ symbol: 'GOOGL', timeframe: '1d' });
    expect(store.getState().lastResult?.text).toBe('GOOG renamed to GOOGL (10 bars)');
    expect(store.getState().errors.filter((e) => e.panel === 'manage')).toEqual([]);
  });

  it("an import that fails does not leave the last import's success beside its error", async () => {
    const client = new FakeRegimenClient()
      .handle('data:coverage', () => [coverage('GOOG', '1d', 2148)])
      .handle('data:quality', () => Promise.reject(new Error('not under test')))
      .handle('data:import', ({ path }) =>
        path.endsWith('BAD.csv')
          ? Promise.reject(new Error('BAD.csv line 3, column "High": high 9 is below max(open, close) 10.5'))
          : {
              file: 'GOOG.csv',
              format: 'csv' as const,
              symbol: 'GOOG',
              timeframe: '1d',
              bars: 2148,
              start: 0,
              end: 1,
              elapsedMs: 5,
              calendar: 'equities' as const,
              calendarInferred: true,
              utcDays: null,
              timeZone: { zone: 'UTC' as const, source: 'not-needed' as const, basis: 'dates' },
            },
      );
    const store = createDataStore(client, async () => {});
    store.getState().setImportForm({ path: '/data/GOOG.csv' });
    await store.getState().runImport();
    expect(store.getState().lastResult?.text).toMatch(/^GOOG\.csv: 2,148 bars stored as GOOG 1d/);
    store.getState().setImportForm({ path: '/data/BAD.csv' });
    await store.getState().runImport();
    expect(store.getState().errors.find((e) => e.panel === 'import')?.message).toMatch(/line 3/);
    expect(store.getState().lastResult).toBeNull();
    // Nor beside the empty path's refusal.
    store.getState().setImportForm({ path: '/data/GOOG.csv' });
    await store.getState().runImport();
    store.getState().setImportForm({ path: ' ' });
    await store.getState().runImport();
    expect(store.getState().lastResult).toBeNull();
  });
});
