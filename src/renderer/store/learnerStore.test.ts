import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_DRAFT } from './costDraft.ts';
import type {
  LearnerEvaluation,
  LearnerRecommendations,
  RegimeRecommendation,
  ScorecardResult,
} from '../../shared/contract.ts';
import { backtestResult, FakeRegimenClient } from '../../../test/support/fakeRegimenClient.ts';
import { settingsRecord } from '../../../test/support/settingsRecord.ts';
import { createAppStore } from './appStore.ts';
import { memoryKeeper } from './keeper.ts';
import { createLearnerStore, shownScorecard, shownScorecardRun } from './learnerStore.ts';

const recommendation = (patch: Partial<RegimeRecommendation> = {}): RegimeRecommendation => ({
  regime: 'up/high',
  current: true,
  asOf: 1,
  action: 'switch',
  reason: null,
  params: { fast: 12, slow: 80 },
  score: 0.4,
  interval80: { lower: -0.5, upper: 1.3 },
  interval90: { lower: -0.8, upper: 1.6 },
  confidence: 0.7,
  novelty: 0.2,
  drivers: [],
  candidates: 32,
  ...patch,
});

const answer = (recommendations: RegimeRecommendation[]): LearnerRecommendations => ({
  symbol: 'DEMO',
  timeframe: '1h',
  strategy: 'sma-cross',
  basis: { source: 'ledger', version: 3, learned: 120, resets: 0 },
  ledger: { learned: 120, calibrationWindow: 1000 },
  recommendations,
});

function setUp() {
  const client = new FakeRegimenClient()
    .handle('learner:status', () => ({ ledger: { trial: 0, windowTrain: 4, windowTest: 4 }, learners: [] }))
    .handle('learner:recommend', () =>
      answer([recommendation(), recommendation({ regime: 'down/low', current: false })]),
    );
  const app = createAppStore(client, memoryKeeper(), memoryKeeper());
  app.setState({ symbol: 'DEMO', timeframe: '1h', cash: '25000' });
  return { client, app, store: createLearnerStore(client, app) };
}

