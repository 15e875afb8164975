/**
 * Settings > Compute in the browser against a built `regimen serve`, with a local redis-server and one
 * built `regimen worker`: choose Redis, see the worker (host, cores) in the list, run a small study from
 * the Optimize view and see it complete on that worker. Screenshot: settings-compute.png (see
 * screenshots.e2e.test.ts for where it goes).
 */
import { mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerKey } from '../../src/main/compute/remote/names.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import {
  chromiumSkipReason,
  hasChromium,
  openApp,
  startRandomStudy,
  SCREENSHOTS,
  useSession,
} from './harness.ts';

const chromiumSkip = chromiumSkipReason('compute.e2e');
const redisSkip = redisMissing();

describe.skipIf(!hasChromium || redisSkip !== null)(
  `Settings > Compute in the browser${chromiumSkip}${redisSkip === null ? '' : ` [skipped: ${redisSkip}]`}`,
  () => {
    let redis: TestRedis;
    let worker: WorkerProcess;
    beforeAll(async () => {
      redis = await startRedis();
      worker = startWorker(redis.url, { built: true });
      await worker.ready;
    }, 120_000);
    afterAll(async () => {
      await worker?.stop();
      await redis?.stop();
    });
    const session = useSession('compute');

    it('chooses Redis, shows the worker, and a study from the Optimize view completes on it', async () => {
      const { page, problems } = await openApp(session());
      await page.getByTestId('tab-settings').click();
      const panel = page.getByTestId('compute-settings');
      await panel.waitFor({ state: 'visible' });
      await expect.poll(() => page.getByTestId('compute-current').getAttribute('data-value')).toBe('local');

      await page.getByTestId('compute-target').selectOption('redis');
      await page.getByTestId('compute-redis-url').fill(redis.url);
      await page.getByTestId('compute-test').click();
      await expect
        .poll(() => page.getByTestId('compute-test-result').getAttribute('data-ok'), { timeout: 30_000 })
        .toBe('true');
      await page.getByTestId('compute-choose').click();
      await expect
        .poll(() => page.getByTestId('compute-connection').getAttribute('data-value'), { timeout: 30_000 })
        .toBe('connected');
      const row = page.locator(`[data-testid="compute-worker"][data-pid="${worker.child.pid}"]`);
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await expect(row.getByTestId('compute-worker-host').innerText()).resolves.toContain(hostname());
      expect(Number(await row.getByTestId('compute-worker-cores').innerText())).toBeGreaterThan(0);

      // A worker built from other code (its heartbeat under another engine's hash) takes none of these
      // trials: the panel names it beside the workers that do, and forgets it once its heartbeat ends.
      const otherCode = () => page.getByTestId('compute-other-workers').allTextContents();
      const other = new Redis(redis.url);
      const key = workerKey('0123456789abcdef', 'old');
      const heartbeat = { id: 'old', host: 'old-box', pid: 1, concurrency: 2, cores: 2, startedAt: 0 };
      await other.set(key, JSON.stringify({ ...heartbeat, trialsDone: 0, trialsPerSecond: 0 }), 'PX', 60_000);
      await expect
        .poll(() => otherCode().then((t) => t.join('')), { timeout: 30_000 })
        .toContain('1 worker(s) there (old-box) run other code and take none of these trials');
      await other.del(key);
      other.disconnect();
      await expect.poll(otherCode, { timeout: 30_000 }).toEqual([]);

      await startRandomStudy(page, 12);
      await expect
        .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: 90_000 })
        .toBe('complete');
      // Computed there: the worker started a sandbox, and its heartbeat counts the trials.
      expect(worker.sandboxPids().length).toBeGreaterThan(0);

      await page.getByTestId('tab-settings').click();
      await expect
        .poll(() => row.getByTestId('compute-worker-trials').innerText().then(Number), { timeout: 30_000 })
        .toBeGreaterThanOrEqual(12);
      await panel.scrollIntoViewIfNeeded();
      await page.mouse.move(0, 0);
      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = join(SCREENSHOTS, 'settings-compute.png');
      await panel.screenshot({ path: file });
      expect(statSync(file).size).toBeGreaterThan(5_000);
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    }, 240_000);

    it('a pick made before the panel has the current target stays, and Use applies it', async () => {
      // The panel's first status is held back until after the pick, as on a busy machine.
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let first = true;
      const { page, problems } = await openApp(session(), (page) =>
        page.route(
          (url) => url.pathname === '/api/compute:status',
          async (route) => {
            if (first) {
              first = false;
              await held;
            }
            await route.continue();
          },
        ),
      );
      await page.getByTestId('tab-settings').click();
      await expect.poll(() => first, { timeout: 30_000 }).toBe(false);
      await page.getByTestId('compute-target').selectOption('redis');
      await page.getByTestId('compute-redis-url').fill(redis.url);
      release();
      await page.getByTestId('compute-status').waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.getByTestId('compute-target').inputValue()).toBe('redis');
      expect(await page.getByTestId('compute-redis-url').inputValue()).toBe(redis.url);
      await page.getByTestId('compute-choose').click();
      await expect
        .poll(() => page.getByTestId('compute-current').getAttribute('data-value'), { timeout: 30_000 })
        .toBe('redis');
      // Back to this machine for what follows.
      await page.getByTestId('compute-target').selectOption('local');
      await page.getByTestId('compute-choose').click();
      await expect
        .poll(() => page.getByTestId('compute-current').getAttribute('data-value'), { timeout: 30_000 })
        .toBe('local');
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    }, 120_000);
  },
);
