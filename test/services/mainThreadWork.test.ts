/**
 * Long work must not hold up other requests (issue 9 item 9): while `data:quality` assesses a span,
 * a trivial request through the same dispatch is answered first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputePool } from '../../src/main/compute/pool.ts';
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

describe('data:quality', () => {
  it('lets app:info be answered while the assessment runs', async () => {
    const [dataset] = await services.marketData.list();
    expect(dataset).toBeDefined();
    const order: string[] = [];
    let info: Promise<unknown> | undefined;
    // The moment the assessment is handed off is when a request arriving must not wait for it.
    const pool: ComputePool = services.pool;
    const run = pool.run.bind(pool);
    pool.run = ((task, signal) => {
      const result = run(task, signal);
      if (task.kind === 'quality')
        info = dispatch(services.handlers, 'app:info', {}).then(() => order.push('app:info'));
      return result;
    }) as ComputePool['run'];
    await dispatch(services.handlers, 'data:quality', {
      symbol: dataset!.symbol,
      timeframe: dataset!.timeframe,
    }).then(() => order.push('data:quality'));
    await info;
    expect(order).toEqual(['app:info', 'data:quality']);
  }, 60_000);
});
