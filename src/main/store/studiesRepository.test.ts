import { describe, expect, it } from 'vitest';
import { Study, type StudyConfig } from '../../core/optimize/study.ts';
import { parseSpace } from '../../core/optimize/space.ts';
import { Database } from './database.ts';
import { StudiesRepository } from './studiesRepository.ts';

const config: StudyConfig = {
  space: parseSpace(['fast=5:25:5', 'slow=10:65:5'], ['fast<slow']),
  sampler: { kind: 'random' },
  objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
  seed: 7,
};

describe('StudiesRepository', () => {
  it('round-trips a study and its trials, NaN and Infinity included, and restores the study from them', async () => {
    const db = await Database.open(':memory:');
    const repo = new StudiesRepository(db);
    await repo.create({ id: 's1', name: 'test', strategy: 'sma-cross', data: { symbol: 'SYNX' }, config });
    const study = new Study(config, { clock: () => 1000 });
    const asked = study.ask(3);
    const told = [
      study.tell(asked[0]!.number, {
        status: 'complete',
        metrics: { sharpeRatio: 1.5, profitFactor: Infinity },
      }),
      study.tell(asked[1]!.number, { status: 'complete', metrics: { sharpeRatio: NaN, profitFactor: 2 } }),
    ];
    for (const trial of told) await repo.saveTrial('s1', trial);
    const running = study.trials.find((t) => t.status === 'running')!;
    await repo.saveTrial('s1', running);

    const loaded = await repo.loadTrials('s1');
    expect(loaded).toEqual([...told, running].sort((a, b) => a.number - b.number));
    expect(loaded[0]!.metrics!['profitFactor']).toBe(Infinity);

    const stored = await repo.get('s1');
    expect(stored.config).toEqual(config);
    const resumed = Study.restore(stored.config, loaded);
    // The trial that was running when "killed" is asked again, with the same number and parameters.
    const again = resumed.ask(1)[0]!;
    expect(again.number).toBe(running.number);
    expect(again.params).toEqual(running.params);

    await repo.approve('s1', { fast: 10, slow: 30 });
    expect((await repo.get('s1')).approvedParams).toEqual({ fast: 10, slow: 30 });
    await expect(repo.get('nope')).rejects.toThrow('no study with id "nope"');
    db.close();
  });
});
