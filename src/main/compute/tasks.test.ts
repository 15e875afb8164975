import { describe, expect, it } from 'vitest';
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
