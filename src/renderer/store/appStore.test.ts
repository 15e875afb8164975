import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_COST_DRAFT } from './costDraft.ts';
import type { BarsPayload } from '../../shared/contract.ts';
import {
  backtestResult,
  deferred,
  FakeRegimenClient,
  SMA_CROSS,
} from '../../../test/support/fakeRegimenClient.ts';
import { settingsRecord as record } from '../../../test/support/settingsRecord.ts';
import { createAppStore, showsDemoMarket, symbolTimeframeReasons } from './appStore.ts';
import { memoryKeeper } from './keeper.ts';

const bars = (symbol: string, timeframe: BarsPayload['timeframe']): BarsPayload => ({
  symbol,
  timeframe,
  t: [1],
  o: [1],
  h: [1],
  l: [1],
  c: [1],
  v: [1],
});

/** A store with sma-cross listed, kept in memory, whose client answers bars: a reload is a new store on `keeper`. */
function keptStore() {
  const keeper = memoryKeeper();
  const client = new FakeRegimenClient().handle('bars:get', ({ symbol, timeframe }) =>
    bars(symbol, timeframe),
  );
  const app = createAppStore(client, keeper);
  app.setState({ strategies: { status: 'ready', data: [SMA_CROSS] } });
  return { keeper, client, app };
}

