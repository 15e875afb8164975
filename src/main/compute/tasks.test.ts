import { describe, expect, it } from 'vitest';
import { toSharedBars } from '../../core/data/bars.ts';
import { createSyntheticMarket } from '../../core/data/synthetic.ts';
import { STRATEGIES, strategyRef } from '../../core/strategy/index.ts';
import { TaskRunner, type TrialsOutput } from './tasks.ts';

const bars = createSyntheticMarket({
  seed: 3,
  start: Date.UTC(2023, 0, 2),
  end: Date.UTC(2023, 0, 20),
}).generate(0).bars;
const dataset = { id: 'synthetic', bars };
const smaCross = STRATEGIES['sma-cross'];

describe('compute tasks name their strategy by ref', () => {
  it('runs the ref’s version, its parameters shared by every set and overridden by the set’s own', () => {
    const runner = new TaskRunner();
    const shared = runner.run({
      kind: 'trials',
      dataset,
      strategy: strategyRef(smaCross, { slow: 40 }),
      paramSets: [{ fast: 5 }, { fast: 5, slow: 60 }],
      options: {},
    }) as TrialsOutput;
    const whole = runner.run({
      kind: 'trials',
      dataset,
      strategy: strategyRef(smaCross, {}),
      paramSets: [
        { fast: 5, slow: 40 },
        { fast: 5, slow: 60 },
      ],
      options: {},
    }) as TrialsOutput;
    expect(shared.outcomes).toEqual(whole.outcomes);
    expect(shared.outcomes.every((o) => o.ok)).toBe(true);
  });

  it('refuses another version or an unknown name, saying which', () => {
    const runner = new TaskRunner();
    const task = (strategy: { name: string; version: string; params: Record<string, number> }) => () =>
      runner.run({ kind: 'backtest', dataset, strategy, options: {} });
    expect(task({ name: 'sma-cross', version: '0.0-old', params: {} })).toThrow(
      `strategy sma-cross: version "0.0-old" requested, this build has version "${smaCross.version}"`,
    );
    expect(task({ name: 'sma-crossover', version: '1', params: {} })).toThrow(
      /unknown strategy "sma-crossover"; valid strategies: .*sma-cross/,
    );
    expect(task({ name: 'sma-cross', version: smaCross.version, params: { fast: -3 } })).toThrow(/fast/);
  });
});

describe('a worker thread’s bars', () => {
  it('are its own copy of shared bars, made once per dataset and dropped with it', () => {
    const shared = toSharedBars(bars);
    const runner = new TaskRunner(1);
    const trials = (id: string): TrialsOutput =>
      runner.run({
        kind: 'trials',
        dataset: { id, bars: shared },
        strategy: strategyRef(smaCross, {}),
        paramSets: [{ fast: 5, slow: 20 }],
        options: {},
      }) as TrialsOutput;
    const before = trials('shared');
    // Writing to the shared columns stands for "the thread reads them again": a copy does not see it.
    const closes = bars.c.slice();
    shared.c.fill(closes[0]!);
    shared.o.fill(closes[0]!);
    expect(trials('shared').outcomes).toEqual(before.outcomes);
    // A dataset with another id is copied afresh and evicts the first (one kept here), whose copy goes:
    // the first id is copied again, from the columns as they now are.
    expect(trials('other').outcomes).not.toEqual(before.outcomes);
    expect(trials('shared').outcomes).toEqual(trials('other').outcomes);
  });
});