describe('the learner store', () => {
  it("asks for the Backtest view's symbol and timeframe, and again when they change", async () => {
    const { client, store } = setUp();
    await store.getState().load();
    expect(client.callsTo('learner:recommend')[0]).toMatchObject({
      symbol: 'DEMO',
      timeframe: '1h',
      strategy: 'sma-cross',
    });
    const shown = store.getState().recommendations;
    expect(shown.status === 'ready' && shown.data.recommendations.map((r) => r.regime)).toEqual([
      'up/high',
      'down/low',
    ]);
    store.getState().setSubject('ALFA', '1d');
    expect(client.callsTo('learner:recommend')[1]).toMatchObject({ symbol: 'ALFA', timeframe: '1d' });
  });

  it("leaves the learner to main's default until the trader picks one, then asks again from it", async () => {
    const { client, store } = setUp();
    await store.getState().load();
    expect(client.callsTo('learner:recommend')[0]).not.toHaveProperty('learnFrom');
    store.getState().setLearnFrom('ledger');
    expect(client.callsTo('learner:recommend')[1]).toMatchObject({ symbol: 'DEMO', learnFrom: 'ledger' });
    // The choice stays with the trader's next subject.
    store.getState().setSubject('ALFA', '1d');
    expect(client.callsTo('learner:recommend')[2]).toMatchObject({ symbol: 'ALFA', learnFrom: 'ledger' });
    store.getState().setLearnFrom('bars');
    expect(client.callsTo('learner:recommend')[3]).toMatchObject({ learnFrom: 'bars' });
  });

  it("asks in the app's session, and again (figures cleared) when the session changes", async () => {
    const { client, app, store } = setUp();
    client
      .handle('learner:evaluate', () => ({}) as LearnerEvaluation)
      .handle('learner:scorecard', () => ({}) as ScorecardResult);
    app.setState({ session: 'extended' });
    await store.getState().load();
    await store.getState().evaluate();
    await store.getState().runScorecard();
    for (const channel of ['learner:recommend', 'learner:evaluate', 'learner:scorecard'] as const)
      expect(client.callsTo(channel).at(-1), channel).toMatchObject({ symbol: 'DEMO', session: 'extended' });
    app.setState({ session: 'regular' });
    expect(client.callsTo('learner:recommend').at(-1)).toMatchObject({ symbol: 'DEMO', session: 'regular' });
    expect(store.getState().evaluation.status).toBe('idle');
    expect(shownScorecard(store.getState()).status).toBe('idle');
    // The extended hours' scorecard is kept for them.
    app.setState({ session: 'extended' });
    expect(shownScorecard(store.getState()).status).toBe('ready');
  });

  it("keeps each subject's scorecard: a look at another symbol and back shows it again, and says whose it is", async () => {
    const { client, store } = setUp();
    client.handle(
      'learner:scorecard',
      (req) => ({ symbol: req.symbol, timeframe: req.timeframe }) as ScorecardResult,
    );
    await store.getState().load();
    await store.getState().runScorecard();
    store.getState().setSubject('ALFA', '1d');
    expect(shownScorecard(store.getState()).status).toBe('idle');
    await store.getState().runScorecard();
    store.getState().setSubject('DEMO', '1h');
    const demo = shownScorecard(store.getState());
    expect(demo.status === 'ready' && demo.data).toMatchObject({ symbol: 'DEMO', timeframe: '1h' });
    store.getState().setSubject('ALFA', '1d');
    const alfa = shownScorecard(store.getState());
    expect(alfa.status === 'ready' && alfa.data).toMatchObject({ symbol: 'ALFA', timeframe: '1d' });
    expect(client.callsTo('learner:scorecard')).toHaveLength(2);
  });

  it('a run still going when the subject changes lands on its own subject, its progress shown only there', async () => {
    const { client, store } = setUp();
    let answer: (card: ScorecardResult) => void = () => undefined;
    client.handle('learner:scorecard', () => new Promise<ScorecardResult>((done) => (answer = done)));
    await store.getState().load();
    const running = store.getState().runScorecard();
    const { jobId } = client.callsTo('learner:scorecard')[0]!;
    client.emit('learner:scorecard-progress', {
      jobId: jobId!,
      windowsDone: 1,
      windowsTotal: 4,
      window: null,
      elapsedMs: 10,
      etaSeconds: 30,
    });
    expect(shownScorecardRun(store.getState())?.progress).toMatchObject({ windowsDone: 1 });
    store.getState().setSubject('ALFA', '1d');
    expect(shownScorecard(store.getState()).status).toBe('idle');
    expect(shownScorecardRun(store.getState())).toBeNull();
    answer({ symbol: 'DEMO', timeframe: '1h' } as ScorecardResult);
    await running;
    expect(shownScorecard(store.getState()).status).toBe('idle');
    store.getState().setSubject('DEMO', '1h');
    expect(shownScorecard(store.getState()).status).toBe('ready');
    expect(store.getState().scorecardRuns).toEqual({});
  });

  it("asks with the trial budget typed, and refuses one outside the contract's bounds by name, asking nothing", async () => {
    const { client, store } = setUp();
    client.handle('learner:scorecard', () => ({}) as ScorecardResult);
    await store.getState().load();
    expect(store.getState().scorecardTrials).toBe('20');
    for (const [typed, got] of [
      ['1', '1'],
      ['501', '501'],
      ['4.5', '4.5'],
      ['', '""'],
      ['many', '"many"'],
    ]) {
      store.getState().setScorecardTrials(typed);
      await store.getState().runScorecard();
      const card = shownScorecard(store.getState());
      expect(card.status === 'error' && card.message).toBe(
        `The scorecard's trials must be a whole number from 2 to 500, got ${got}.`,
      );
    }
    expect(client.callsTo('learner:scorecard')).toHaveLength(0);
    store.getState().setScorecardTrials('4');
    await store.getState().runScorecard();
    expect(client.callsTo('learner:scorecard')[0]).toMatchObject({ symbol: 'DEMO', trials: 4 });
    expect(shownScorecard(store.getState()).status).toBe('ready');
  });

  it('opens a recommendation as a backtest in one call: the set run and shown in the Backtest view, its form filled', async () => {
    const { client, app, store } = setUp();
    const result = backtestResult({ params: { fast: 12, slow: 80 } });
    client.handle('backtest:run', () => result);
    await store.getState().load();
    await store
      .getState()
      .openAsBacktest(recommendation({ regime: 'down/low', params: { fast: 12, slow: 80 } }));
    expect(client.callsTo('backtest:run')[0]).toMatchObject({
      symbol: 'DEMO',
      timeframe: '1h',
      strategy: 'sma-cross',
      params: { fast: 12, slow: 80 },
      // Before Settings are read: the Backtest form's cash and commission.
      cash: 25_000,
      commission: 0,
    });
    const shown = app.getState();
    expect(shown.view).toBe('backtest');
    expect(shown.result).toBe(result);
    expect(shown.paramDraft).toMatchObject({ fast: '12', slow: '80' });
    expect(shown.commission).toBe('0');
    expect(store.getState().opening).toBeNull();
  });

  it("scores and opens at Settings' cash, commission and costs once the record is read, as a backtest runs", async () => {
    const { client, app, store } = setUp();
    client
      .handle('learner:scorecard', () => ({}) as ScorecardResult)
      .handle('backtest:run', () => backtestResult({ params: { fast: 12, slow: 80 } }));
    app.setState({ settings: settingsRecord({ cash: 30_000, commissionPercent: 0.1, spreadBps: 10 }) });
    // The costs every form edits (Settings' own once read); the typed cash is the Backtest form's alone.
    app.getState().setCosts({ ...DEFAULT_COST_DRAFT, fees: null, spreadBps: '10' });
    app.getState().setCash('500');
    await store.getState().load();
    await store.getState().runScorecard();
    await store.getState().openAsBacktest(recommendation());
    const paid = { cash: 30_000, commission: 0.001, costs: { spreadBps: 10 } };
    expect(client.callsTo('learner:scorecard')[0]).toMatchObject({ symbol: 'DEMO', ...paid });
    expect(client.callsTo('backtest:run')[0]).toMatchObject(paid);
    expect(app.getState()).toMatchObject({ cash: '30000', commission: '0.1' });
  });

  it('refuses costs out of range, naming them, rather than running at the defaults', async () => {
    const { client, app, store } = setUp();
    client.handle('backtest:run', () => backtestResult());
    app.getState().setCosts({ ...DEFAULT_COST_DRAFT, fees: null, spreadBps: '-3' });
    await store.getState().load();
    await store.getState().runScorecard();
    await store.getState().openAsBacktest(recommendation());
    const card = shownScorecard(store.getState());
    expect(card.status === 'error' && card.message).toMatch(/costs are out of range \(spreadBps\)/);
    expect(store.getState().openError).toMatch(/costs are out of range \(spreadBps\)/);
    expect(client.callsTo('learner:scorecard')).toHaveLength(0);
    expect(client.callsTo('backtest:run')).toHaveLength(0);
  });

  it('says why a recommendation could not be opened and stays on the view', async () => {
    const { client, app, store } = setUp();
    client.handle('backtest:run', () => Promise.reject(new Error('no bars for DEMO 1h')));
    app.setState({ view: 'learner' });
    await store.getState().load();
    await store.getState().openAsBacktest(recommendation());
    expect(store.getState().openError).toMatch(/no bars for DEMO 1h/);
    expect(app.getState().view).toBe('learner');
  });
});
