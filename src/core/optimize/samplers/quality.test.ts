/**
 * Model-based samplers must beat random search at equal budget: median best of several seeds on Branin
 * (TPE, GA), and NSGA-II must cover a two-objective front better than random (hypervolume).
 */
import { describe, expect, it } from 'vitest';
import type { SamplerConfig } from '../sampler.ts';
import { Study } from '../study.ts';
import { median } from '../../math/statistics.ts';
import { bestOf, branin, schaffer } from '../testFunctions.test-util.ts';

const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];

describe('sampler quality', () => {
  it('TPE and GA beat random search on Branin (median best of 9 seeds, 80 trials)', () => {
    const random = median(seeds.map((s) => bestOf(branin, { kind: 'random' }, s, 80)));
    const tpe = median(seeds.map((s) => bestOf(branin, { kind: 'tpe' }, s, 80)));
    const ga = median(seeds.map((s) => bestOf(branin, { kind: 'ga' }, s, 80)));
    expect(tpe).toBeLessThan(random);
    expect(ga).toBeLessThan(random);
    expect(tpe - branin.minimum).toBeLessThan(0.5 * (random - branin.minimum));
  });

  it('NSGA-II finds a larger hypervolume than random on a two-objective problem', () => {
    const hv = (sampler: SamplerConfig, seed: number): number => {
      const study = new Study({
        space: schaffer.space,
        sampler,
        objectives: [
          { metric: 'f1', direction: 'minimize' },
          { metric: 'f2', direction: 'minimize' },
        ],
        seed,
        maxTrials: 100,
      });
      for (;;) {
        const batch = study.ask(100);
        if (batch.length === 0) break;
        for (const t of batch)
          study.tell(t.number, { status: 'complete', values: schaffer.evaluate(t.params) });
      }
      return study.hypervolume([4, 4]);
    };
    const random = median(seeds.map((s) => hv({ kind: 'random' }, s)));
    const nsga2 = median(seeds.map((s) => hv({ kind: 'nsga2' }, s)));
    expect(nsga2).toBeGreaterThan(random);
  });
});
