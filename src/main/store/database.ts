import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

/**
 * The one DuckDB database of a data directory. DuckDB allows a single writing process per file, so
 * the app, `regimen serve` and the CLI each open it for the duration of their work and close it after.
 */
export class Database {
  /** Set inside `exclusive` work, so that work's own statements run at once instead of queueing. */
  private readonly holder = new AsyncLocalStorage<true>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<Database> {
    // The cache and the studies are the user's alone: a folder we create is private (0700), and so is
    // the database file (0600), whatever the umask.
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const instance = await DuckDBInstance.create(path);
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
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.holder.getStore()) return work();
    const next = this.queue.then(() => this.holder.run(true, work));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async run(sql: string, params?: SqlParams): Promise<void> {
    await this.exclusive(() => this.connection.run(sql, params));
  }

  /** Rows as plain JS objects (numbers, strings, bigints converted to numbers where safe). */
  all<T extends object>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.exclusive(
      async () => (await this.connection.runAndReadAll(sql, params)).getRowObjectsJS() as T[],
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
        await this.run('ROLLBACK');
        throw error;
      }
    });
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async migrate(): Promise<void> {
    await this.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)',
    );
    const done = new Set(
      (await this.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await this.transaction(async () => {
        for (const statement of migration.statements) await this.run(statement);
        await this.run('INSERT INTO schema_migrations VALUES ($1, now())', [migration.version]);
      });
    }
  }
}