describe('the app store against a fake client', () => {
  it('starts: lists symbols and strategies, picks the first of each and loads its bars', async () => {
    const client = new FakeRegimenClient()
      .handle('app:info', () => ({ version: '0', host: 'http', dataDir: '/d', demo: true, preparing: null }))
      .handle('data:list', () => [
        { symbol: 'AAA', timeframe: '1m', bars: 10, start: 0, end: 1, source: 'demo', calendar: 'equities' },
        { symbol: 'BBB', timeframe: '1m', bars: 10, start: 0, end: 1, source: 'demo', calendar: 'equities' },
      ])
      .handle('strategies:list', () => [SMA_CROSS])
      .handle('bars:get', ({ symbol, timeframe }) => bars(symbol, timeframe));
    const app = createAppStore(client);
    await app.getState().start();
    await Promise.resolve();
    const state = app.getState();
    expect(state.symbol).toBe('AAA');
    expect(state.strategyName).toBe('sma-cross');
    expect(state.paramDraft).toEqual({ fast: '10', slow: '30' });
    expect(client.callsTo('bars:get')[0]).toMatchObject({ symbol: 'AAA', timeframe: '15m' });
  });

  it('a strategy reload replaces the list: an edited strategy takes its new defaults, others keep the draft', async () => {
    const rsi = { ...SMA_CROSS, name: 'rsi', version: '1+aaaaaaaa', file: 'strategies/rsi.ts' };
    const edited = {
      ...rsi,
      version: '1+bbbbbbbb',
      params: SMA_CROSS.params.map((p) => (p.name === 'fast' ? { ...p, default: 12 } : p)),
    };
    const client = new FakeRegimenClient()
      .handle('app:info', () => ({ version: '0', host: 'http', dataDir: '/d', demo: true, preparing: null }))
      .handle('data:list', () => [])
      .handle('strategies:list', () => [SMA_CROSS, rsi])
      .handle('strategies:reload', () => ({ strategies: [SMA_CROSS, edited], problems: [] }));
    const app = createAppStore(client);
    await app.getState().start();
    app.getState().selectStrategy('rsi');
    app.getState().setParam('slow', '40');
    // Another window's reload, with nothing changed: the draft being typed stays.
    client.emit('strategies:changed', { strategies: [SMA_CROSS, rsi], problems: [] });
    expect(app.getState().paramDraft).toEqual({ fast: '10', slow: '40' });
    await app.getState().reloadStrategies();
    expect(client.callsTo('strategies:reload')).toHaveLength(1);
    expect(app.getState().strategyName).toBe('rsi');
    expect(app.getState().paramDraft).toEqual({ fast: '12', slow: '30' });
    // The file removed: the first strategy is chosen.
    client.emit('strategies:changed', { strategies: [SMA_CROSS], problems: [] });
    expect(app.getState().strategyName).toBe('sma-cross');
  });

  it('only the latest bars request lands when the trader clicks through symbols', async () => {
    const first = deferred<BarsPayload>();
    const client = new FakeRegimenClient().handle('bars:get', ({ symbol, timeframe }) =>
      symbol === 'AAA' ? first.promise : bars(symbol, timeframe),
    );
    const app = createAppStore(client);
    app.getState().selectSymbol('AAA');
    app.getState().selectSymbol('BBB');
    await Promise.resolve();
    first.resolve(bars('AAA', '15m'));
    await first.promise;
    await Promise.resolve();
    const shown = app.getState().bars;
    expect(shown.status === 'ready' && shown.data.symbol).toBe('BBB');
  });

  it('out-of-range inputs are not sent: a notice says which to fix', async () => {
    const client = new FakeRegimenClient();
    const app = createAppStore(client);
    app.setState({ strategies: { status: 'ready', data: [SMA_CROSS] }, symbol: 'AAA' });
    app.getState().selectStrategy('sma-cross');
    app.getState().setParam('fast', '50');
    app.getState().setParam('slow', '20');
    await app.getState().runBacktest();
    expect(client.callsTo('backtest:run')).toEqual([]);
    expect(app.getState().notices.at(-1)?.message).toMatch(/fields marked in red/);
  });

  it('openBacktest shows a computed result with its settings, loading bars only when they change', () => {
    const client = new FakeRegimenClient().handle('bars:get', ({ symbol, timeframe }) =>
      bars(symbol, timeframe),
    );
    const app = createAppStore(client);
    app.setState({ strategies: { status: 'ready', data: [SMA_CROSS] }, view: 'optimize' });
    const result = backtestResult({ symbol: 'AAA', timeframe: '1h', params: { fast: 12, slow: 70 } });
    app.getState().openBacktest(result, { cash: 5_000, commission: 0.0007 });
    let state = app.getState();
    expect(state.view).toBe('backtest');
    expect(state.result).toBe(result);
    expect([state.symbol, state.timeframe, state.strategyName]).toEqual(['AAA', '1h', 'sma-cross']);
    expect(state.paramDraft).toEqual({ fast: '12', slow: '70' });
    expect([state.cash, state.commission]).toEqual(['5000', '0.07']);
    expect(client.callsTo('bars:get')).toHaveLength(1);

    app.setState({ bars: { status: 'ready', data: bars('AAA', '1h') } });
    app.getState().openBacktest({ ...result, params: { fast: 3, slow: 9 } }, { cash: 5_000, commission: 0 });
    state = app.getState();
    expect(state.paramDraft).toEqual({ fast: '3', slow: '9' });
    expect(client.callsTo('bars:get')).toHaveLength(1);
    expect(client.callsTo('backtest:run')).toEqual([]);
  });

  it('a bars load failing again keeps one notice counting the repeats; the next load that works clears it', async () => {
    let failing = true;
    const client = new FakeRegimenClient().handle('bars:get', ({ symbol, timeframe }) =>
      failing ? Promise.reject(new Error('cannot be derived')) : bars(symbol, timeframe),
    );
    const app = createAppStore(client);
    const settled = () => vi.waitFor(() => expect(app.getState().barsLoading).toBe(false));
    app.getState().selectSymbol('AAA');
    await settled();
    for (const timeframe of ['1h', '1d', '5m'] as const) {
      app.getState().setTimeframe(timeframe);
      await settled();
    }
    expect(app.getState().notices[0]?.repeats).toBe(4);
    expect(app.getState().notices).toHaveLength(1);
    failing = false;
    app.getState().setTimeframe('1h');
    await vi.waitFor(() => expect(app.getState().notices).toEqual([]));
  });

  it('a reload keeps the tab, the symbol, the form and the last backtest; its bars load again', async () => {
    const keeper = memoryKeeper();
    const client = new FakeRegimenClient()
      .handle('bars:get', ({ symbol, timeframe }) => bars(symbol, timeframe))
      .handle('data:list', () => [
        { symbol: 'AAA', timeframe: '1m', bars: 10, start: 0, end: 1, source: 'demo', calendar: 'equities' },
        { symbol: 'BBB', timeframe: '1m', bars: 10, start: 0, end: 1, source: 'demo', calendar: 'equities' },
      ]);
    const before = createAppStore(client, keeper);
    before.setState({ strategies: { status: 'ready', data: [SMA_CROSS] } });
    const result = backtestResult({ symbol: 'BBB', timeframe: '1h', params: { fast: 7, slow: 40 } });
    before.getState().openBacktest(result, { cash: 2_000, commission: 0.001 });
    before.getState().setView('optimize');

    const after = createAppStore(client, keeper);
    expect(after.getState()).toMatchObject({
      view: 'optimize',
      symbol: 'BBB',
      timeframe: '1h',
      strategyName: 'sma-cross',
      paramDraft: { fast: '7', slow: '40' },
      cash: '2000',
      commission: '0.1',
      result,
    });
    await after.getState().refreshDatasets();
    expect(client.callsTo('bars:get').at(-1)).toMatchObject({ symbol: 'BBB', timeframe: '1h' });
    expect(after.getState().result).toEqual(result);
  });

  it('a reload keeps the request of the last backtest run here, so it can still be pinned', async () => {
    const keeper = memoryKeeper();
    const client = new FakeRegimenClient().handle('backtest:run', (request) =>
      backtestResult({ symbol: request.symbol, timeframe: request.timeframe, params: request.params }),
    );
    const before = createAppStore(client, keeper);
    before.setState({
      strategies: { status: 'ready', data: [SMA_CROSS] },
      strategyName: 'sma-cross',
      paramDraft: { fast: '7', slow: '40' },
      symbol: 'AAA',
      timeframe: '1h',
    });
    await before.getState().runBacktest();
    const source = before.getState().resultSource;
    expect(source).toMatchObject({
      kind: 'backtest',
      request: { symbol: 'AAA', timeframe: '1h', params: { fast: 7, slow: 40 } },
    });
    expect(createAppStore(client, keeper).getState().resultSource).toEqual(source);
    // A result opened from another view without saying what it is has nothing to pin, and none is kept.
    before.getState().openBacktest(backtestResult({ symbol: 'AAA', timeframe: '1h' }), {});
    expect(createAppStore(client, keeper).getState().resultSource).toBeNull();
  });

  it('a trial opened in the Backtest view can be pinned, also after a reload', () => {
    const { keeper, client, app: before } = keptStore();
    const trial = { kind: 'trial', studyId: 'study-1', trial: 15 } as const;
    before.getState().openBacktest(backtestResult({ symbol: 'AAA', timeframe: '1h' }), {}, trial);
    expect(before.getState().resultSource).toEqual(trial);
    expect(createAppStore(client, keeper).getState().resultSource).toEqual(trial);
  });

  it('the last backtest is kept aside while the chart shows another symbol or timeframe, and shown on return', () => {
    const { keeper, client, app } = keptStore();
    const result = backtestResult({ symbol: 'AAA', timeframe: '15m' });
    const source = { kind: 'trial', studyId: 'study-1', trial: 3 } as const;
    app.getState().openBacktest(result, {}, source);
    app.getState().selectSymbol('BBB');
    expect(app.getState().result).toBeNull();
    expect(app.getState().keptAside).toEqual({ result, source, session: 'regular' });
    app.getState().setTimeframe('1h');
    app.getState().selectSymbol('AAA');
    expect(app.getState().result).toBeNull();
    // A reload on the way keeps it aside too.
    const reloaded = createAppStore(client, keeper);
    expect(reloaded.getState().keptAside?.result).toEqual(result);
    reloaded.getState().setTimeframe('15m');
    expect(reloaded.getState().result).toEqual(result);
    expect(reloaded.getState().resultSource).toEqual(source);
    expect(reloaded.getState().keptAside).toBeNull();
  });

  it('a backtest that finishes after the chart moved is kept aside, and Show goes back to it', async () => {
    const running = deferred<ReturnType<typeof backtestResult>>();
    const client = new FakeRegimenClient()
      .handle('bars:get', ({ symbol, timeframe }) => bars(symbol, timeframe))
      .handle('backtest:run', () => running.promise);
    const app = createAppStore(client);
    app.setState({
      strategies: { status: 'ready', data: [SMA_CROSS] },
      strategyName: 'sma-cross',
      paramDraft: { fast: '7', slow: '40' },
      symbol: 'AAA',
      timeframe: '1m',
    });
    const run = app.getState().runBacktest();
    app.getState().setTimeframe('1h');
    const result = backtestResult({ symbol: 'AAA', timeframe: '1m' });
    running.resolve(result);
    await run;
    expect(app.getState().result).toBeNull();
    expect(app.getState().keptAside).toMatchObject({
      result,
      source: { kind: 'backtest', request: { symbol: 'AAA', timeframe: '1m' } },
    });
    app.getState().showKeptAside();
    const state = app.getState();
    expect([state.symbol, state.timeframe, state.result, state.keptAside]).toEqual([
      'AAA',
      '1m',
      result,
      null,
    ]);
    expect(state.resultSource).toMatchObject({ kind: 'backtest', request: { timeframe: '1m' } });
    expect(client.callsTo('bars:get').at(-1)).toMatchObject({ symbol: 'AAA', timeframe: '1m' });
  });

  it('kept values of the wrong shape are ignored', () => {
    const keeper = memoryKeeper();
    keeper.save('app', { view: 'nowhere', timeframe: '7m', symbol: 3, result: { trades: 'no' } });
    const state = createAppStore(new FakeRegimenClient(), keeper).getState();
    expect([state.view, state.timeframe, state.symbol, state.result]).toEqual([
      'backtest',
      '15m',
      null,
      null,
    ]);
  });

  it('choosing a symbol stored as 1d switches to 1d; timeframes it cannot be shown in are refused with the reason', async () => {
    const client = new FakeRegimenClient()
      .handle('data:list', () => [
        { symbol: 'GOOG', timeframe: '1d', bars: 10, start: 0, end: 1, source: 'csv', calendar: 'equities' },
        { symbol: 'SPY', timeframe: '1m', bars: 10, start: 0, end: 1, source: 'csv', calendar: 'equities' },
      ])
      .handle('bars:get', ({ symbol, timeframe }) => bars(symbol, timeframe));
    const app = createAppStore(client);
    await app.getState().refreshDatasets();
    await vi.waitFor(() => expect(app.getState().barsLoading).toBe(false));
    expect(client.callsTo('bars:get').at(-1)).toMatchObject({ symbol: 'GOOG', timeframe: '1d' });
    const reasons = symbolTimeframeReasons(app.getState());
    expect(reasons['1d']).toBeNull();
    expect(reasons['15m']).toBe('GOOG is stored as 1d only: 15m is derived from 1-minute bars');
    expect([reasons['1w'], reasons['1mo']]).toEqual([null, null]);

    app.getState().setTimeframe('15m');
    expect(app.getState().timeframe).toBe('1d');
    expect(client.callsTo('bars:get')).toHaveLength(1);

    // A symbol with 1-minute bars keeps the timeframe chosen.
    app.getState().selectSymbol('SPY');
    app.getState().setTimeframe('5m');
    await vi.waitFor(() => expect(app.getState().barsLoading).toBe(false));
    expect(symbolTimeframeReasons(app.getState())['5m']).toBeNull();
    expect(client.callsTo('bars:get').at(-1)).toMatchObject({ symbol: 'SPY', timeframe: '5m' });
    expect(app.getState().notices).toEqual([]);
  });
});

