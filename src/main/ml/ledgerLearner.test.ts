import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../core/ml/learner/ledger.ts';
import { createRng } from '../../core/math/random.ts';
import { ParameterLearner } from '../../core/ml/learner/parameterLearner.ts';
import { Database } from '../store/database.ts';
import { LedgerRepository } from '../store/ledgerRepository.ts';
import { LedgerLearner, LedgerRecorder } from './ledgerLearner.ts';

/** Test-window entries of a planted relation: score = 2 fast - slow + noise, two regimes. */
function entries(count: number, seed: number): LedgerEntry[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const fast = rng.float();
    const slow = rng.float();
    return {
      kind: 'window-test',
      sourceId: `run-${Math.floor(i / 20)}`,
      item: i % 20,
      symbol: 'DEMO',
      timeframe: '1d',
      strategy: 'sma-cross',
      startTime: i * 1000,
      endTime: (i + 1) * 1000,
      params: { fast, slow },
      features: { 'param.fast': fast, 'param.slow': slow, 'regime.trend.adx': 20 + 10 * rng.float() },
      outcomes: { sharpeRatio: 2 * fast - slow },
      score: 2 * fast - slow + 0.1 * rng.normal(),
      regime: i % 2 === 0 ? 'bull/low' : 'bear/high',
      recordedAt: i,
    } satisfies LedgerEntry;
  });
}

describe('results ledger and the learner behind it', () => {
  it('records each result once: a repeated hook or a backfill adds nothing', async () => {
    const db = await Database.open(':memory:');
    try {
      const ledger = new LedgerRepository(db);
      const rows = entries(30, 1);
      expect(await ledger.append(rows)).toBe(30);
      expect(await ledger.append(rows.slice(10))).toBe(0);
      expect(await ledger.count('window-test')).toBe(30);
      const stored = await ledger.entriesOf('run-0');
      expect(stored.map((e) => e.item)).toEqual([...Array(20).keys()]);
      expect(stored[0]).toEqual({ ...rows[0], seq: 1 });
    } finally {
      db.close();
    }
  });

  it('resumes after a kill from its last saved version and ends where an uninterrupted learner ends', async () => {
    const rows = entries(600, 2);
    const reference = await Database.open(':memory:');
    const killed = await Database.open(':memory:');
    try {
      const referenceLedger = new LedgerRepository(reference);
      await referenceLedger.append(rows);
      const uninterrupted = await new LedgerLearner(referenceLedger).update('sma-cross');
      expect(uninterrupted.learner.count).toBe(600);

      const ledger = new LedgerRepository(killed);
      await ledger.append(rows.slice(0, 250));
      const first = await new LedgerLearner(ledger).update('sma-cross');
      expect(first.version).toBe(1);
      // The process dies here: only the database survives. More results arrive before the restart.
      await ledger.append(rows.slice(250));
      const restarted = new LedgerLearner(ledger);
      expect((await restarted.load('sma-cross')).learner.count).toBe(250);
      const resumed = await restarted.update('sma-cross');
      expect(resumed.version).toBe(2);
      expect(resumed.ledgerSeq).toBe(600);
      expect(JSON.stringify(resumed.learner.toState())).toBe(JSON.stringify(uninterrupted.learner.toState()));
      expect((await ledger.latestState('sma-cross'))?.learned).toBe(600);
    } finally {
      reference.close();
      killed.close();
    }
  });

  it('relearns from the ledger a state an older build saved, rather than failing to load it', async () => {
    const db = await Database.open(':memory:');
    try {
      const ledger = new LedgerRepository(db);
      await ledger.append(entries(120, 3));
      const current = await new LedgerLearner(ledger).update('sma-cross');
      const old = { ...current.learner.toState(), version: ParameterLearner.stateVersion - 1 };
      await ledger.saveState({ learner: 'sma-cross', ledgerSeq: 120, learned: 120, state: old, savedAt: 1 });
      const reloaded = new LedgerLearner(ledger);
      expect((await reloaded.load('sma-cross')).learner.count).toBe(0);
      const relearned = await reloaded.update('sma-cross');
      expect(relearned.learner.count).toBe(120);
      expect(JSON.stringify(relearned.learner.toState())).toBe(JSON.stringify(current.learner.toState()));
    } finally {
      db.close();
    }
  });

  it('records in the background: the caller returns before the rows are built, and a failure only warns', async () => {
    const db = await Database.open(':memory:');
    try {
      const ledger = new LedgerRepository(db);
      const learner = new LedgerLearner(ledger);
      const warnings: string[] = [];
      const recorder = new LedgerRecorder(ledger, learner, (m) => warnings.push(m));
      let built = false;
      recorder.record(() => {
        built = true;
        return entries(40, 3);
      });
      expect(built).toBe(false);
      recorder.record(() => {
        throw new Error('bars went missing');
      });
      recorder.record(() => entries(60, 4).map((e) => ({ ...e, sourceId: `later-${e.sourceId}` })));
      await recorder.flush();
      expect(warnings).toEqual(['results ledger: bars went missing']);
      expect(await ledger.count()).toBe(100);
      expect((await learner.load('sma-cross')).learner.count).toBe(100);
    } finally {
      db.close();
    }
  });
});
