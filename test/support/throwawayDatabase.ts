import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { databasePath } from '../../src/main/paths.ts';
import { Database } from '../../src/main/store/database.ts';

export interface ThrowawayDatabase {
  /** The temporary data folder the database file sits in (tests write their input files there too). */
  readonly dir: string;
  /** The open database, from the file's first test on. */
  readonly db: Database;
}

/**
 * A DuckDB file of its own for one test file, in a temporary folder: opened before the file's tests (so
 * the file's own beforeAll may use it), closed and removed after them. Call at the top of the file.
 */
export function throwawayDatabase(prefix = 'regimen-md-'): ThrowawayDatabase {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let db: Database | undefined;
  beforeAll(async () => {
    db = await Database.open(databasePath(dir));
  });
  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    get db() {
      if (db === undefined)
        throw new Error('the throwaway database opens in beforeAll: use it inside a test');
      return db;
    },
  };
}
