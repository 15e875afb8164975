import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Timeframe } from '../../core/data/bars.ts';
import { formatBarsCsv } from '../../core/data/csv.ts';
import { BarsRepository, type BarsRange } from '../store/barsRepository.ts';
import type { Database } from '../store/database.ts';

export type ExportFormat = 'csv' | 'parquet';

export interface ExportRequest {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly format: ExportFormat;
  readonly out: string;
  readonly range?: BarsRange;
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
 */
export async function exportBars(db: Database, request: ExportRequest): Promise<ExportResult> {
  const path = resolve(request.out);
  await mkdir(dirname(path), { recursive: true });
  const repo = new BarsRepository(db);
  if (request.format === 'csv') {
    const bars = await repo.read(request.symbol, request.timeframe, request.range);
    await writeFile(path, formatBarsCsv(bars));
    return { path, format: 'csv', bars: bars.t.length };
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
         TO '${path.replace(/'/g, "''")}' (FORMAT parquet)`,
      );
      const [count] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM export_rows');
      return { path, format: 'parquet' as const, bars: count?.n ?? 0 };
    } finally {
      await db.run('DROP TABLE IF EXISTS export_rows');
    }
  });
}
