import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../../core/engine/random-walk.ts';
import { combinedFingerprint, datasetFingerprint } from '../../compute/fingerprint.ts';
import { BarsRepository } from '../../store/barsRepository.ts';
import { Database } from '../../store/database.ts';
import { loadStudyDatasets, studyDataFingerprint } from '../optimize/studySetup.ts';
import { studyFingerprint } from './studyProposal.ts';

const DAY = 86_400_000;
const span = { start: null, end: null } as const;

describe("a study's data fingerprint (the live set's provenance)", () => {
  let dir: string;
  let db: Database;
  let bars: BarsRepository;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regimen-fingerprint-'));
    db = await Database.open(join(dir, 'regimen.duckdb'));
    bars = new BarsRepository(db);
    await bars.write('AAA', '1d', randomWalkBars(300, 1, { stepMs: DAY }), 'test');
    await bars.write('BBB', '1d', randomWalkBars(300, 2, { stepMs: DAY }), 'test');
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers every symbol of a several-symbol study, as the study recorded it when it started', async () => {
    const one = { source: { kind: 'cache', symbol: 'AAA' }, timeframes: ['1d'], ...span } as const;
    const two = {
      source: { kind: 'cache', symbol: 'AAA', symbols: ['AAA', 'BBB'] },
      timeframes: ['1d'],
      ...span,
    } as const;
    // One symbol's is what it always was: set proposals made before keep verifying.
    expect(await studyFingerprint(one, bars)).toBe(
      combinedFingerprint([datasetFingerprint(await bars.read('AAA', '1d'))]),
    );
    const before = await studyFingerprint(two, bars);
    expect(before).not.toBe(await studyFingerprint(one, bars));
    expect(studyDataFingerprint(two.source, await loadStudyDatasets(two, bars))).toBe(before);

    // A change to the second symbol's bars alone is a change of the study's data.
    const changed = await bars.read('BBB', '1d');
    changed.c[150] *= 1.01;
    changed.h[150] = Math.max(changed.h[150], changed.c[150]);
    await bars.write('BBB', '1d', changed, 'test');
    expect(await studyFingerprint(two, bars)).not.toBe(before);
    expect(studyDataFingerprint(two.source, await loadStudyDatasets(two, bars))).toBe(
      await studyFingerprint(two, bars),
    );
  });

  it('hashes each of several CSV files, and names the one it cannot read', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, 'time,open,high,low,close,volume\n');
    writeFileSync(b, 'time,open,high,low,close,volume\n1,1,1,1,1,1\n');
    const files = (second: string) =>
      ({
        source: {
          kind: 'file',
          path: a,
          files: [
            { symbol: 'A', path: a },
            { symbol: 'B', path: second },
          ],
        },
        timeframes: ['native'],
        ...span,
      }) as const;
    const both = await studyFingerprint(files(b), bars);
    const alone = await studyFingerprint({ ...files(b), source: { kind: 'file', path: a } }, bars);
    expect(both).not.toBe(alone);
    writeFileSync(b, 'time,open,high,low,close,volume\n1,1,1,1,2,1\n');
    expect(await studyFingerprint(files(b), bars)).not.toBe(both);
    await expect(studyFingerprint(files(join(dir, 'gone.csv')), bars)).rejects.toThrow(
      `the study's file ${join(dir, 'gone.csv')} cannot be read`,
    );
  });
});