describe('the DEMO MARKET chip', () => {
  const row = (symbol: string, source: string) => ({
    symbol,
    timeframe: '1m' as const,
    bars: 1,
    start: 0,
    end: 60_000,
    source,
    calendar: 'equities' as const,
  });
  const datasets = {
    status: 'ready' as const,
    data: [row('SYNA', 'demo'), row('GOOG', 'csv')],
  };

  it('shows only while the symbol on screen is the demo market, not for imported data beside it', () => {
    expect(showsDemoMarket({ datasets, symbol: 'SYNA' })).toBe(true);
    expect(showsDemoMarket({ datasets, symbol: 'GOOG' })).toBe(false);
    expect(showsDemoMarket({ datasets, symbol: null })).toBe(false);
    expect(showsDemoMarket({ datasets: { status: 'loading' }, symbol: 'SYNA' })).toBe(false);
  });
});

describe('the time-zone setting', () => {
  it('defaults to the exchange, and a choice outlives the session (kept apart from the tab state)', () => {
    const session = memoryKeeper();
    const preferences = memoryKeeper();
    const first = createAppStore(new FakeRegimenClient(), session, preferences);
    expect(first.getState().timeZone).toBe('exchange');
    first.getState().setTimeZone('utc');
    // A new tab: its session is fresh, the preference is not.
    const next = createAppStore(new FakeRegimenClient(), memoryKeeper(), preferences);
    expect(next.getState().timeZone).toBe('utc');
    // Anything else stored there is ignored, not trusted.
    preferences.save('preferences', { timeZone: 'Mars/Olympus' });
    expect(createAppStore(new FakeRegimenClient(), memoryKeeper(), preferences).getState().timeZone).toBe(
      'exchange',
    );
  });
});

