/**
 * A trial's tear sheet (issue 15 item 3): optimize:trial-backtest re-runs one trial as a full backtest on
 * what the study scored it on (its bars without the holdout, its stored costs and options), so the report
 * and its tear sheet show the trial's own figures, cost stress included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOptions, US_EQUITY_COSTS } from '../../src/core/engine/index.ts';
import { parseSpace } from '../../src/core/optimize/index.ts';
import type { NewStudy } from '../../src/main/services/optimize/studySetup.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { optimizeHarness, smaCrossDefinition, type OptimizeHarness } from '../support/studies.ts';

const goog = sharedDataFile('GOOG.csv');

describe.skipIf(!goog.present)(`a trial's full backtest on GOOG.csv${goog.skipReason}`, () => {
  let h: OptimizeHarness;
  beforeAll(async () => {
    h = await optimizeHarness(1);
  });
  afterAll(async () => h.close());

  it('reproduces the trial’s metrics with the study’s costs, on the searched bars only', async () => {
    // Daily bars of the file (a report names its timeframe; 'native' has none).
    const base = smaCrossDefinition({ kind: 'file', path: goog.path }, ['1d'], 4);
    const newStudy: NewStudy = {
      name: 'trial tear sheet',
      definition: {
        ...base,
        options: { ...base.options, ...costOptions(0.001, US_EQUITY_COSTS) },
        holdout: { fraction: 0.25 },
      },
      space: parseSpace(['fast=5:25:5', 'slow=30:60:10'], ['fast<slow']),
      sampler: { kind: 'random' },
      objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
      seed: 8,
      minTrades: 0,
    };
    const id = await h.service.create(newStudy);
    await h.service.resume(id);
    const detail = await h.service.wait(id);
    const trials = detail.trials.filter((t) => t.status === 'complete');
    expect(trials.length).toBeGreaterThan(1);
    // "Open in Backtest" runs a trial at the study's commission, which read 0 beside a venue's fees.
    expect(detail.config.commission).toBe(0.001);
    for (const trial of trials.slice(0, 2)) {
      const report = await h.service.trialBacktest(id, trial.number);
      expect(report.bars).toBe(detail.holdout!.searchedBars);
      expect(report.params).toEqual(trial.params);
      expect(report.costs).toEqual(US_EQUITY_COSTS);
      for (const key of ['sharpeRatio', 'totalReturn', 'maxDrawdown', 'numTrades'])
        expect(report.metrics[key], key).toBeCloseTo(trial.metrics[key]!, 9);
      expect(report.costStress.map((row) => row.bps)).toEqual([0, 10, 25]);
      expect(report.costStress[0]!.totalReturn).toBeCloseTo(trial.metrics['totalReturn']!, 9);
      expect(report.costStress[2]!.totalReturn!).toBeLessThan(report.costStress[0]!.totalReturn!);
      expect(report.tearSheet.benchmark).toBe('GOOG.csv buy & hold');
    }
    await expect(h.service.trialBacktest(id, 999)).rejects.toThrow(`study ${id} has no trial 999`);
  });
});
