import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MIGRATIONS } from '../store/migrations.ts';
import { ledgerSession, type LedgerEntry } from '../../core/ml/learner/ledger.ts';
import { createRng } from '../../core/math/random.ts';
import { ParameterLearner } from '../../core/ml/learner/parameterLearner.ts';
import { Database } from '../store/database.ts';
import { withStanding } from './standing.ts';
import { LedgerRepository } from '../store/ledgerRepository.ts';
import { LedgerLearner, LedgerRecorder } from './ledgerLearner.ts';
import { learnerStatus } from '../services/learner/learnerService.ts';

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
      session: null,
      recordedAt: i,
    } satisfies LedgerEntry;
  });
}

describe("the ledger's session (regular | extended) of intraday rows", () => {
  /** 1-minute test windows of one symbol, half in each session, every third of unknown session. */
  function minuteRows(session: 'regular' | 'extended' | null, from: number): LedgerEntry[] {
    return entries(6, from).map((e, i) => ({
      ...e,
      sourceId: `${session ?? 'unknown'}-run`,
      item: i,
      timeframe: '1m',
      session,
      startTime: (from + i) * 1000,
      endTime: (from + i + 1) * 1000,
    }));
  }

  it("reads a request's reference population from its own session's rows; day bars and files have none", async () => {
    expect([ledgerSession('1m', 'extended'), ledgerSession('15m+1h', 'regular')]).toEqual([
      'extended',
      'regular',
    ]);
    // A day bar is the same whatever the rule, and a file's bars are read as they are: filed under null.
    expect([ledgerSession('1d', 'regular'), ledgerSession('native', 'regular')]).toEqual([null, null]);
    const db = await Database.open(':memory:');
    try {
      const ledger = new LedgerRepository(db);
      await ledger.append([
        ...minuteRows('regular', 0),
        ...minuteRows('extended', 10),
        ...minuteRows(null, 20),
      ]);
      const of = { symbol: 'DEMO', timeframe: '1m', strategy: 'sma-cross' } as const;
      const read = async (session: 'regular' | 'extended' | null) =>
        (await ledger.referencePopulation({ ...of, session }, Number.MAX_SAFE_INTEGER, 100)).map(
          (r) => r.sourceId,
        );
      expect(new Set(await read('regular'))).toEqual(new Set(['regular-run']));
      expect(new Set(await read('extended'))).toEqual(new Set(['extended-run']));
      expect((await read('regular')).length).toBe(6);
      // Stored and read back as recorded.
      expect((await ledger.entriesOf('extended-run')).map((e) => e.session)).toEqual(
        Array(6).fill('extended'),
      );
      expect((await ledger.entriesOf('unknown-run')).map((e) => e.session)).toEqual(Array(6).fill(null));
      // The standing of an arriving row is read among its own session's rows only, stored or arriving:
      // a regular-hours row arriving in the same batch, ended before it opened, is not in its population.
      const arriving = minuteRows('extended', 40)[0]!;
      // The same set, scored far above the rest: in a population it is the arriving set's own past.
      const earlier = {
        ...minuteRows('regular', 30)[0]!,
        params: arriving.params,
        score: 50,
        sourceId: 'another-run',
      };
      const alone = (await withStanding(ledger, [arriving]))[0]!;
      const beside = (await withStanding(ledger, [earlier, arriving]))[1]!;
      expect(beside.features).toEqual(alone.features);
      const asRegular = (await withStanding(ledger, [earlier, { ...arriving, session: 'regular' }]))[1]!;
      expect(asRegular.features['past.z']).toBeGreaterThan(1);
      expect(alone.features['past.z']).toBe(0);
    } finally {
      db.close();
    }
  });

  it('migrates a ledger from before the column: every row kept, its session unknown (null)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-ledger-session-'));
    try {
      const path = join(dir, 'old.duckdb');
      const old = await Database.open(path);
      // Back to the schema of version 13, with rows written as it wrote them.
      await old.run('ALTER TABLE learner_ledger DROP COLUMN session');
      await old.run('DELETE FROM schema_migrations WHERE version >= 14');
      await old.run(
        `INSERT INTO learner_ledger (seq, kind, source_id, item, symbol, timeframe, strategy, start_ms, end_ms,
           params, features, outcomes, score, regime, recorded_at)
         SELECT i + 1, 'window-test', 'old-run', i, 'DEMO', '1m', 'sma-cross', i * 1000, (i + 1) * 1000,
           '{"fast": 5}', '{"param.fast": 0.1}', '{}', 0.5, NULL, i FROM range(40) t(i)`,
      );
      old.close();
      const db = await Database.open(path);
      try {
        const [{ version } = { version: 0 }] = await db.all<{ version: number }>(
          'SELECT max(version) AS version FROM schema_migrations',
        );
        expect(version).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
        const rows = await new LedgerRepository(db).entriesOf('old-run');
        expect(rows.length).toBe(40);
        expect(rows.every((r) => r.session === null && r.score === 0.5)).toBe(true);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

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

  it('numbers rows densely: rows offered again, in a batch or twice in one, draw no number', async () => {
    const db = await Database.open(':memory:');
    try {
      const ledger = new LedgerRepository(db);
      const rows = entries(50, 2);
      await ledger.append(rows.slice(0, 20));
      // A backfill over recorded results with a few new ones, one of them offered twice.
      expect(await ledger.append([...rows.slice(0, 30), rows[25]!])).toBe(10);
      await ledger.append(rows.slice(10, 50));
      const seqs = (await ledger.learnableSince('sma-cross', 0)).map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
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

  /** 12 batches of 25 scored results, as a study's or walk-forward run's hook hands them over. */
  const batches = (): LedgerEntry[][] => {
    const rows = entries(300, 5);
    return Array.from({ length: 12 }, (_, b) => rows.slice(25 * b, 25 * b + 25));
  };

  /** The old synchronous path: each batch appended (with its standing), then learned, before the next one arrives. */
  async function synchronous(db: Database, of: LedgerEntry[][]): Promise<LedgerLearner> {
    const ledger = new LedgerRepository(db);
    const learner = new LedgerLearner(ledger);
    for (const batch of of) {
      await ledger.append(await withStanding(ledger, batch));
      await learner.update('sma-cross');
    }
    return learner;
  }

  async function sameAs(db: Database, reference: Database): Promise<void> {
    // Arrival numbers may skip (a row recorded again draws one and is ignored); their order is what counts.
    const rows = async (d: Database) =>
      (await new LedgerRepository(d).learnableSince('sma-cross', 0)).map(({ seq: _, ...row }) => row);
    expect(await rows(db)).toEqual(await rows(reference));
    const [ours, theirs] = await Promise.all(
      [db, reference].map((d) => new LedgerLearner(new LedgerRepository(d)).load('sma-cross')),
    );
    expect(JSON.stringify(ours!.learner.toState())).toBe(JSON.stringify(theirs!.learner.toState()));
  }

  it("queues results off the caller's path, appends at its bound without learning, and drains to the synchronous result", async () => {
    const reference = await Database.open(':memory:');
    const db = await Database.open(':memory:');
    try {
      await synchronous(reference, batches());
      const ledger = new LedgerRepository(db);
      const recorder = new LedgerRecorder(ledger, new LedgerLearner(ledger), () => undefined, {
        maxQueued: 5,
        idleMs: Infinity,
      });
      const [first, ...rest] = batches().map((batch) => () => batch);
      recorder.record(first!);
      await recorder.stored();
      // Recorded and returned: nothing stored until results stop arriving or the queue is full.
      expect(recorder.pending).toBe(1);
      expect(await ledger.count()).toBe(0);
      for (const build of rest.slice(0, 4)) recorder.record(build);
      // The fifth batch reached the bound: the queue is taken at once and appended, but not learned.
      expect(recorder.pending).toBe(0);
      await recorder.stored();
      expect(await ledger.count()).toBe(125);
      const status = await learnerStatus(ledger);
      expect(status.learners[0]).toMatchObject({ strategy: 'sma-cross', learned: 0, pending: 125 });
      for (const build of rest.slice(4)) recorder.record(build);
      await recorder.flush();
      expect((await learnerStatus(ledger)).learners[0]).toMatchObject({ learned: 300, pending: 0 });
      await sameAs(db, reference);
    } finally {
      reference.close();
      db.close();
    }
  });

  it('loses and duplicates nothing when killed mid-queue: a restart re-records the source and learns the rest once', async () => {
    const reference = await Database.open(':memory:');
    const db = await Database.open(':memory:');
    try {
      const all = batches();
      await synchronous(reference, all);
      const ledger = new LedgerRepository(db);
      const killed = new LedgerRecorder(ledger, new LedgerLearner(ledger), () => undefined, {
        maxQueued: 4,
        idleMs: Infinity,
      });
      for (const batch of all.slice(0, 4)) killed.record(() => batch);
      await killed.flush();
      // Appended, not learned yet; then queued, not appended yet: the process dies with both.
      for (const batch of all.slice(4, 8)) killed.record(() => batch);
      await killed.stored();
      for (const batch of all.slice(8, 10)) killed.record(() => batch);
      expect(killed.pending).toBe(2);
      expect((await learnerStatus(ledger)).learners[0]).toMatchObject({ learned: 100, pending: 100 });

      // The restart: the source (the stored studies and windows) is recorded again, whole, then more arrives.
      const restarted = new LedgerRecorder(ledger, new LedgerLearner(ledger), () => undefined, {
        idleMs: Infinity,
      });
      await restarted.recover(async () => ledger.append(await withStanding(ledger, all.slice(0, 10).flat())));
      for (const batch of all.slice(10)) restarted.record(() => batch);
      await restarted.flush();
      expect(await ledger.count()).toBe(300);
      expect((await ledger.latestState('sma-cross'))?.learned).toBe(300);
      await sameAs(db, reference);
    } finally {
      reference.close();
      db.close();
    }
  });

  it('drains in idle time only: never while a run holds it, after the quiet time once released', async () => {
    const db = await Database.open(':memory:');
    vi.useFakeTimers();
    try {
      const ledger = new LedgerRepository(db);
      const recorder = new LedgerRecorder(ledger, new LedgerLearner(ledger), () => undefined, {
        idleMs: 500,
      });
      const release = recorder.hold();
      for (const batch of batches().slice(0, 3)) recorder.record(() => batch);
      vi.advanceTimersByTime(60_000);
      expect(recorder.pending).toBe(3);
      release();
      vi.advanceTimersByTime(499);
      expect(recorder.pending).toBe(3);
      vi.advanceTimersByTime(1);
      expect(recorder.pending).toBe(0);
      vi.useRealTimers();
      await recorder.stored();
      expect((await learnerStatus(ledger)).learners[0]).toMatchObject({ learned: 75, pending: 0 });
    } finally {
      vi.useRealTimers();
      db.close();
    }
  });
});