/** An app store with one 1m equity symbol and sma-cross chosen, whose client answers bars and backtests. */
function readyToBacktest(preferences: ReturnType<typeof memoryKeeper>) {
  const client = new FakeRegimenClient()
    .handle('bars:get', ({ symbol, timeframe }) => bars(symbol, timeframe))
    .handle('backtest:run', () => backtestResult());
  const app = createAppStore(client, memoryKeeper(), preferences);
  app.setState({
    strategies: { status: 'ready', data: [SMA_CROSS] },
    datasets: {
      status: 'ready',
      data: [
        {
          symbol: 'AAA',
          timeframe: '1m',
          bars: 10,
          start: 0,
          end: 1,
          source: 'demo',
          calendar: 'equities',
        },
      ],
    },
  });
  app.getState().selectStrategy('sma-cross');
  app.getState().selectSymbol('AAA');
  return { client, app };
}

describe('the session setting', () => {
  it('defaults to regular hours, is sent on bars:get and backtest:run for every timeframe, and outlives the tab', async () => {
    const preferences = memoryKeeper();
    const { client, app } = readyToBacktest(preferences);
    expect(app.getState().session).toBe('regular');
    app.getState().setTimeframe('1m');
    await app.getState().runBacktest();
    expect(client.callsTo('bars:get').map((q) => [q.timeframe, q.session])).toEqual([
      ['15m', 'regular'],
      ['1m', 'regular'],
    ]);
    expect(client.callsTo('backtest:run').map((q) => q.session)).toEqual(['regular']);

    // Switching reloads the bars on the new session and the next backtest runs on it too.
    app.getState().setSession('extended');
    await app.getState().runBacktest();
    expect(client.callsTo('bars:get').at(-1)).toMatchObject({ timeframe: '1m', session: 'extended' });
    expect(client.callsTo('backtest:run').map((q) => q.session)).toEqual(['regular', 'extended']);

    expect(createAppStore(new FakeRegimenClient(), memoryKeeper(), preferences).getState().session).toBe(
      'extended',
    );
    // The time-zone preference saved beside it is kept, and a stored value that is no session is ignored.
    app.getState().setTimeZone('utc');
    const again = createAppStore(new FakeRegimenClient(), memoryKeeper(), preferences).getState();
    expect([again.session, again.timeZone]).toEqual(['extended', 'utc']);
    preferences.save('preferences', { session: 'overnight' });
    expect(createAppStore(new FakeRegimenClient(), memoryKeeper(), preferences).getState().session).toBe(
      'regular',
    );
  });
});

