import { describe, expect, it } from 'vitest';
import { Study, type StudyConfig } from '../../core/optimize/study.ts';
import { parseSpace } from '../../core/optimize/space.ts';
import { Database } from './database.ts';
import { StudiesRepository, type Codec } from './studiesRepository.ts';

const config: StudyConfig = {
  space: parseSpace(['fast=5:25:5', 'slow=10:65:5'], ['fast<slow']),
  sampler: { kind: 'random' },
  objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
  seed: 7,
};

/** A document codec that accepts objects with a symbol, as a zod schema would. */
const document: Codec<{ symbol: string }> = {
  parse: (value) => {
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof (value as { symbol?: unknown }).symbol !== 'string'
    )
      throw new Error('symbol: expected a string');
    return { symbol: (value as { symbol: string }).symbol };
  },
};
const progress: Codec<{ done: number }> = {
  parse: (value) => ({ done: Number((value as { done: number }).done) }),
};

describe('StudiesRepository', () => {
  it('round-trips a study and its trials, NaN and Infinity included, and restores the study from them', async () => {
    const db = await Database.open(':memory:');
    const repo = new StudiesRepository(db, { document, progress });
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
    await repo.saveTrials('s1', told, { done: 2 });
    const running = study.trials.find((t) => t.status === 'running')!;
    await repo.saveTrials('s1', [running]);

    const loaded = await repo.loadTrials('s1');
    expect(loaded).toEqual([...told, running].sort((a, b) => a.number - b.number));
    expect(loaded[0]!.metrics!['profitFactor']).toBe(Infinity);

    const stored = await repo.get('s1');
    expect(stored.config).toEqual(config);
    expect(stored.data).toEqual({ symbol: 'SYNX' });
    expect(stored.progress).toEqual({ done: 2 });
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

  it('lists studies from their rows and deletes a study with its trials, leaving the others', async () => {
    const db = await Database.open(':memory:');
    const repo = new StudiesRepository(db, { document, progress });
    for (const id of ['a', 'b']) {
      await repo.create({ id, name: id, strategy: 'sma-cross', data: { symbol: id.toUpperCase() }, config });
      const study = new Study(config, { clock: () => 1000 });
      study.ask(3);
      await repo.saveTrials(id, study.trials, { done: 0 });
    }
    expect((await repo.list()).map((s) => [s.id, s.progress])).toEqual(
      expect.arrayContaining([
        ['a', { done: 0 }],
        ['b', { done: 0 }],
      ]),
    );
    expect(await repo.delete('a')).toBe(true);
    expect(await repo.delete('a')).toBe(false);
    expect((await repo.list()).map((s) => s.id)).toEqual(['b']);
    expect(await repo.loadTrials('a')).toEqual([]);
    expect(await repo.loadTrials('b')).toHaveLength(3);
    expect(await db.all('SELECT * FROM trials WHERE study_id = $id', { id: 'a' })).toEqual([]);
    db.close();
  });

  it('names the study and the field when a stored document does not parse', async () => {
    const db = await Database.open(':memory:');
    const repo = new StudiesRepository(db, { document, progress });
    await db.run(
      `INSERT INTO studies (id, name, strategy, data, config, created_at)
       VALUES ('bad', 'bad', 'sma-cross', '{"symbol": 3}', $config, now())`,
      { config: JSON.stringify(config) },
    );
    await expect(repo.get('bad')).rejects.toThrow(
      'study bad: data cannot be read: symbol: expected a string',
    );
    db.close();
  });

  it("reads a study stored before notes existed as noted '', and annotates one field keeping the other", async () => {
    const db = await Database.open(':memory:');
    const repo = new StudiesRepository(db, { document, progress });
    await db.run(
      `INSERT INTO studies (id, name, strategy, data, config, created_at)
       VALUES ('old', 'old', 'sma-cross', '{"symbol": "X"}', $config, now())`,
      { config: JSON.stringify(config) },
    );
    expect((await repo.get('old')).note).toBe('');
    await repo.annotate('old', { note: 'first look' });
    expect(await repo.get('old')).toMatchObject({ name: 'old', note: 'first look' });
    await repo.annotate('old', { name: 'renamed' });
    expect(await repo.get('old')).toMatchObject({ name: 'renamed', note: 'first look' });
    await expect(repo.annotate('nope', { name: 'x' })).rejects.toThrow('no study with id "nope"');
    db.close();
  });
});
