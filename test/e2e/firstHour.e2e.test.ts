/**
 * Browser tests for what a trader ran into in the first hour (issue 10): `regimen serve` on a fresh data
 * dir (the demo market), the built renderer in headless Debian Chromium. Each test opens its own page.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('firstHour.e2e');

/** The page's bars requests fail as a timeframe that cannot be derived does, until `restore` is called. */
async function failBars(page: Page): Promise<{ restore(): Promise<void> }> {
  const pattern = '**/api/bars:get';
  await page.route(pattern, (route) =>
    route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ error: { message: 'DEMO 1d bars cannot be derived from 1m', status: 500 } }),
    }),
  );
  return { restore: () => page.unroute(pattern) };
}

describe.skipIf(!hasChromium)(`the first hour in the browser${skipReason}`, () => {
  const session = useSession('first-hour');

  it('error banners: one per cause, gone once it works again, and the Run button never moves', async () => {
    const { page } = await openApp(session());
    const run = page.getByTestId('run-backtest');
    await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
    const before = await run.boundingBox();

    const bars = await failBars(page);
    for (const timeframe of ['5m', '1h', '15m', '1d', '5m'])
      await page.getByTestId(`timeframe-${timeframe}`).click();
    await expect.poll(() => page.getByTestId('error-repeats').innerText()).toBe('×5');
    expect(await page.getByTestId('error-notice').count()).toBe(1);
    const after = await run.boundingBox();
    expect(after).toEqual(before);
    expect((after?.y ?? Infinity) + (after?.height ?? 0)).toBeLessThanOrEqual(
      page.viewportSize()?.height ?? 0,
    );
    await expect(run.isVisible()).resolves.toBe(true);

    await bars.restore();
    await page.getByTestId('timeframe-1h').click();
    await expect.poll(() => page.getByTestId('error-notice').count(), { timeout: 15_000 }).toBe(0);
    await page.close();
  });
});
