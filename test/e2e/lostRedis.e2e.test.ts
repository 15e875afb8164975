/**
 * A study started from the Optimize view on a Redis chosen in Settings > Compute (with a password),
 * against a built `regimen serve`: Redis is killed mid-study and started again, and the study's header
 * says that it waits on the lost Redis (why, since when), then that it is back, in the CLI's words,
 * without the password on the page or in the event socket's frames. No worker listens, so the study's
 * trials wait in the queue and it is mid-study throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';
import { chromiumSkipReason, hasChromium, openApp, startRandomStudy, useSession } from './harness.ts';

const PASSWORD = 'Lost-in-the-view-9051';
const chromiumSkip = chromiumSkipReason('lostRedis.e2e');
const redisSkip = redisMissing();

describe.skipIf(!hasChromium || redisSkip !== null)(
  `Redis lost mid-study in the Optimize view${chromiumSkip}${redisSkip === null ? '' : ` [skipped: ${redisSkip}]`}`,
  () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis(['--requirepass', PASSWORD]);
    }, 30_000);
    afterAll(async () => {
      await redis?.stop();
    });
    const session = useSession('lost-redis');

    it('shows the wait on the lost Redis in the study header, then that it is back', async () => {
      const { page, problems, eventFrames } = await openApp(session());
      await page.getByTestId('tab-settings').click();
      await page.getByTestId('compute-settings').waitFor({ state: 'visible' });
      await page.getByTestId('compute-target').selectOption('redis');
      await page.getByTestId('compute-redis-url').fill(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`);
      await page.getByTestId('compute-choose').click();
      await expect
        .poll(() => page.getByTestId('compute-connection').getAttribute('data-value'), { timeout: 30_000 })
        .toBe('connected');

      await startRandomStudy(page, 12);
      const header = page.getByTestId('opt-header');
      await expect.poll(() => header.getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
      const notice = page.getByTestId('opt-connection');
      expect(await notice.count()).toBe(0);

      // Down for 8 s: long enough to see the notice, then an empty Redis on the same port.
      const restarted = redis.restartEmpty(8_000);
      await expect
        .poll(() => notice.getAttribute('data-state').catch(() => null), { timeout: 15_000 })
        .toBe('lost');
      const lostText = await notice.innerText();
      expect(lostText).toMatch(
        new RegExp(
          `^lost Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}/? \\(.*ECONN.*\\): waiting for it to come back; finished trials are kept · since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d`,
        ),
      );
      expect(await header.getAttribute('data-state')).toBe('running');

      await restarted;
      await expect
        .poll(() => notice.getAttribute('data-state').catch(() => null), { timeout: 30_000 })
        .toBe('back');
      expect(await notice.innerText()).toMatch(
        new RegExp(`^Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}/? is back: the study goes on`),
      );

      // Cancelled, the study no longer waits on anything: the notice goes with the running state.
      await page.getByTestId('opt-cancel').click();
      await expect.poll(() => header.getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
      expect(await notice.count()).toBe(0);

      expect(await page.content()).not.toContain(PASSWORD);
      expect(eventFrames.join('\n')).not.toContain(PASSWORD);
      expect(eventFrames.join('\n')).toContain('"state":"lost"');
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    }, 180_000);
  },
);
