import { describe, expect, it } from 'vitest';
import { purgeFormNote } from './purgeFormNote.ts';

describe('purgeFormNote', () => {
  it('warns when the purge leaves a train window less than half, as the run does after it', () => {
    expect(purgeFormNote({ mode: 'rolling', unit: 'bars', train: 100, purge: 60 })).toEqual({
      text:
        'the purge of 60 bars leaves each train window 40 of its 100 bars (40%), so its parameters would be ' +
        'chosen on few bars; give a shorter purge or a longer train window',
      refused: false,
    });
    // Anchored windows grow, so the first is the one left short.
    expect(purgeFormNote({ mode: 'anchored', unit: 'days', train: 45, purge: 30 })?.text).toContain(
      'leaves the first train window 15 of its 45 days (33%)',
    );
  });

  it('says nothing of a purge that leaves half or more, of none, or of an unfinished field', () => {
    expect(purgeFormNote({ mode: 'rolling', unit: 'bars', train: 100, purge: 50 })).toBeUndefined();
    expect(purgeFormNote({ mode: 'rolling', unit: 'days', train: 45, purge: 2 })).toBeUndefined();
    expect(purgeFormNote({ mode: 'rolling', unit: 'bars', train: 100, purge: 0 })).toBeUndefined();
    expect(purgeFormNote({ mode: 'rolling', unit: 'bars', train: Number(''), purge: 60 })).toBeUndefined();
    expect(purgeFormNote({ mode: 'rolling', unit: 'bars', train: 100, purge: 1.5 })).toBeUndefined();
  });

  it('refuses a purge that empties the train window: under 2 bars, or no day left', () => {
    expect(purgeFormNote({ mode: 'rolling', unit: 'bars', train: 100, purge: 99 })).toEqual({
      text: "a purge of 99 bars leaves 1 of each train window's 100 bars: give a shorter purge or a longer train window",
      refused: true,
    });
    expect(purgeFormNote({ mode: 'rolling', unit: 'bars', train: 100, purge: 98 })?.refused).toBe(false);
    expect(purgeFormNote({ mode: 'anchored', unit: 'days', train: 45, purge: 60 })).toEqual({
      text: "a purge of 60 days leaves 0 of the first train window's 45 days: give a shorter purge or a longer train window",
      refused: true,
    });
    expect(purgeFormNote({ mode: 'rolling', unit: 'days', train: 45, purge: 44 })?.refused).toBe(false);
  });
});
