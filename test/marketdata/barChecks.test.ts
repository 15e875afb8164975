/**
 * Every edge where bars enter Regimen gives the same verdict on the same rows: the CSV reader, the Parquet
 * import (checked in SQL), an Alpaca REST page, a stream bar and the quality report all apply
 * core/data/validate.ts, so a malformed row is refused (or reported) with the same problem code.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Bars } from '../../src/core/data/bars.ts';
import { formatBarsCsv } from '../../src/core/data/csv/write.ts';
import { assessQuality } from '../../src/core/data/quality.ts';
import {
  BAR_PROBLEMS,
  DataValidationError,
  validateBars,
  type BarProblemCode,
} from '../../src/core/data/validate.ts';
import { parseBarsPage } from '../../src/main/marketdata/alpacaClient.ts';
import { importBarsFile } from '../../src/main/marketdata/importer.ts';
import { readStreamBar } from '../../src/main/marketdata/liveStream.ts';
import { throwawayDatabase } from '../support/throwawayDatabase.ts';

const store = throwawayDatabase();

const ROWS = 5;
const T0 = Date.UTC(2024, 2, 4, 14, 30);
const iso = (t: number): string => new Date(t).toISOString();

/** Five good minute bars, then one change: a value of one field, or the time of one row. */
const malformed = fc.oneof(
  fc.record({
    kind: fc.constant('value' as const),
    row: fc.integer({ min: 0, max: ROWS - 1 }),
    field: fc.constantFrom('o', 'h', 'l', 'c', 'v'),
    value: fc.oneof(
      fc.constantFrom(0, -1, 99, 101),
      fc.integer({ min: -20_000, max: 20_000 }).map((x) => x / 100),
    ),
  }),
  fc.record({
    kind: fc.constant('time' as const),
    row: fc.integer({ min: 1, max: ROWS - 1 }),
    change: fc.constantFrom('repeat', 'earlier'),
  }),
);

function barsWith(change: typeof malformed extends fc.Arbitrary<infer T> ? T : never): Bars {
  const rows = Array.from({ length: ROWS }, (_, i) => i);
  const bars: Bars = {
    t: Float64Array.from(rows, (i) => T0 + i * 60_000),
    o: Float64Array.from(rows, (i) => 100 + i / 4),
    h: Float64Array.from(rows, (i) => 101 + i / 4),
    l: Float64Array.from(rows, (i) => 99 + i / 4),
    c: Float64Array.from(rows, (i) => 100.5 + i / 4),
    v: Float64Array.from(rows, (i) => 1000 + i),
  };
  if (change.kind === 'value') bars[change.field][change.row] = change.value;
  else bars.t[change.row] = bars.t[change.row - 1]! - (change.change === 'repeat' ? 0 : 30_000);
  return bars;
}

/** The problem code an edge refused with; null when it accepted the bars. */
async function verdict(work: () => unknown): Promise<BarProblemCode | null> {
  try {
    await work();
    return null;
  } catch (error) {
    if (error instanceof DataValidationError && error.problem !== null) return error.problem;
    throw error;
  }
}

let file = 0;
async function parquetVerdict(bars: Bars): Promise<BarProblemCode | null> {
  const path = join(store.dir, `CHK${file++}.parquet`);
  const values = Array.from(
    bars.t,
    (t, i) =>
      `(${t}::BIGINT, '${bars.o[i]}'::DOUBLE, '${bars.h[i]}'::DOUBLE, '${bars.l[i]}'::DOUBLE, '${bars.c[i]}'::DOUBLE, '${bars.v[i]}'::DOUBLE)`,
  );
  await store.db.run(
    `COPY (SELECT * FROM (VALUES ${values.join(', ')}) v("timestamp", open, high, low, close, volume))
     TO '${path}' (FORMAT parquet)`,
  );
  return verdict(() => importBarsFile(store.db, path, { symbol: 'CHK', timeframe: '1m' }));
}

function wireBars(bars: Bars): Record<string, unknown>[] {
  return Array.from(bars.t, (t, i) => ({
    t: iso(t),
    o: bars.o[i],
    h: bars.h[i],
    l: bars.l[i],
    c: bars.c[i],
    v: bars.v[i],
  }));
}

it('gives the same verdict on the same rows at every edge', async () => {
  await fc.assert(
    fc.asyncProperty(malformed, async (change) => {
      const bars = barsWith(change);
      const expected = await verdict(() => validateBars(bars, 'reference', String));

      const csv = await verdict(() => {
        const text = formatBarsCsv(bars);
        writeFileSync(join(store.dir, 'CHK.csv'), text);
        return importBarsFile(store.db, join(store.dir, 'CHK.csv'), { symbol: 'CHK', timeframe: '1m' });
      });
      expect(csv, 'CSV').toBe(expected);
      expect(await parquetVerdict(bars), 'Parquet').toBe(expected);
      const page = { bars: { CHK: wireBars(bars) }, next_page_token: null };
      expect(await verdict(() => parseBarsPage(page)), 'Alpaca page').toBe(expected);

      // The stream checks each bar alone (it drops repeats after a reconnect by design), so it agrees on
      // every verdict about a bar's own values.
      const streamed = wireBars(bars).map(
        (bar) => ({ ...bar, S: 'CHK' }) as Parameters<typeof readStreamBar>[0],
      );
      let stream: BarProblemCode | null = null;
      for (const bar of streamed) {
        stream = await verdict(() => readStreamBar(bar));
        if (stream !== null) break;
      }
      if (change.kind === 'value') expect(stream, 'stream').toBe(expected);
      else expect(stream, 'stream').toBeNull();

      // The quality report lists the row under the code's category (and the code, for a bar's own values).
      const report = assessQuality(bars, { symbol: 'CHK', timeframe: '1m' });
      const rowProblems = report.problems.filter(
        (p) => p.code !== undefined || p.kind === 'duplicate' || p.kind === 'unsorted',
      );
      if (expected === null) expect(rowProblems, 'quality').toEqual([]);
      else {
        expect(
          rowProblems.map((p) => [p.kind, p.row]),
          'quality',
        ).toEqual([[BAR_PROBLEMS[expected].category, change.row]]);
        if (change.kind === 'value') expect(rowProblems[0]!.code, 'quality').toBe(expected);
      }
    }),
    { numRuns: 60 },
  );
});

it('refuses a bad Alpaca bar naming the symbol, the time and the field', () => {
  const page = {
    bars: {
      SPY: [
        { t: '2024-03-04T14:30:00Z', o: 100, h: 101, l: 99, c: 100.5, v: 10 },
        { t: '2024-03-04T14:31:00Z', o: 100, h: 101, l: 0, c: 100.5, v: 10 },
      ],
    },
    next_page_token: null,
  };
  expect(() => parseBarsPage(page)).toThrow(
    'Alpaca SPY bar 2024-03-04T14:31:00Z, column "low": low 0 is not a positive price',
  );
});
