import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { MIGRATIONS } from './migrations.ts';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

/** The settings callers change for a while (see withSettings). */
export type DuckDBSetting = 'memory_limit' | 'threads';

const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * Where a caller's work waits for the connection. `read`: it only reads (a SELECT, a bars read), so
 * `priority` work may be moved ahead of it while it waits. `write`: anything else (writes, transactions,
 * temp tables, settings), which nothing overtakes. `priority`: short work a person is waiting on (an
 * approval), run ahead of the reads waiting before it, never ahead of a write nor another priority.
 */
export type QueueLane = 'read' | 'write' | 'priority';

/** A statement that can only read: what `all` queues in the read lane. */
const READ_ONLY = /^\s*(SELECT|WITH)\b/i;

interface Waiting {
  readonly lane: QueueLane;
  readonly start: () => Promise<unknown>;
}

/** DuckDB's refusal of a ROLLBACK when the transaction has already ended. */
const NO_TRANSACTION = /no transaction is active/i;

/**
 * The one DuckDB database of a data directory. DuckDB allows a single writing process per file, so
 * the app, `regimen serve` and the CLI each open it for the duration of their work and close it after.
 */
export class Database {
  /** Set inside `exclusive` work, so that work's own statements run at once instead of queueing. */
  private readonly holder = new AsyncLocalStorage<true>();
  /** Work waiting for the connection, in the order it will run; one runs at a time (`running`). */
  private readonly waiting: Waiting[] = [];
  private running = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<Database> {
    // The cache and the studies are the user's alone: a folder we create is private (0700), and so is
    // the database file (0600), whatever the umask.
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const instance = await privateFiles(() => DuckDBInstance.create(path));
    if (path !== ':memory:') chmodSync(path, 0o600);
    const connection = await instance.connect();
    const db = new Database(instance, connection, path);
    await db.migrate();
    return db;
  }

  /**
   * Runs `work` with the connection to itself; calls from inside it run at once. Every caller shares the
   * one connection, and DuckDB transactions and temp tables belong to the connection: without this, a
   * statement issued while another caller's transaction is open (a trial saved during a fetch page)
   * would join that transaction and be rolled back with it, and two imports would share a temp table.
   * Code that uses `connection` directly (appenders, chunked reads) runs inside `exclusive`.
   *
   * Work runs one at a time, first come first served, except that `priority` work goes ahead of the
   * `read` work waiting since the last `write` or `priority` (see QueueLane): a read it overtook sees
   * its change, as if the read had been asked a moment later; no write ever changes order.
   */
  exclusive<T>(work: () => Promise<T>, lane: QueueLane = 'write'): Promise<T> {
    if (this.holder.getStore()) return work();
    return new Promise<T>((resolve, reject) => {
      // The connection is handed on before the caller resumes, so what it queues next waits its turn.
      const start = () =>
        this.holder
          .run(true, () => privateFiles(work))
          .then(
            (value) => {
              this.release();
              resolve(value);
            },
            (error: unknown) => {
              this.release();
              reject(error);
            },
          );
      let at = this.waiting.length;
      if (lane === 'priority') while (at > 0 && this.waiting[at - 1]!.lane === 'read') at--;
      this.waiting.splice(at, 0, { lane, start });
      this.next();
    });
  }

