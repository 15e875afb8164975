import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOptions, NO_COSTS, US_EQUITY_COSTS, type BacktestOptions } from '../../../core/engine/index.ts';
import { randomWalkBars } from '../../../core/engine/random-walk.ts';
import { compareRegimeAware, studyByRegime } from '../../../core/regime/compare.ts';
import { AXIS_LABELS, createDetector } from '../../../core/regime/index.ts';
import { sampleCandidates } from '../../../core/regime/perRegime.ts';
import { strategySpace, warmupProbes } from '../../../core/optimize/index.ts';
import { STRATEGIES } from '../../../core/strategy/registry.ts';
import {
  eventSchemas,
  type JobProgress,
  type RegimeCompareResult,
  type RegimeStudyResult,
} from '../../../shared/contract.ts';
import { DEFAULT_COMPARE_COMMISSION } from '../../../shared/regimeChoices.ts';
import { runProgressShare, type RunProgressEvent } from '../../../shared/runProgress.ts';
import { startServiceHost, type ServiceHost } from '../../../../test/support/serviceHost.ts';
import { COMPARE_PHASES } from './regimeJobs.ts';

let h: ServiceHost;
/** Ten years of daily bars: long enough for the rule detector's warm-up (350 days) and five test windows. */
const WALK = randomWalkBars(2600, 3, { volatility: 0.012, stepMs: 86_400_000 });
beforeAll(async () => {
  h = await startServiceHost();
  await h.services.bars.write('WALK', '1d', WALK, 'test');
  // An equity, whose asset-class costs (spread, fees, impact) are not nil: the CLI charges them too.
  await h.services.bars.setCalendar('WALK', 'equities');
});
afterAll(async () => h?.close());

const request = { symbol: 'WALK', timeframe: '1d', detector: 'rules', trials: 4, seed: 3 } as const;

/**
 * What core gives for the same study: the services only load the bars and run it on the pool, at the
 * costs `regimen regimes compare` charges by default (test/cli/regimesCompare.test.ts holds the CLI to them).
 */
async function coreOptions(
  backtest: BacktestOptions = costOptions(DEFAULT_COMPARE_COMMISSION, US_EQUITY_COSTS),
) {
  const bars = await h.services.bars.read('WALK', '1d');
  const definition = STRATEGIES['sma-cross'];
  return {
    bars,
    options: {
      definition,
      candidates: sampleCandidates(strategySpace(definition, []), { kind: 'random' }, 4, 3),
      // The strategy's lookback is the space's longest warm-up, as the service measures it.
      warmupSets: warmupProbes(strategySpace(definition, []), 3),
      createDetector: () => createDetector('rules', '1d'),
      axis: 'volatility' as const,
      backtest,
      minTrades: 2,
      minDwell: 5,
    },
  };
}

