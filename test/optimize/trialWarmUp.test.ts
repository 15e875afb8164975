/**
 * A set scores the same as an optimizer trial as in a backtest over the same range: both warm the
 * strategy up on the cached bars before the range's start and trade and are scored from its first bar
 * (before, a trial warmed up inside the range, and sma-cross 26/71 on a year of GOOG held no position
 * for most of it). Through the app's path: the services' backtest:run and optimize:start channels.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { Services } from '../../src/main/services/services.ts';
import type { BacktestResult } from '../../src/shared/contract.ts';
import type { StudyDetail } from '../../src/shared/optimizeContract.ts';
import { studyWarmUpText } from '../../src/shared/warmupText.ts';
import { parseSpace } from '../../src/core/optimize/index.ts';
import { studyStrategyRef } from '../../src/main/services/backtest/strategyCatalog.ts';
import {
  loadStudyDatasets,
  studyDataFingerprint,
  studyWarmUp,
} from '../../src/main/services/optimize/studySetup.ts';
import { servicesOnTempDir } from '../support/serviceHost.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');

/** GOOG's days when the file is there (the trader's case), else a synthetic symbol's hours. */
const market = goog.present
  ? {
      symbol: 'GOOG',
      timeframe: '1d' as const,
      start: Date.parse('2008-10-27T00:00:00Z'),
      end: Date.parse('2009-10-27T00:00:00Z'),
      params: { fast: 26, slow: 71 },
    }
  : {
      symbol: 'SYNX',
      timeframe: '1h' as const,
      start: Date.UTC(2024, 0, 16),
      end: Date.UTC(2024, 1, 1),
      params: { fast: 5, slow: 30 },
    };

let services: Services;
let remove: () => void;
beforeAll(async () => {
  const made = await servicesOnTempDir('regimen-trial-warmup-');
  services = made.services;
  remove = () => made.dir.remove();
  if (goog.present) {
    const { bars } = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' });
    await services.bars.write('GOOG', '1d', bars, 'test');
  } else {
    const synthetic = createSyntheticMarket({
      seed: 7,
      start: Date.UTC(2024, 0, 2),
      end: Date.UTC(2024, 1, 1),
      symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === 'SYNX'),
    });
    await services.bars.write('SYNX', '1m', synthetic.generate(0).bars, 'test');
  }
});
afterAll(async () => {
  await services?.close();
  remove?.();
});

const costs = { fees: 'none', spreadBps: 0, impact: 0 };

