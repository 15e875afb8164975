/**
 * An import into a running app whose store has grown (the demo market written three times: its deleted
 * rows' index entries wait for a checkpoint) runs out of memory under the import's 48 MiB limit. Measured
 * through the services: the import failed with "Failed to commit: failed to pin block", which the retry
 * at the default limit did not recognise, and the limit stayed at 48 MiB for every later write (the demo
 * market ran out of memory too) until the app was restarted. Now the import retries and succeeds, and a
 * later large write has the default limit back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { underLoadSettings } from '../../src/main/marketdata/importer.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import { Database } from '../../src/main/store/database.ts';
import { createServices } from '../../src/main/services/services.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-import-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('an import into a grown store is stored, and a large write after it has the default memory limit', async () => {
  const services = await createServices({ dataDir: join(dir, 'data'), host: 'http' });
  try {
    for (let round = 0; round < 3; round++) await dispatch(services.handlers, 'data:demo', {});
    const rows = Array.from(
      { length: 300 },
      (_, i) =>
        `${new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},10,11,9,10.5,100`,
    );
    const file = join(dir, 'DAILY.csv');
    writeFileSync(file, `date,open,high,low,close,volume\n${rows.join('\n')}\n`);
    await expect(dispatch(services.handlers, 'data:import', { path: file })).resolves.toMatchObject({
      symbol: 'DAILY',
      bars: 300,
    });
    await expect(dispatch(services.handlers, 'data:demo', {})).resolves.toMatchObject({ bars: 1_169_280 });
    const listed = (await dispatch(services.handlers, 'data:list', {})) as { symbol: string; bars: number }[];
    expect(listed.find((d) => d.symbol === 'DAILY')?.bars).toBe(300);
  } finally {
    await services.close();
  }
}, 180_000);

it("retries at the default limit when the import's COMMIT ran out of memory, as for any statement", async () => {
  const db = await Database.open(join(dir, 'retry.duckdb'));
  try {
    const limits: string[] = [];
    const outcome = await underLoadSettings(db, async () => {
      limits.push(await db.setting('memory_limit'));
      if (limits.length === 1)
        throw new Error(
          'TransactionContext Error: Failed to commit: failed to pin block of size 256.0 KiB (47.7 MiB/48.0 MiB used)',
        );
      return 'stored';
    });
    expect(outcome).toBe('stored');
    expect(limits[0]).toBe('48.0 MiB');
    expect(limits[1]).not.toBe('48.0 MiB');
    // Anything else is not retried.
    await expect(
      underLoadSettings(db, () => Promise.reject(new Error('Constraint Error: duplicate key'))),
    ).rejects.toThrow('duplicate key');
  } finally {
    db.close();
  }
});