describe('regimes:winners', () => {
  it("gives each regime core's winner, or the global set with the reason it fell back", async () => {
    const answer = await h.post('regimes:winners', { ...request, minTrades: 2 });
    expect(answer.status).toBe(200);
    const result = answer.body as RegimeStudyResult;
    const { bars, options } = await coreOptions();
    const expected = studyByRegime(bars, options);
    expect(result.bars).toBe(bars.t.length);
    expect(result.global.params).toEqual(expected.global.params);
    expect(result.regimes.map((r) => r.label)).toEqual([...AXIS_LABELS.volatility]);
    expect(result.regimes.map((r) => [r.params, r.fellBack, r.reason])).toEqual(
      expected.regimes.map((r) => [r.params, r.fellBack, r.reason]),
    );
    expect(result.trialCount).toBe(16);
    // The scores are those of backtests at the CLI's default costs, not of the commission alone.
    expect(result.global.score.totalReturn).toBeCloseTo(expected.global.all.totalReturn, 12);
  });

  it("charges the costs the request gives (Settings' costs), the asset-class default filling the rest", async () => {
    const costs = { spreadBps: 0, fees: 'none', impact: 0 };
    const answer = await h.post('regimes:winners', { ...request, minTrades: 2, costs });
    expect(answer.status).toBe(200);
    const result = answer.body as RegimeStudyResult;
    const { bars, options } = await coreOptions(costOptions(DEFAULT_COMPARE_COMMISSION, NO_COSTS));
    const expected = studyByRegime(bars, options);
    expect(result.global.params).toEqual(expected.global.params);
    expect(result.global.score.totalReturn).toBeCloseTo(expected.global.all.totalReturn, 12);
    const charged = await coreOptions();
    expect(studyByRegime(charged.bars, charged.options).global.all.totalReturn).not.toBeCloseTo(
      expected.global.all.totalReturn,
      6,
    );
  });

  it("starts each backtest with the cash the request gives (Settings' default cash)", async () => {
    const cash = 5_000_000;
    const answer = await h.post('regimes:winners', { ...request, minTrades: 2, cash });
    expect(answer.status).toBe(200);
    const result = answer.body as RegimeStudyResult;
    const { bars, options } = await coreOptions({
      ...costOptions(DEFAULT_COMPARE_COMMISSION, US_EQUITY_COSTS),
      cash,
    });
    const expected = studyByRegime(bars, options);
    expect(result.global.score.totalReturn).toBeCloseTo(expected.global.all.totalReturn, 12);
    // The square-root impact grows with the order: 5 million does not earn what 10,000 does.
    const small = await coreOptions();
    expect(studyByRegime(small.bars, small.options).global.all.totalReturn).not.toBeCloseTo(
      expected.global.all.totalReturn,
      6,
    );
  });

  it("holds each regime's set the request's minimum dwell (the app's set dwell field)", async () => {
    const answer = await h.post('regimes:winners', { ...request, minTrades: 2, minDwell: 60 });
    expect(answer.status).toBe(200);
    const result = answer.body as RegimeStudyResult;
    const { bars, options } = await coreOptions();
    const held = studyByRegime(bars, { ...options, minDwell: 60 });
    const scores = (selection: typeof held) => selection.regimes.map((r) => [r.score.bars, r.score.trades]);
    expect(result.regimes.map((r) => [r.score.bars, r.score.trades])).toEqual(scores(held));
    // Not the default 5 bars' schedule: the dwell reached the study.
    expect(scores(held)).not.toEqual(scores(studyByRegime(bars, options)));
  });

  it("measures every regime's Sharpe ratio over the settings' risk-free rate", async () => {
    expect((await h.post('settings:set', { riskFreePercent: 4 })).status).toBe(200);
    try {
      const answer = await h.post('regimes:winners', { ...request, minTrades: 2 });
      expect(answer.status).toBe(200);
      const result = answer.body as RegimeStudyResult;
      const { bars, options } = await coreOptions();
      const atRate = studyByRegime(bars, { ...options, riskFreeRate: 0.04 });
      const atZero = studyByRegime(bars, options);
      const sharpes = (selection: typeof atRate) => [
        selection.global.all.sharpeRatio,
        ...selection.regimes.map((r) => r.score.sharpeRatio),
      ];
      const answered = [result.global.score.sharpeRatio, ...result.regimes.map((r) => r.score.sharpeRatio)];
      sharpes(atRate).forEach((sharpe, k) => expect(answered[k]).toBeCloseTo(sharpe, 12));
      // Not the figures at a rate of 0: the rate reached every score.
      expect(answered[0]).not.toBeCloseTo(sharpes(atZero)[0]!, 6);
    } finally {
      await h.post('settings:set', { riskFreePercent: 0 });
    }
  });

  it('names the strategy it does not know', async () => {
    const answer = await h.post('regimes:winners', { ...request, strategy: 'nope' });
    expect(answer.status).toBe(404);
    expect((answer.body as { error: { field?: string } }).error.field).toBe('strategy');
  });
});

