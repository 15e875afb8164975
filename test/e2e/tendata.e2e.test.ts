/**
 * Browser tests for the data half of issue 10: weekly and monthly timeframes offered where the data has
 * them (item 1). `regimen serve` on a fresh data dir, the built renderer in headless Debian Chromium.
 */
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../support/sharedData.ts';
import { chromiumSkipReason, hasChromium, openApp, useSession, type Session } from './harness.ts';

const skipReason = chromiumSkipReason('tendata.e2e');

async function importFile(session: Session, path: string): Promise<void> {
  const { server } = session;
  const imported = await fetch(`${server.origin}/api/data:import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ path }),
  });
  expect(imported.status).toBe(200);
}

describe.skipIf(!hasChromium)(`data and timeframes in the browser${skipReason}`, () => {
  const session = useSession('tendata');

  it('BTCUSD, stored as 1mo, charts in 1mo, and the Optimize form offers 1mo alone, with the reason', async (context) => {
    const btc = sharedDataFile('BTCUSD.csv');
    if (!btc.present) context.skip(`BTCUSD import${btc.skipReason}`);
    await importFile(session(), btc.path);
    const { page, problems } = await openApp(session());
    const price = page.getByTestId('price-panel');
    await expect.poll(() => price.getAttribute('data-bars-symbol'), { timeout: 30_000 }).not.toBe('');
    await page.locator('[data-testid="symbol-item"][data-symbol="BTCUSD"]').click();
    await expect.poll(() => price.getAttribute('data-bars-symbol'), { timeout: 15_000 }).toBe('BTCUSD');
    expect(await price.getAttribute('data-bars-timeframe')).toBe('1mo');
    expect(await page.getByTestId('timeframe-1w').isDisabled()).toBe(true);

    await page.getByTestId('tab-optimize').click();
    const symbol = page.getByTestId('opt-symbol');
    await expect.poll(() => symbol.locator('option[value="BTCUSD"]').count(), { timeout: 30_000 }).toBe(1);
    await symbol.selectOption('BTCUSD');
    await expect
      .poll(() => page.getByTestId('opt-tf-1mo').getAttribute('aria-pressed'), { timeout: 5_000 })
      .toBe('true');
    for (const timeframe of ['1m', '5m', '15m', '1h', '1d', '1w']) {
      const button = page.getByTestId(`opt-tf-${timeframe}`);
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute('title')).toContain('BTCUSD is stored as 1mo only');
    }
    expect(await page.getByTestId('opt-tf-note').innerText()).toContain('BTCUSD is stored as 1mo only');
    expect(problems).toEqual([]);
    await page.close();
  });
});
