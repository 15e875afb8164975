import { describe, expect, it } from 'vitest';
import { naturalObjective, parseSpace, Study, type Params } from '../../../core/optimize/index.ts';
import { studyNeighbourhood } from './studyNeighbourhood.ts';

/** A study that ran every grid point of fast 1..5 except (fast 4, slow 2); Sharpe peaks at (3, 2). */
function study(): Study {
  const s = new Study({
    space: parseSpace(['fast=1:5', 'slow=1:3']),
    sampler: { kind: 'grid' },
    objectives: [naturalObjective('sharpeRatio')],
    seed: 1,
  });
  for (const t of s.ask(15)) {
    const fast = t.params.fast as number;
    const slow = t.params.slow as number;
    if (fast === 4 && slow === 2) s.tell(t.number, { status: 'failed', error: 'boom' });
    else
      s.tell(t.number, {
        status: 'complete',
        metrics: { sharpeRatio: 5 - Math.abs(fast - 3) - Math.abs(slow - 2) },
      });
  }
  return s;
}

describe('the winner neighbourhood', () => {
  it('reads the neighbours the study ran and runs only the missing ones', async () => {
    const s = study();
    const winner = s.best()!;
    expect(winner.params).toEqual({ fast: 3, slow: 2 });
    const asked: Params[][] = [];
    const result = await studyNeighbourhood('s1', s, winner, async (sets) => {
      asked.push([...sets]);
      return sets.map(() => ({ status: 'complete' as const, metrics: { sharpeRatio: 0 } }));
    });
    expect(asked).toEqual([]);
    expect(result.winner?.number).toBe(winner.number);
    expect(
      result.neighbours.map((n) => [n.param, n.direction, n.value, n.status, n.values?.[0] ?? null]),
    ).toEqual([
      ['fast', -1, 2, 'complete', 4],
      ['fast', 1, 4, 'failed', null],
      ['slow', -1, 1, 'complete', 4],
      ['slow', 1, 3, 'complete', 4],
    ]);
    expect(result.neighbours.every((n) => n.trialNumber !== null)).toBe(true);
  });

  it('runs neighbours outside the trials, reports their metrics, and says when there is no winner', async () => {
    const s = study();
    // The same study without trial (2, 2): the winner's neighbour one step down in fast is not a trial.
    const kept = s.trials.filter((t) => !(t.params.fast === 2 && t.params.slow === 2));
    const partial = Study.restore(s.config, kept);
    const winner = partial.best()!;
    const result = await studyNeighbourhood('s1', partial, winner, async (sets) =>
      sets.map((p) => ({
        status: 'complete' as const,
        metrics: { sharpeRatio: 10 * (p.fast as number), numTrades: 7 },
      })),
    );
    const down = result.neighbours.find((n) => n.param === 'fast' && n.direction === -1)!;
    expect(down).toMatchObject({
      trialNumber: null,
      status: 'complete',
      values: [20],
      metrics: { numTrades: 7 },
    });
    const failing = await studyNeighbourhood('s1', partial, winner, async (sets) =>
      sets.map(() => ({ status: 'failed' as const, error: 'no bars' })),
    );
    expect(failing.neighbours.find((n) => n.trialNumber === null)).toMatchObject({
      status: 'failed',
      error: 'no bars',
    });
    expect(await studyNeighbourhood('s1', partial, undefined, async () => [])).toMatchObject({
      winner: null,
      neighbours: [],
      note: expect.stringMatching(/no winner/),
    });
  });
});
