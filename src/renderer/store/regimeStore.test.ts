import { describe, expect, it } from 'vitest';
import type { RegimesResult } from '../../shared/contract.ts';
import { deferred, FakeRegimenClient } from '../../../test/support/fakeRegimenClient.ts';
import { regimeStoreFor } from './regimeStore.ts';

describe('the regime store', () => {
  it("reads labels and runs studies on the target's session, as the backtest reads its bars", async () => {
    const client = new FakeRegimenClient()
      .handle('regimes:get', (query) => ({ symbol: query.symbol }) as unknown as RegimesResult)
      .handle('regimes:winners', () => ({ jobId: 'j', cancelled: true }));
    const store = regimeStoreFor(client);
    const target = { symbol: 'SPY', timeframe: '5m', session: 'extended' } as const;
    await store.getState().load(target);
    await store.getState().runWinners(target);
    expect(client.callsTo('regimes:get').map((q) => q.session)).toEqual(['extended']);
    expect(client.callsTo('regimes:winners').map((q) => q.session)).toEqual(['extended']);
  });

  it('says it is labelling while a new request is unanswered, the last labels kept meanwhile', async () => {
    // A detector change took seconds to answer, and the rules' table passed for the HMM's until then.
    const hmm = deferred<RegimesResult>();
    const client = new FakeRegimenClient().handle('regimes:get', (query) =>
      query.detector === 'hmm' ? hmm.promise : ({ detector: query.detector } as unknown as RegimesResult),
    );
    const store = regimeStoreFor(client);
    const target = { symbol: 'SPY', timeframe: '1d', session: 'regular' } as const;
    await store.getState().load(target);
    expect(store.getState().labelling).toBe(false);
    store.getState().setForm({ detector: 'hmm' });
    const loading = store.getState().load(target);
    expect(store.getState().labelling).toBe(true);
    expect(store.getState().labels).toMatchObject({ status: 'ready', data: { detector: 'rules' } });
    hmm.resolve({ detector: 'hmm' } as unknown as RegimesResult);
    await loading;
    expect(store.getState().labelling).toBe(false);
    expect(store.getState().labels).toMatchObject({ status: 'ready', data: { detector: 'hmm' } });
  });

  it("sends the jump detector's half-life and hysteresis with its labels and studies, and not another's", async () => {
    const client = new FakeRegimenClient()
      .handle('regimes:get', (query) => ({ symbol: query.symbol }) as unknown as RegimesResult)
      .handle('regimes:winners', () => ({ jobId: 'j', cancelled: true }));
    const store = regimeStoreFor(client);
    const target = { symbol: 'SPY', timeframe: '1d', session: 'regular' } as const;
    store.getState().setForm({ detector: 'jump', halflife: '2', hysteresis: '0.55', jumpPenalty: '5' });
    await store.getState().load(target);
    await store.getState().runWinners(target);
    const weighted = { jumpPenalty: 5, halflife: 2, hysteresis: 0.55 };
    // The rules have no half-life: the field typed for the jump model is not sent with them.
    store.getState().setForm({ detector: 'rules' });
    await store.getState().load(target);
    expect(client.callsTo('regimes:get').map((q) => q.settings)).toEqual([weighted, { hysteresis: 0.55 }]);
    expect(client.callsTo('regimes:winners').map((q) => q.settings)).toEqual([weighted]);
  });

  it("sends Settings' costs with the study and the comparison, as a backtest charges them", async () => {
    const client = new FakeRegimenClient()
      .handle('regimes:winners', () => ({ jobId: 'j', cancelled: true }))
      .handle('regimes:compare', () => ({ jobId: 'k', cancelled: true }));
    const store = regimeStoreFor(client);
    const costs = { spreadBps: 3, fees: 'none' } as const;
    const target = { symbol: 'SPY', timeframe: '1d', session: 'regular', costs } as const;
    await store.getState().runWinners(target);
    await store.getState().runCompare(target);
    await store.getState().runCompare({ ...target, costs: undefined });
    expect(client.callsTo('regimes:winners').map((q) => q.costs)).toEqual([costs]);
    // Without Settings' costs the request carries none: the symbol's asset-class defaults apply there.
    expect(client.callsTo('regimes:compare').map((q) => q.costs)).toEqual([costs, undefined]);
  });

  it("starts from Settings' default cash at its commission, and without them leaves the contract's", async () => {
    const client = new FakeRegimenClient()
      .handle('regimes:winners', () => ({ jobId: 'j', cancelled: true }))
      .handle('regimes:compare', () => ({ jobId: 'k', cancelled: true }));
    const store = regimeStoreFor(client);
    const target = { symbol: 'SPY', timeframe: '1d', session: 'regular' } as const;
    await store.getState().runWinners({ ...target, cash: 25_000, commission: 0.001 });
    await store.getState().runCompare({ ...target, cash: 25_000, commission: 0 });
    await store.getState().runCompare(target);
    expect(client.callsTo('regimes:winners')).toMatchObject([{ cash: 25_000, commission: 0.001 }]);
    const compared = client.callsTo('regimes:compare');
    expect(compared[0]).toMatchObject({ cash: 25_000, commission: 0 });
    expect([compared[1]!.cash, compared[1]!.commission]).toEqual([undefined, undefined]);
  });

  it("sends the sets' dwell apart from the detector's label dwell, and refuses one under a bar", async () => {
    const client = new FakeRegimenClient()
      .handle('regimes:winners', () => ({ jobId: 'j', cancelled: true }))
      .handle('regimes:compare', () => ({ jobId: 'k', cancelled: true }));
    const store = regimeStoreFor(client);
    const target = { symbol: 'SPY', timeframe: '1d', session: 'regular' } as const;
    await store.getState().runCompare(target);
    store.getState().setForm({ minDwell: '3' });
    store.getState().setStudy({ minDwell: '20' });
    await store.getState().runCompare(target);
    await store.getState().runWinners(target);
    // Untouched, the sets are held the contract's 5 bars; the label dwell goes with the detector's settings.
    expect(client.callsTo('regimes:compare').map((q) => [q.minDwell, q.settings])).toEqual([
      [5, {}],
      [20, { minDwell: 3 }],
    ]);
    expect(client.callsTo('regimes:winners').map((q) => q.minDwell)).toEqual([20]);
    store.getState().setStudy({ minDwell: '0' });
    await store.getState().runCompare(target);
    expect(client.callsTo('regimes:compare')).toHaveLength(2);
    expect(store.getState().comparison).toEqual({
      status: 'error',
      message: 'set dwell must be a whole number of bars of at least 1, got "0"',
    });
  });
});