describe('the cost settings', () => {
  it('send only the parts set on backtest:run, block a run while one is invalid, and outlive the tab', async () => {
    const preferences = memoryKeeper();
    const { client, app } = readyToBacktest(preferences);
    await app.getState().runBacktest();
    expect(client.callsTo('backtest:run')[0]!.costs).toBeUndefined();
    app.getState().setCosts({ ...DEFAULT_COST_DRAFT, fees: 'none', spreadBps: '0', impact: '0' });
    await app.getState().runBacktest();
    expect(client.callsTo('backtest:run')[1]!.costs).toEqual({
      fees: 'none',
      spreadBps: 0,
      impact: 0,
    });
    app.getState().setCosts({ ...DEFAULT_COST_DRAFT, fees: null, spreadBps: '-3' });
    await app.getState().runBacktest();
    expect(client.callsTo('backtest:run')).toHaveLength(2);
    // A borrow rate is sent as the annual percent typed.
    app.getState().setCosts({ ...DEFAULT_COST_DRAFT, fees: null, spreadBps: '4', borrowPercent: '0.3' });
    await app.getState().runBacktest();
    expect(client.callsTo('backtest:run')[2]!.costs).toEqual({ spreadBps: 4, borrowPercent: 0.3 });
    expect(createAppStore(new FakeRegimenClient(), memoryKeeper(), preferences).getState().costs).toEqual({
      fees: null,
      spreadBps: '4',
      impact: '',
      borrowPercent: '0.3',
      cryptoFeeTier: null,
      shortSales: null,
      units: null,
    });
  });
});

