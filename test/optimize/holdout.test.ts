/**
 * A study's holdout (issue 15 item 1): the search never reads a held-out bar, and the winner is run once
 * over both parts, its in-sample and out-of-sample results reported side by side.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseSpace } from '../../src/core/optimize/index.ts';
import type { WorkerTask } from '../../src/main/compute/tasks.ts';
import type { NewStudy } from '../../src/main/services/optimize/studySetup.ts';
import type { StudyDefinition } from '../../src/main/services/optimize/studyRecords.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { optimizeHarness, smaCrossDefinition, type OptimizeHarness } from '../support/studies.ts';

const goog = sharedDataFile('GOOG.csv');

function study(definition: Partial<StudyDefinition>): NewStudy {
  return {
    name: 'holdout',
    definition: { ...smaCrossDefinition({ kind: 'file', path: goog.path }, ['native'], 12), ...definition },
    space: parseSpace(['fast=5:25:5', 'slow=30:60:10'], ['fast<slow']),
    sampler: { kind: 'random' },
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    seed: 5,
    minTrades: 0,
  };
}

describe.skipIf(!goog.present)(`a study with a holdout on GOOG.csv${goog.skipReason}`, () => {
  let h: OptimizeHarness;
  beforeAll(async () => {
    // On the pool's threads, so every task the search sends can be looked at.
    h = await optimizeHarness(1, { inProcessBelow: 0 });
  });
  afterAll(async () => h.close());

  const run = async (newStudy: NewStudy) => {
    const id = await h.service.create(newStudy);
    await h.service.resume(id);
    return h.service.wait(id);
  };

  it('searches only the bars before it, and reports the winner on both parts', async () => {
    const tasks: WorkerTask[] = [];
    const pass = h.pool.run.bind(h.pool);
    const spy = vi.spyOn(h.pool, 'run').mockImplementation(((task: WorkerTask, signal?: AbortSignal) => {
      tasks.push(task);
      return pass(task, signal);
    }) as typeof h.pool.run);
    const detail = await run(study({ holdout: { fraction: 0.25 } }));
    spy.mockRestore();
    expect(detail.summary.state).toBe('complete');
    const holdout = detail.holdout!;
    expect(holdout.bars).toBeGreaterThan(0);
    // A quarter of the file held out (the floor of the cut rounds the searched part down).
    expect(holdout.bars / (holdout.bars + holdout.searchedBars)).toBeCloseTo(0.25, 2);
    const searched = tasks.filter((t) => t.kind === 'trials');
    expect(searched.length).toBeGreaterThan(0);
    for (const task of searched) {
      const t = task.dataset.bars.t;
      expect(t.length).toBe(holdout.searchedBars);
      expect(t[t.length - 1]!).toBeLessThan(holdout.from);
    }
    expect(holdout.inSample['totalReturn']).not.toBeNull();
    expect(holdout.outOfSample['totalReturn']).not.toBeNull();
    expect(holdout.outOfSample['totalReturn']).not.toBe(holdout.inSample['totalReturn']);

    // The same study ending where the holdout begins scores every trial alike: nothing after it counted.
    const cut = await run(study({ end: holdout.from }));
    expect(cut.holdout).toBeNull();
    expect(cut.trials.map((t) => t.metrics)).toEqual(detail.trials.map((t) => t.metrics));
  });

  it('refuses a holdout that leaves nothing to search, naming the field', async () => {
    await expect(
      h.service.create(study({ holdout: { from: 0 } })).then((id) => h.service.resume(id)),
    ).rejects.toThrow(
      /^data\.holdout: holding out from 1970-01-01T00:00:00\.000Z of \d+ bars leaves 0 to search/,
    );
  });
});
