/**
 * A user strategy end to end (issue 15 item 9): `regimen serve` on a fresh data folder, the built renderer
 * in headless Debian Chromium. A strategy file written into the served folder appears in the Backtest
 * form's picker after "Reload strategies" (no restart) and backtests; a broken file written next is named
 * with its reason after the next reload, while the good one stays picked and runnable.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSkipReason, hasChromium, openApp, SCREENSHOTS, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('userStrategy.e2e');
const EXAMPLE = new URL('../../examples/strategies/rsi-reversion.ts', import.meta.url).pathname;
const POLL = { timeout: 30_000 };

/** Runs a backtest of the picked strategy and answers its number of trades. */
async function backtestTrades(page: Page): Promise<number> {
  const run = page.getByTestId('run-backtest');
  await expect.poll(() => run.isEnabled(), POLL).toBe(true);
  await run.click();
  await expect.poll(() => run.isEnabled(), { timeout: 60_000 }).toBe(true);
  await page.getByTestId('metrics-table').waitFor({ state: 'visible', timeout: 60_000 });
  return Number(await page.getByTestId('metric-numTrades').getAttribute('data-value'));
}

describe.skipIf(!hasChromium)(`a user strategy in the browser${skipReason}`, () => {
  const session = useSession('user-strategy');

  it('a file written into the data folder is picked after a reload, runs, and a broken one is named', async () => {
    const { page, problems } = await openApp(session());
    const { server } = session();
    const info = await fetch(`${server.origin}/api/app:info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const folder = join(((await info.json()) as { dataDir: string }).dataDir, 'strategies');
    const symbols = page.getByTestId('symbol-item');
    await expect.poll(() => symbols.count(), POLL).toBeGreaterThanOrEqual(1);
    await symbols.first().click();
    await page.getByTestId('timeframe-1h').click();

    const picker = page.getByTestId('strategy-select');
    const names = () => picker.locator('option').allTextContents();
    expect(await names()).not.toContain('rsi-reversion');
    mkdirSync(folder, { recursive: true });
    copyFileSync(EXAMPLE, join(folder, 'rsi-reversion.ts'));
    await page.getByTestId('reload-strategies').click();
    await expect
      .poll(async () => (await names()).some((n) => n.startsWith('rsi-reversion')), POLL)
      .toBe(true);
    await picker.selectOption('rsi-reversion');
    expect(await backtestTrades(page)).toBeGreaterThan(0);

    writeFileSync(join(folder, 'broken.ts'), 'export default {\n  name: "broken",\n  params: [\n');
    await page.getByTestId('reload-strategies').click();
    const listed = page.getByTestId('strategy-problems');
    await expect
      .poll(async () => ((await listed.isVisible()) ? listed.innerText() : ''), POLL)
      .toMatch(/strategies\/broken\.ts:4:1 does not compile/);
    // The first backtest proved the file runs; the reload keeps it listed and picked beside the broken one.
    expect(await picker.inputValue()).toBe('rsi-reversion');
    expect(await page.getByTestId('run-backtest').isEnabled()).toBe(true);
    // The README's picture of a user strategy: picked after a reload, a broken file named beside it.
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'user-strategy.png') });
    expect(problems).toEqual([]);
  });
});
