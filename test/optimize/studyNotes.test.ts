import { describe, expect, it } from 'vitest';
import { requestSchemas } from '../../src/shared/contract.ts';
import { ConflictError, InputError, NotFoundError } from '../../src/shared/errors.ts';
import { STUDY_NOTE_MAX } from '../../src/shared/optimizeChoices.ts';
import { parseOrThrow } from '../../src/shared/validation.ts';
import { optimizeHarness, writeDemoSymbol } from '../support/studies.ts';

const annotateRequest = (value: unknown) =>
  parseOrThrow(requestSchemas['optimize:annotate'].input, value, 'optimize:annotate request');

describe("a study's name and note, and deleting it", () => {
  it('stores both at start, edits them later, refuses bad ones naming the field, and deletes with the trials', async () => {
    const h = await optimizeHarness(1);
    try {
      const series = await writeDemoSymbol(h.bars, 1);
      const started = await h.service.start(
        requestSchemas['optimize:start'].input.parse({
          name: '  Q1 fast crosses  ',
          note: 'looking for a plateau',
          strategy: 'sma-cross',
          data: {
            symbol: series.symbol,
            timeframes: ['15m'],
            start: Date.UTC(2023, 0, 1),
            end: Date.UTC(2023, 3, 1),
          },
          space: ['fast=5:20:5', 'slow=20:60:10'],
          constraints: ['fast<slow'],
          sampler: 'grid',
          objectives: [{ metric: 'sharpeRatio' }],
          trials: 20,
          seed: 3,
        }),
      );
      const id = started.studyId;
      // A running study keeps its trials: deleting it is refused in words, and nothing is lost.
      expect(h.service.isRunning(id)).toBe(true);
      const refusal = await h.service.delete(id).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(ConflictError);
      expect((refusal as Error).message).toContain('is running: cancel it before deleting it');
      // The runner never writes the name or the note, so a running study can be renamed.
      const renamed = await h.service.annotate(annotateRequest({ studyId: id, name: 'Q1 crosses' }));
      expect(renamed).toMatchObject({ name: 'Q1 crosses', note: 'looking for a plateau', state: 'running' });
      const detail = await h.service.wait(id);
      expect(detail.summary.name).toBe('Q1 crosses');
      expect(detail.trials.length).toBeGreaterThan(0);

      const noted = await h.service.annotate(annotateRequest({ studyId: id, note: 'plateau at fast 10' }));
      expect(noted).toMatchObject({ name: 'Q1 crosses', note: 'plateau at fast 10', state: 'complete' });
      expect((await h.service.list()).find((s) => s.id === id)).toMatchObject(noted);

      const tooLong = () => annotateRequest({ studyId: id, note: 'x'.repeat(STUDY_NOTE_MAX + 1) });
      expect(tooLong).toThrow(InputError);
      expect(tooLong).toThrow(`note: a study note is at most ${STUDY_NOTE_MAX} characters`);
      expect(() => annotateRequest({ studyId: id, name: '   ' })).toThrow(
        'name: a study name cannot be empty',
      );
      expect(() => annotateRequest({ studyId: id })).toThrow('name: give a name, a note or both');
      await expect(h.service.annotate(annotateRequest({ studyId: 'nope', name: 'x' }))).rejects.toThrow(
        NotFoundError,
      );
      // What was refused changed nothing stored.
      expect((await h.service.get(id, { offset: 0, limit: 0 })).summary).toMatchObject({
        name: 'Q1 crosses',
        note: 'plateau at fast 10',
      });

      expect(await h.service.delete(id)).toEqual({ studyId: id, deleted: true });
      await expect(h.service.get(id)).rejects.toThrow(NotFoundError);
      expect(await h.db.all('SELECT number FROM trials WHERE study_id = $id', { id })).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
