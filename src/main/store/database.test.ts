import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocateBars } from '../../core/data/bars.ts';
import { BarsRepository } from './barsRepository.ts';
import { Database } from './database.ts';

function bars(n: number, t0: number) {
  const b = allocateBars(n);
  for (let i = 0; i < n; i++) {
    b.t[i] = t0 + i * 60_000;
    b.o[i] = b.h[i] = b.l[i] = b.c[i] = 100;
    b.v[i] = 1;
  }
  return b;
}

/** A DuckDB size setting as it prints ('96.0 MiB', '18.8 GiB') in MiB. */
function mebibytes(printed: string): number {
  const match = /^([\d.]+) (MiB|GiB)$/.exec(printed);
  if (!match) throw new Error(`not a size: ${printed}`);
  return Number(match[1]) * (match[2] === 'GiB' ? 1024 : 1);
}

describe('Database', () => {
  it('creates its folder private to the user (0700) and the database file 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'regimen-private-'));
    const previous = process.umask(0o022);
    try {
      const path = join(root, 'data', 'dir', 'regimen.duckdb');
      const db = await Database.open(path);
      db.close();
      expect(statSync(join(root, 'data')).mode & 0o777).toBe(0o700);
      expect(statSync(join(root, 'data', 'dir')).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps the write-ahead log 0600, also when DuckDB creates it again after a checkpoint', async () => {
    const root = mkdtempSync(join(tmpdir(), 'regimen-private-wal-'));
    const previous = process.umask(0o022);
    const path = join(root, 'regimen.duckdb');
    const db = await Database.open(path);
    try {
      const modes: number[] = [];
      for (const round of [1, 2]) {
        await new BarsRepository(db).write('AAA', '1m', bars(3, round * 1e9), 'test');
        expect(existsSync(`${path}.wal`)).toBe(true);
        modes.push(statSync(`${path}.wal`).mode & 0o777);
        // A checkpoint deletes the log; the next write creates a new file.
        await db.run('CHECKPOINT');
        expect(existsSync(`${path}.wal`)).toBe(false);
      }
      expect(modes).toEqual([0o600, 0o600]);
      // The umask is the process's own again outside database work.
      expect(process.umask()).toBe(0o022);
    } finally {
      db.close();
      process.umask(previous);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports the error that ended a transaction, not the ROLLBACK that found it already ended', async () => {
    const root = mkdtempSync(join(tmpdir(), 'regimen-ended-'));
    const db = await Database.open(join(root, 'regimen.duckdb'));
    try {
      await db.run('CREATE TABLE kept (a INTEGER)');
      // As DuckDB does when a statement or COMMIT in it runs out of memory: the transaction is over
      // before the caller's error reaches transaction()'s ROLLBACK.
      const ended = db.transaction(async () => {
        await db.run('INSERT INTO kept VALUES (1)');
        await db.run('ROLLBACK');
        throw new Error('Out of Memory Error: failed to pin block');
      });
      await expect(ended).rejects.toThrow('Out of Memory Error: failed to pin block');
      expect(await db.all('SELECT * FROM kept')).toEqual([]);
    } finally {
      db.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps a statement issued while another caller holds a transaction out of that transaction', async () => {
    const db = await Database.open(':memory:');
    try {
      await db.run('CREATE TABLE notes (n INTEGER)');
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const failing = new BarsRepository(db).write(
        'AAA',
        '1m',
        bars(3, 0),
        'test',
        {},
        {
          alsoInTransaction: async () => {
            await held;
            throw new Error('page rejected');
          },
        },
      );
      // Lets the write open its transaction before the unrelated insert arrives.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const insert = db.run('INSERT INTO notes VALUES (1)');
      setTimeout(release, 20);
      await expect(failing).rejects.toThrow('page rejected');
      await insert;
      expect(await db.all('SELECT n FROM notes')).toEqual([{ n: 1 }]);
      expect(await new BarsRepository(db).list()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('runs work under changed settings and puts the ones before back, also when the work fails', async () => {
    const db = await Database.open(':memory:');
    try {
      const before = { memory: await db.setting('memory_limit'), threads: await db.setting('threads') };
      expect(before.memory).not.toBe('96.0 MiB');
      const inside = await db.withSettings({ memory_limit: '96MiB', threads: '1' }, async () => [
        await db.setting('memory_limit'),
        await db.setting('threads'),
      ]);
      expect(inside).toEqual(['96.0 MiB', '1']);
      // Back to the default as DuckDB prints it (18.8 GiB), which is the precision it is set again at.
      expect(mebibytes(await db.setting('memory_limit')) / mebibytes(before.memory)).toBeCloseTo(1, 1);
      expect(await db.setting('threads')).toBe(before.threads);
      await expect(
        db.withSettings({ memory_limit: '64MiB' }, async () => {
          throw new Error('load failed');
        }),
      ).rejects.toThrow('load failed');
      expect(mebibytes(await db.setting('memory_limit')) / mebibytes(before.memory)).toBeCloseTo(1, 1);
    } finally {
      db.close();
    }
  });

  it('runs a priority approval ahead of the slow reads queued before it, never beside another statement', async () => {
    const db = await Database.open(':memory:');
    try {
      await db.run("CREATE TABLE approvals AS SELECT 's1' AS study, NULL::VARCHAR AS params");
      let active = 0;
      let most = 0;
      /** Queues `plan` at once (r: a slow read, w: a write, p: an approval) and lists what finished in order. */
      const finishOrder = async (plan: string[]): Promise<string[]> => {
        const done: string[] = [];
        const tracked = async (name: string, work: () => Promise<unknown>) => {
          most = Math.max(most, ++active);
          await work();
          active--;
          done.push(name);
        };
        await Promise.all(
          plan.map((step, k) => {
            const name = `${step}${k}`;
            if (step === 'r')
              // Tens of ms each: a sum over 20 million rows.
              return db
                .all(`SELECT sum(i)::DOUBLE + ${k} AS total FROM range(20000000) t(i)`)
                .then(() => done.push(name));
            if (step === 'w')
              return db.exclusive(() =>
                tracked(name, () => db.run(`INSERT INTO approvals VALUES ('w${k}', NULL)`)),
              );
            return db.priority(() =>
              tracked(name, async () => {
                await db.run(`UPDATE approvals SET params = '{"fast":${k}}' WHERE study = 's1'`);
                await db.all(`SELECT params FROM approvals WHERE study = 's1'`);
              }),
            );
          }),
        );
        return done;
      };
      // Read 0 holds the connection when the approval arrives; it goes before the other nine.
      expect(await finishOrder(['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'p'])).toEqual([
        'r0',
        'p10',
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => `r${k}`),
      ]);
      // It overtakes no write (nor the reads queued before one), and no other approval.
      expect(await finishOrder(['r', 'r', 'w', 'r', 'p', 'r', 'p'])).toEqual([
        'r0',
        'r1',
        'w2',
        'p4',
        'p6',
        'r3',
        'r5',
      ]);
      expect(most).toBe(1);
      const [row] = await db.all<{ params: string }>(`SELECT params FROM approvals WHERE study = 's1'`);
      expect(row!.params).toBe('{"fast":6}');
    } finally {
      db.close();
    }
  });
});