async function studyOf(data: Record<string, unknown>): Promise<StudyDetail> {
  const { fast, slow } = market.params;
  const { studyId } = (await dispatch(services.handlers, 'optimize:start', {
    strategy: 'sma-cross',
    data: { symbol: market.symbol, timeframes: [market.timeframe], ...data },
    // The set itself and three neighbours.
    space: [`fast=${fast}:${fast + 1}`, `slow=${slow - 1}:${slow}`],
    sampler: 'grid',
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 4,
    seed: 3,
    commission: 0.001,
    costs,
  })) as { studyId: string };
  for (;;) {
    const detail = (await dispatch(services.handlers, 'optimize:get', { studyId })) as StudyDetail;
    if (['complete', 'failed', 'cancelled'].includes(detail.summary.state)) return detail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`a trial scores as a backtest of its set over the same range${goog.present ? ' (GOOG)' : ` (synthetic${goog.skipReason})`}`, () => {
  it('warms up on the bars before the range in both, so their metrics are equal', async () => {
    const backtest = (await dispatch(services.handlers, 'backtest:run', {
      symbol: market.symbol,
      timeframe: market.timeframe,
      strategy: 'sma-cross',
      params: market.params,
      start: market.start,
      end: market.end,
      commission: 0.001,
      costs,
    })) as BacktestResult;
    // The backtest had the bars before the range it needed: it trades from the range's first bar.
    expect(backtest.range!.warmup).toBeUndefined();
    expect(backtest.range!.tradingFrom).toBe(backtest.range!.first);
    expect(backtest.trades.length).toBeGreaterThan(0);
    expect(backtest.metrics['exposure']).toBeGreaterThan(0.5);

    const study = await studyOf({ start: market.start, end: market.end });
    expect(study.summary.state).toBe('complete');
    const trial = study.trials.find(
      (t) => t.params['fast'] === market.params.fast && t.params['slow'] === market.params.slow,
    )!;
    expect(trial.status).toBe('complete');
    for (const key of ['sharpeRatio', 'totalReturn', 'maxDrawdown', 'numTrades', 'exposure', 'finalEquity'])
      expect(trial.metrics[key], key).toBeCloseTo(backtest.metrics[key]!, 9);
    // The space's longest warm-up (its upper corner's slow period) was read before the range.
    expect(study.warmUp).toEqual({ longest: market.params.slow, before: market.params.slow });

    // The trial's own report (optimize:trial-backtest) covers the same bars with the same figures.
    const report = (await dispatch(services.handlers, 'optimize:trial-backtest', {
      studyId: study.summary.id,
      trialNumber: trial.number,
    })) as BacktestResult;
    expect(report.bars).toBe(backtest.bars);
    expect(report.range).toEqual(backtest.range);
    expect(report.metrics['sharpeRatio']).toBeCloseTo(backtest.metrics['sharpeRatio']!, 9);
  });

  it('warms up inside the range when the cache has no bars before it, and says so', async () => {
    const first = (await services.bars.read(market.symbol, market.timeframe, { session: 'regular' })).t[0]!;
    const fromFirst = await studyOf({ start: first, end: market.end });
    expect(fromFirst.summary.state).toBe('complete');
    expect(fromFirst.warmUp).toEqual({ longest: market.params.slow, before: 0 });
    expect(studyWarmUpText(fromFirst.warmUp)).toMatch(/^inside the range: no bars before its start/);
    // No start: nothing before the range is read either.
    expect((await studyOf({})).warmUp).toBeNull();
  });

  it('reads a study stored before trials warmed up as it ran: its range alone, resumed so', async () => {
    const definition = {
      strategy: studyStrategyRef('sma-cross'),
      source: { kind: 'cache' as const, symbol: market.symbol },
      timeframes: [market.timeframe],
      start: market.start,
      end: market.end,
      session: 'regular' as const,
    };
    const space = parseSpace([
      `fast=${market.params.fast}:${market.params.fast}`,
      `slow=${market.params.slow}:${market.params.slow}`,
    ]);
    const probe = studyWarmUp(
      services.pool,
      { ...definition, options: {}, warmUp: 'before-range' },
      { space, seed: 1 },
    );
    const warmed = await loadStudyDatasets({ ...definition, warmUp: 'before-range' }, services.bars, probe);
    expect(warmed.datasets[0]!.from).toBe(market.params.slow);
    // No warmUp in its definition: no probe, the range's bars only, as its trials ran.
    expect(studyWarmUp(services.pool, { ...definition, options: {} }, { space, seed: 1 })).toBeUndefined();
    const legacy = await loadStudyDatasets(definition, services.bars, probe);
    expect(legacy.datasets[0]!.from).toBeUndefined();
    expect(legacy.warmUp).toBeUndefined();
    expect(legacy.datasets[0]!.ref.bars.t[0]).toBe(warmed.datasets[0]!.ref.bars.t[market.params.slow]);
    // Both fingerprint the range's bars: a live proposal's provenance reads the same either way.
    expect(studyDataFingerprint(definition.source, legacy)).toBe(
      studyDataFingerprint(definition.source, warmed),
    );
    expect(studyDataFingerprint(definition.source, legacy)).toBeDefined();
    // A holdout's bars are the range's too: its study records the whole range's fingerprint.
    const heldOut = await loadStudyDatasets(
      { ...definition, warmUp: 'before-range', holdout: { fraction: 0.3 } },
      services.bars,
      probe,
    );
    expect(heldOut.holdout).toBeDefined();
    expect(studyDataFingerprint(definition.source, heldOut)).toBe(
      studyDataFingerprint(definition.source, legacy),
    );
  });
});