describe('the settings record', () => {
  /** A started app whose services answer settings:get and settings:set with these. */
  async function startedOn(
    read: () => ReturnType<typeof record>,
    write: (
      patch: Parameters<typeof record>[0],
    ) => ReturnType<typeof record> | Promise<ReturnType<typeof record>>,
  ) {
    const client = new FakeRegimenClient()
      .handle('settings:get', read)
      .handle('settings:set', write)
      .handle('app:info', () => ({ version: '0', host: 'http', dataDir: '/d', demo: false, preparing: null }))
      .handle('data:list', () => [])
      .handle('strategies:list', () => []);
    const app = createAppStore(client, memoryKeeper(), memoryKeeper());
    await app.getState().start();
    await vi.waitFor(() => expect(app.getState().settings).not.toBeNull());
    return { client, app };
  }

  it('gives the form its defaults, follows changes pushed from elsewhere, and writes changes through', async () => {
    const { client, app } = await startedOn(
      () => record({ cash: 25_000, commissionPercent: 0.05, spreadBps: 3, session: 'extended' }),
      (patch) => record({ cash: 25_000, commissionPercent: 0.05, spreadBps: 3, ...patch }),
    );
    const state = app.getState();
    expect([state.cash, state.commission, state.costs.spreadBps, state.session]).toEqual([
      '25000',
      '0.05',
      '3',
      'extended',
    ]);

    client.emit('settings:changed', record({ cash: 40_000, timeZone: 'utc' }));
    expect([app.getState().cash, app.getState().timeZone, app.getState().session]).toEqual([
      '40000',
      'utc',
      'regular',
    ]);

    app.getState().setTimeZone('local');
    app.getState().setCosts({ ...DEFAULT_COST_DRAFT, fees: 'none', spreadBps: '1.' });
    expect(client.callsTo('settings:set')).toEqual([
      { timeZone: 'local' },
      {
        fees: 'none',
        spreadBps: 1,
        impact: null,
        borrowPercent: null,
        cryptoFeeTier: null,
        shortSales: null,
        units: null,
      },
    ]);
    // A part that does not read is not written.
    app.getState().setCosts({ ...DEFAULT_COST_DRAFT, fees: 'none', spreadBps: 'x' });
    expect(client.callsTo('settings:set')).toHaveLength(2);
  });

  it('keeps the later of two quick changes when their answers and events arrive out of order', async () => {
    // The owner answers the first change with its 1st state and the second with its 2nd; over HTTP and a
    // WebSocket the second's answer and event can arrive before the first's answer.
    const answers = [deferred<ReturnType<typeof record>>(), deferred<ReturnType<typeof record>>()];
    let writes = 0;
    const { client, app } = await startedOn(
      () => record(),
      () => answers[writes++]!.promise,
    );

    app.getState().setSession('extended');
    app.getState().setSession('regular');
    client.emit('settings:changed', record({ session: 'regular' }, 2));
    answers[1]!.resolve(record({ session: 'regular' }, 2));
    answers[0]!.resolve(record({ session: 'extended' }, 1));
    client.emit('settings:changed', record({ session: 'extended' }, 1));
    await vi.waitFor(() => expect(client.callsTo('settings:set')).toHaveLength(2));
    await Promise.all(answers.map((a) => a.promise));
    await new Promise((settle) => setTimeout(settle, 0));
    expect(app.getState().session).toBe('regular');
    expect(app.getState().settings?.revision.count).toBe(2);

    // Another owner (the server was restarted) starts counting again: its states are taken.
    client.emit('settings:changed', {
      ...record({ session: 'extended' }, 0),
      revision: { instance: 'new', count: 0 },
    });
    expect(app.getState().session).toBe('extended');
  });
});
