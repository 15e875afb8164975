import { describe, expect, it } from 'vitest';
import { mapBounded } from './mapBounded.ts';

/** A promise settled from outside, so a test decides the order work finishes in. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('mapBounded', () => {
  it('runs at most `limit` at once and answers in the items order, whatever order they finish in', async () => {
    const gates = [deferred(), deferred(), deferred(), deferred(), deferred()];
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const result = mapBounded([0, 1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      running++;
      most = Math.max(most, running);
      await gates[item]!.promise;
      running--;
      return item * 10;
    });
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    // The second finishes first: the third starts in its lane while the first is still running.
    gates[1]!.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    for (const gate of [gates[4]!, gates[3]!, gates[2]!, gates[0]!]) gate.resolve();
    expect(await result).toEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(2);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapBounded([0, 1, 2, 3], 1, async (item) => {
        started.push(item);
        if (item === 1) throw new Error('item 1 failed');
        return item;
      }),
    ).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1]);
  });

  it('answers an empty list without calling work', async () => {
    expect(await mapBounded([], 3, () => Promise.reject(new Error('called')))).toEqual([]);
  });
});
