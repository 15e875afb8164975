import { describe, expect, it } from 'vitest';
import type { KeysStatus } from '../../shared/contract.ts';
import { deferred, FakeRegimenClient } from '../../../test/support/fakeRegimenClient.ts';
import { createDataStore, fetchRange, parseSymbolList, type FetchForm } from './dataStore.ts';

const keysStatus = (configured: boolean): KeysStatus => ({
  alpaca: { configured, source: configured ? 'keychain' : 'none', dataBaseUrl: 'http://fake' },
  keychain: 'memory',
});
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
});
