import { describe, expect, it } from 'vitest';
import { prepareDataset, strategyPlots } from '../engine/backtest.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import { getStrategy } from '../strategy/index.ts';
import type { StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import { gridValues, parseSpace, satisfiesConstraints, strategySpace, type Params } from './space.ts';
import { longestWarmup, sampleSpace, WARMUP_PREFIX_BARS, WARMUP_SAMPLE, warmupProbes } from './warmup.ts';

const smaCross = getStrategy('sma-cross');
const confluence = getStrategy('confluence');
const dataset = prepareDataset(randomWalkBars(800, 4));

/** Every point of a (small, stepped) space: the exact longest warm-up the probes must reach. */
function everyPoint(space: ReturnType<typeof parseSpace>): Record<string, number>[] {
  let points: Record<string, number>[] = [{}];
  for (const p of space.params)
    points = points.flatMap((point) => gridValues(p).map((v) => ({ ...point, [p.name]: v as number })));
  return points.filter((point) => satisfiesConstraints(space, point));
}

describe("a space's longest warm-up", () => {
  it('leads with the upper corner, whose warm-up is the exact longest of every set of the space', () => {
    const space = parseSpace(['fast=5:25:5', 'slow=30:90:15'], ['fast<slow']);
    const probes = warmupProbes(space, 7);
    expect(probes[0]).toEqual({ fast: 25, slow: 90 });
    expect(probes.length).toBe(1 + WARMUP_SAMPLE);
    const exact = Math.max(...everyPoint(space).map((p) => strategyPlots(dataset, smaCross, p).startIndex));
    expect(longestWarmup(dataset, smaCross, probes)).toBe(exact);
    // The seeded sample alone can miss it (the walk-forward purge measured so before).
    expect(longestWarmup(dataset, smaCross, sampleSpace(space, { kind: 'random' }, 3, 7))).toBeLessThan(
      exact,
    );
  });

  it("is exact for confluence's default space too (its warm-up sums its MACD periods)", () => {
    const space = parseSpace(
      confluence.params.map((p) => `${p.name}=${p.min}:${p.max}${p.type === 'int' ? '' : ':0.1'}`),
    );
    const corner = warmupProbes(space, 1)[0]!;
    const p = corner as Record<string, number>;
    expect(longestWarmup(dataset, confluence, [corner])).toBe(
      Math.max(p['slow_ma_period']!, p['macd_slow']! + p['macd_signal']! - 2, 14, p['bb_period']! - 1),
    );
  });

  it('leaves out a corner the constraints exclude, and sets the strategy refuses', () => {
    const space = parseSpace(['fast=10:40:10', 'slow=20:30:10'], ['fast<slow']);
    const probes = warmupProbes(space, 3);
    expect(probes.length).toBe(WARMUP_SAMPLE);
    expect(probes.every((p) => satisfiesConstraints(space, p))).toBe(true);
    // fast >= slow breaks sma-cross's own rule: not a set a trial runs, so not measured.
    expect(
      longestWarmup(dataset, smaCross, [
        { fast: 50, slow: 40 },
        { fast: 5, slow: 20 },
      ]),
    ).toBe(20);
  });

  it('is measured on a prefix of the bars, doubled as needed, with the figure of every bar', () => {
    const long = prepareDataset(randomWalkBars(30_000, 9));
    /** The strategy, recording how many bars each `init` was given. */
    const seen: number[] = [];
    const recording = (definition: StrategyDefinition): StrategyDefinition => ({
      ...definition,
      create: (params) => {
        const strategy = definition.create(params);
        return {
          ...strategy,
          init: (context) => {
            seen.push(context.bars.t.length);
            return strategy.init(context);
          },
          onBar: (i) => strategy.onBar(i),
        };
      },
    });
    /** What every set gives on all the bars: the figure before the prefix. */
    const onAllBars = (definition: StrategyDefinition, sets: readonly Params[], tradeFrom = 0) =>
      Math.max(
        0,
        ...sets.map(
          (set) => strategyPlots(long, definition, set as StrategyParams, { tradeFrom }).startIndex,
        ),
      );
    const confluenceSets = warmupProbes(strategySpace(confluence), 3);
    expect(longestWarmup(long, recording(confluence), confluenceSets)).toBe(
      onAllBars(confluence, confluenceSets),
    );
    // A year of 1m bars held the server's thread while every init read them all; the prefix is enough here.
    expect(Math.max(...seen)).toBe(WARMUP_PREFIX_BARS);
    // Warm-ups past the prefix (a slow average of 9,000 bars, a start at bar 20,000) grow it to reach them.
    const longSets = [
      { fast: 10, slow: 9_000 },
      { fast: 5, slow: 50 },
    ];
    seen.length = 0;
    expect(longestWarmup(long, recording(smaCross), longSets)).toBe(onAllBars(smaCross, longSets));
    expect(Math.max(...seen)).toBe(4 * WARMUP_PREFIX_BARS);
    expect(longestWarmup(long, smaCross, longSets, { tradeFrom: 20_000 })).toBe(
      onAllBars(smaCross, longSets, 20_000),
    );
    // A start past the last bar is the bars' count, as on all of them.
    expect(longestWarmup(long, smaCross, longSets, { tradeFrom: 40_000 })).toBe(30_000);
  });
});
