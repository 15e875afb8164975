/**
 * Long work must not hold up other requests (issue 9 item 9): while `data:quality` assesses a span or
 * `data:import` parses a CSV file, a trivial request through the same dispatch is answered first.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputePool } from '../../src/main/compute/pool.ts';
import type { CsvFilePart, CsvFilePartOutput } from '../../src/main/compute/csvPart.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import { createServices, type Services } from '../../src/main/services/services.ts';
import { MemorySecretStore } from '../../src/main/secrets/secretStore.ts';
import { tempDir } from '../marketdata/helpers.ts';

let services: Services;
let dir: { path: string; remove(): void };

beforeAll(async () => {
  dir = tempDir('regimen-main-thread-work-');
  // The demo market gives a stored 1m span to assess without any network.
  services = await createServices({
    dataDir: dir.path,
    host: 'http',
    threads: 1,
    secrets: new MemorySecretStore(),
    env: {},
  });
}, 120_000);

afterAll(async () => {
  await services?.close();
  dir?.remove();
});

/**
 * Sends `channel` and, the moment it hands a task of `kind` to the pool (when a request arriving must not
 * wait for it), app:info; answers the order in which the two were answered.
 */
async function answerOrder(kind: string, channel: string, request: object): Promise<string[]> {
  const order: string[] = [];
  let info: Promise<unknown> | undefined;
  const pool: ComputePool = services.pool;
  const run = pool.run.bind(pool);
  pool.run = ((task, signal) => {
    const result = run(task, signal);
    if (task.kind === kind)
      info = dispatch(services.handlers, 'app:info', {}).then(() => order.push('app:info'));
    return result;
  }) as ComputePool['run'];
  try {
    await dispatch(services.handlers, channel, request).then(() => order.push(channel));
    await info;
    return order;
  } finally {
    pool.run = run;
  }
}

describe('data:quality', () => {
  it('lets app:info be answered while the assessment runs', async () => {
    const [dataset] = await services.marketData.list();
    expect(dataset).toBeDefined();
    const order = await answerOrder('quality', 'data:quality', {
      symbol: dataset!.symbol,
      timeframe: dataset!.timeframe,
    });
    expect(order).toEqual(['app:info', 'data:quality']);
  }, 60_000);
});

describe('data:import of a CSV file', () => {
  it('parses every part on the pool, answers app:info meanwhile, and leaves no staging file', async () => {
    // About 3 MB: three parts of the 1 MB the importer reads at a time.
    const lines = ['timestamp,open,high,low,close,volume'];
    const t0 = Date.UTC(2020, 0, 2, 14, 30);
    for (let i = 0; i < 60_000; i++) {
      const p = (100 + Math.sin(i / 300) * 10).toFixed(2);
      lines.push(`${new Date(t0 + i * 60_000).toISOString()},${p},${p},${p},${p},${1000 + (i % 7)}`);
    }
    const file = join(dir.path, 'PARTS_1min.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const order: string[] = [];
    const infos: Promise<unknown>[] = [];
    let parts = 0;
    const sent: CsvFilePart[] = [];
    const returned: Promise<unknown>[] = [];
    const pool: ComputePool = services.pool;
    const run = pool.run.bind(pool);
    pool.run = ((task, signal) => {
      const result = run(task, signal);
      if (task.kind === 'csv-part') {
        parts++;
        // The two reads of the file's start that tell the zone of naive times are not parts stored.
        if (!task.input.withTimes) {
          sent.push(task.input);
          returned.push(result);
        }
        infos.push(dispatch(services.handlers, 'app:info', {}).then(() => order.push(`app:info ${parts}`)));
      }
      return result;
    }) as ComputePool['run'];
    try {
      const result = (await dispatch(services.handlers, 'data:import', { path: file }).then((r) => {
        order.push('data:import');
        return r;
      })) as { bars: number; symbol: string };
      await Promise.all(infos);
      expect(result).toMatchObject({ bars: 60_000, symbol: 'PARTS' });
      expect(parts).toBeGreaterThanOrEqual(3);
      // Each request was answered before the import ended, not queued behind it.
      expect(order.at(-1)).toBe('data:import');
      expect(order).toHaveLength(parts + 1);
      const stored = await services.marketData.read('PARTS', '1m');
      expect(stored.t.length).toBe(60_000);
      expect(stored.t[59_999]).toBe(t0 + 59_999 * 60_000);
      expect(readdirSync(dir.path).filter((name) => name.startsWith('.import-'))).toEqual([]);
      // No bytes either way: the worker reads each part from the file, one after the other to its end,
      // and appends the staged rows to the staging file itself (a row per bar).
      const parsed = (await Promise.all(returned)) as CsvFilePartOutput[];
      let offset = 0;
      let rows = 0;
      for (const [k, part] of parsed.entries()) {
        expect(sent[k]).toMatchObject({ path: file, offset, staging: expect.stringContaining('.import-') });
        expect(part.ok && !('staged' in (part.part ?? {}))).toBe(true);
        if (!part.ok) continue;
        offset += part.taken;
        rows += part.part?.rows ?? 0;
      }
      expect(offset).toBe(statSync(file).size);
      expect(rows).toBe(60_000);
    } finally {
      pool.run = run;
    }
  }, 60_000);
});

describe('regimes:get', () => {
  it('labels on the pool and answers app:info while the detector runs', async () => {
    const [dataset] = await services.marketData.list();
    const order = await answerOrder('regime-labels', 'regimes:get', {
      symbol: dataset!.symbol,
      timeframe: dataset!.timeframe,
      detector: 'hmm',
    });
    expect(order).toEqual(['app:info', 'regimes:get']);
  }, 60_000);
});