describe('regimes:compare', () => {
  it("reports core's comparison with its one-sentence verdict and progress through the job", async () => {
    const progress: JobProgress[] = [];
    const runEvents: RunProgressEvent[] = [];
    const off = h.services.events.subscribe((channel, payload) => {
      if (channel === 'job:progress') progress.push(payload as JobProgress);
      if (channel === 'regimes:compare-progress') runEvents.push(payload as RunProgressEvent);
    });
    const answer = await h.post('regimes:compare', { ...request, minTrades: 2, jobId: 'compare-1' });
    off();
    expect(answer.status).toBe(200);
    const result = answer.body as RegimeCompareResult;
    const { bars, options } = await coreOptions();
    const expected = compareRegimeAware(bars, options);
    expect(result.verdict).toBe(expected.verdict);
    expect(result.verdict).toMatch(/^Regime-awareness is (not shown to be )?better here: .*\.$/);
    expect(result.better).toBe(expected.better);
    expect(result.windows).toBe(expected.windows.length);
    expect(result.regimeAware.trialCount).toBe(16);
    expect(result.globalPolicy.trades).toBe(expected.global.trades);
    // Progress advances per window: loading and the full-sample study, then one step per window tested
    // (events closer together than the job's throttle are dropped, never the last).
    const events = progress.filter((p) => p.jobId === 'compare-1');
    expect(events.at(-1)).toMatchObject({
      stage: 'done',
      done: result.windows + 2,
      total: result.windows + 2,
    });
    const windows = events.filter((p) => p.stage.startsWith('window '));
    for (const p of windows) {
      expect(p.stage).toBe(`window ${p.done - 2} of ${result.windows}`);
      expect(p.total).toBe(result.windows + 2);
    }
    const dones = events.map((p) => p.done / p.total);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    // regimes:compare-progress, through the worker's port: the full-sample study first, at once, then
    // the windows of both policies, then overfitting, the last at the whole share; the contract's shape.
    expect(runEvents.length).toBeGreaterThanOrEqual(2);
    expect(runEvents.every((e) => e.jobId === 'compare-1')).toBe(true);
    expect(runEvents[0]).toMatchObject({ phase: COMPARE_PHASES.study, windowsDone: 0, etaSeconds: null });
    const windowed = runEvents.filter((e) => e.phase?.name === COMPARE_PHASES.windows.name);
    expect(windowed.length).toBeGreaterThan(0);
    for (const e of windowed) expect(e.windowsTotal).toBe(result.windows);
    const last = runEvents.at(-1)!;
    expect(last.phase?.name).toBe(COMPARE_PHASES.overfitting.name);
    expect(runProgressShare(last)).toBe(1);
    const shares = runEvents.map(runProgressShare);
    expect(shares).toEqual([...shares].sort((a, b) => a - b));
    for (const e of runEvents) expect(eventSchemas['regimes:compare-progress'].parse(e)).toEqual(e);
  });

  it('stops on job:cancel and answers cancelled', async () => {
    const pending = h.post('regimes:compare', { ...request, trials: 200, jobId: 'compare-2' });
    // Cancel once the job has registered (its first progress event).
    await new Promise<void>((resolve) => {
      const off = h.services.events.subscribe((channel, payload) => {
        if (channel === 'job:progress' && (payload as JobProgress).jobId === 'compare-2') {
          off();
          resolve();
        }
      });
    });
    expect((await h.post('job:cancel', { jobId: 'compare-2' })).body).toEqual({ cancelled: true });
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ jobId: 'compare-2', cancelled: true });
  });

  it('refuses a train window too short for the purge gap, naming the sizes', async () => {
    const answer = await h.post('regimes:compare', { ...request, train: 100 });
    expect(answer.status).toBe(400);
    expect((answer.body as { error: { message: string } }).error.message).toMatch(
      /train window of 100 bars less the \d+-bar purge gap/,
    );
  });
});