  /** `exclusive` in the priority lane: a few statements a person is waiting on (an approval). */
  priority<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(work, 'priority');
  }

  /** Starts the first waiting work, on a later tick as before, once the connection is free. */
  private next(): void {
    if (this.running) return;
    const first = this.waiting.shift();
    if (first === undefined) return;
    this.running = true;
    void Promise.resolve().then(first.start);
  }

  private release(): void {
    this.running = false;
    this.next();
  }

  async run(sql: string, params?: SqlParams): Promise<void> {
    await this.exclusive(() => this.connection.run(sql, params));
  }

  /** Rows as plain JS objects (numbers, strings, bigints converted to numbers where safe). */
  all<T extends object>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.exclusive(
      async () => (await this.connection.runAndReadAll(sql, params)).getRowObjectsJS() as T[],
      READ_ONLY.test(sql) ? 'read' : 'write',
    );
  }

  /**
   * Runs `work` inside one transaction, exclusively: either all of it is stored or none, so an
   * interrupted import or fetch page never leaves half a page behind.
   */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.run('BEGIN TRANSACTION');
      try {
        const result = await work();
        await this.run('COMMIT');
        return result;
      } catch (error) {
        // DuckDB ends a transaction itself when a statement in it runs out of memory: the ROLLBACK then
        // fails with "no transaction is active", and that error hid the one to tell (an import's
        // out-of-memory, which underLoadSettings retries at the default limit, came back as an internal
        // "cannot rollback").
        await this.run('ROLLBACK').catch((rollbackError: unknown) => {
          if (!NO_TRANSACTION.test(rollbackError instanceof Error ? rollbackError.message : ''))
            throw rollbackError;
        });
        throw error;
      }
    });
  }

  /**
   * Runs `work` exclusively with DuckDB settings changed (e.g. a lower memory_limit for a bulk load), then
   * resets them to DuckDB's defaults, which is what they were: nothing else sets them (a value read back
   * before, '18.8 GiB', is rounded; the default is what RESET names). The settings are the instance's,
   * not the connection's: exclusive, so no other caller's statement runs under them.
   */
  withSettings<T>(
    settings: Readonly<Partial<Record<DuckDBSetting, string>>>,
    work: () => Promise<T>,
  ): Promise<T> {
    return this.exclusive(async () => {
      const names = Object.keys(settings) as DuckDBSetting[];
      try {
        for (const name of names) await this.run(`SET ${name} = ${quoteLiteral(settings[name]!)}`);
        return await work();
      } finally {
        for (const name of names) {
          await this.run(`RESET ${name}`);
          // RESET alone can leave the buffer manager at the lowered limit (measured: after an import
          // under 48 MiB, current_setting said 18.8 GiB while every later large write ran out of memory
          // at 48 MiB until restart); setting the default it reads back applies it.
          await this.run(`SET ${name} = ${quoteLiteral(await this.setting(name))}`);
        }
      }
    });
  }

  /** A DuckDB setting's current value, as DuckDB prints it ('18.8 GiB', '2'). */
  async setting(name: DuckDBSetting): Promise<string> {
    const [row] = await this.all<{ value: unknown }>('SELECT current_setting($name) AS value', { name });
    return String(row!.value);
  }

  close(): void {
    const restore = privateUmask();
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      restore();
    }
  }

  private async migrate(): Promise<void> {
    await this.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)',
    );
    const done = new Set(
      (await this.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    const pending = MIGRATIONS.filter((migration) => !done.has(migration.version));
    for (const migration of pending) {
      await this.transaction(async () => {
        for (const statement of migration.statements) await this.run(statement);
        await this.run('INSERT INTO schema_migrations VALUES ($1, now())', [migration.version]);
      });
    }
    // DuckDB cannot replay an ALTER TABLE ... ADD COLUMN on a table whose column default calls a
    // function (learner_ledger's seq is nextval(...)) from the write-ahead log: a process killed before
    // its next checkpoint left a folder that would not open again ("Failure while replaying WAL file ...
    // GetDefaultDatabase with no default database set"). Checkpointing once the schema changed keeps
    // schema changes out of the log.
    if (pending.length > 0) await this.run('CHECKPOINT');
  }
}

/** How many database calls are under way with the private umask set (see privateFiles). */
let privateDepth = 0;
let savedUmask = 0;

/**
 * Sets the umask to 0077 until the returned function is called (nested calls share one setting). Worker
 * threads cannot change the umask (it is the process's); a database opened there relies on its folder.
 */
function privateUmask(): () => void {
  if (!isMainThread) return () => undefined;
  if (privateDepth++ === 0) savedUmask = process.umask(0o077);
  return () => {
    if (--privateDepth === 0) process.umask(savedUmask);
  };
}

/**
 * Runs database work under a 0077 umask. DuckDB creates `<file>.wal` on the first write after each
 * checkpoint (it deletes it at every checkpoint) with the process umask, so a chmod after open would
 * not last: the log of every change would be readable by other users until the next checkpoint. Every
 * statement runs inside `exclusive`, so this covers each moment DuckDB may create the file. Files the
 * process creates meanwhile elsewhere are private too, which is what exports already ask for.
 */
async function privateFiles<T>(work: () => Promise<T>): Promise<T> {
  const restore = privateUmask();
  try {
    return await work();
  } finally {
    restore();
  }
}
