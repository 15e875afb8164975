import { randomUUID } from 'node:crypto';
import { link, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Timeframe } from '../../core/data/bars.ts';
import { formatBarsCsv } from '../../core/data/csv/write.ts';
import { ConflictError, InputError } from '../../shared/errors.ts';
import { BarsRepository, type BarsRange } from '../store/barsRepository.ts';
import type { Database } from '../store/database.ts';

export type ExportFormat = 'csv' | 'parquet';

export interface ExportRequest {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly format: ExportFormat;
  readonly out: string;
  readonly range?: BarsRange;
  /** Replace a file already at `out` (never a symbolic link, which is refused either way). */
  readonly overwrite?: boolean;
}

export interface ExportResult {
  readonly path: string;
  readonly format: ExportFormat;
  readonly bars: number;
}

/**
 * Writes a cached range (stored or resampled) to a file: Parquet through DuckDB's COPY with a UTC
 * `timestamp` column, CSV with the header timestamp,open,high,low,close,volume and UTC ISO times. Both
 * read back with `importBarsFile` to the same bars.
 *
 * The bars go to a new file beside the target, which then takes the target's name in one rename: a kill
 * or a failure mid-export leaves the old file whole. A symbolic link at the target is refused (writing
 * through it would create or replace whatever it points to), and an existing file is replaced only when
 * asked; without `overwrite` the final step is a hard link, which fails rather than replace a file that
 * appeared meanwhile.
 */
export async function exportBars(db: Database, request: ExportRequest): Promise<ExportResult> {
  const path = resolve(request.out);
  const bars = await writeAtomically(path, request.overwrite === true, (temporary) =>
    writeBars(db, request, temporary),
  );
  return { path, format: request.format, bars };
}

/**
 * Writes a file the way exportBars does (see there): `write` fills a temporary file beside `path`,
 * which is synced and then takes the target's name (replacing it only with `overwrite`).
 */
export async function writeAtomically<T>(
  path: string,
  overwrite: boolean,
  write: (temporary: string) => Promise<T>,
): Promise<T> {
  await checkTarget(path, overwrite);
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.partial`);
  try {
    const result = await write(temporary);
    // The data must be on disk before the name points at it, or a crash could leave an empty file.
    const handle = await open(temporary, 'r+');
    await handle.sync().finally(() => handle.close());
    if (overwrite) await rename(temporary, path);
    else {
      await link(temporary, path).catch((error: unknown) => {
        throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? new ExportTargetExistsError(path) : error;
      });
    }
    return result;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function checkTarget(path: string, overwrite: boolean): Promise<void> {
  const existing = await lstat(path).catch(() => null);
  if (!existing) return;
  if (existing.isSymbolicLink()) {
    throw new InputError(
      `${path} is a symbolic link: export does not write through links, choose another name`,
      'path',
    );
  }
  if (!existing.isFile())
    throw new ConflictError(`${path} exists and is not a file: choose another name`, 'path');
  if (!overwrite) throw new ExportTargetExistsError(path);
}

/** The target exists and replacing it was not asked for (the CLI names its flag instead). */
export class ExportTargetExistsError extends ConflictError {
  constructor(readonly path: string) {
    super(`${path} already exists: choose another name or allow overwriting`, 'path');
  }
}

/** Writes the bars to a file that does not exist yet (created exclusively); returns how many. */
async function writeBars(db: Database, request: ExportRequest, file: string): Promise<number> {
  const repo = new BarsRepository(db);
  if (request.format === 'csv') {
    const bars = await repo.read(request.symbol, request.timeframe, request.range);
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(formatBarsCsv(bars)).finally(() => handle.close());
    return bars.t.length;
  }
  const { sql, params } = await repo.selectSql(request.symbol, request.timeframe, request.range);
  // Exclusive: the rows are staged in a temp table of the shared connection, which another export would replace.
  return db.exclusive(async () => {
    await db.run('DROP TABLE IF EXISTS export_rows');
    try {
      await db.run(`CREATE TEMP TABLE export_rows AS ${sql}`, params);
      await db.run(
        `COPY (SELECT make_timestamptz((t * 1000)::BIGINT) AS "timestamp", open, high, low, close, volume
               FROM export_rows ORDER BY t)
         TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`,
      );
      const [count] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM export_rows');
      return count?.n ?? 0;
    } finally {
      await db.run('DROP TABLE IF EXISTS export_rows');
    }
  });
}
