/**
 * End to end (issue 10 item 3): the Data view's import form takes a calendar and a time zone (auto by
 * default), the import's answer says which zone it used and why, and the coverage table shows each
 * symbol's calendar. EURUSD.csv (naive hourly stamps, FX) is imported from ../shared/data.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../support/sharedData.ts';
import { chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const eurusd = sharedDataFile('EURUSD.csv');
const skipReason = chromiumSkipReason('importCalendar.e2e');

const calendarOf = (page: Page, symbol: string) =>
  page
    .locator(`[data-testid="coverage-row"][data-symbol="${symbol}"] [data-testid="coverage-calendar"]`)
    .first()
    .innerText();

describe.skipIf(!hasChromium)(`Calendar and time zone in the import form${skipReason}`, () => {
  const session = useSession('import-calendar');

  it.skipIf(!eurusd.present)(
    `infers EURUSD's calendar and zone, or takes the chosen ones${eurusd.skipReason}`,
    async () => {
      const { page } = await openApp(session());
      await page.getByTestId('tab-data').click();
      await page.getByTestId('data-view').waitFor({ state: 'visible' });
      await expect
        .poll(() => page.getByTestId('coverage-row').count(), { timeout: 30_000 })
        .toBeGreaterThanOrEqual(1);
      // The demo market trades NYSE hours.
      const demo = (await page.getByTestId('coverage-row').first().getAttribute('data-symbol')) ?? '';
      expect(await calendarOf(page, demo)).toBe('equities (NYSE)');

      expect(await page.getByTestId('import-calendar').inputValue()).toBe('auto');
      expect(await page.getByTestId('import-time-zone').inputValue()).toBe('auto');
      await page.getByTestId('import-path').fill(eurusd.path);
      await page.getByTestId('import-button').click();
      const result = page.getByTestId('import-result');
      await expect
        .poll(() => result.innerText(), { timeout: 30_000 })
        .toMatch(
          /calendar fx \(inferred from the timestamps\): the FX week, Sunday 17:00 to Friday 17:00 New York; times without an offset read as UTC, inferred: the weekly gap opens Friday 17:00/,
        );
      await expect.poll(() => calendarOf(page, 'EURUSD')).toBe('FX (24/5)');

      // Chosen: stored as crypto, the naive times read as New York time, and the answer says it was chosen.
      await page.getByTestId('import-symbol').fill('EURX');
      await page.getByTestId('import-calendar').selectOption('crypto');
      await page.getByTestId('import-time-zone').selectOption('America/New_York');
      await page.getByTestId('import-button').click();
      await expect
        .poll(() => result.innerText(), { timeout: 30_000 })
        .toMatch(
          /stored as EURX 1h; calendar crypto: around the clock, every day, days from 00:00 UTC; times without an offset read as America\/New_York \(chosen\)/,
        );
      await expect.poll(() => calendarOf(page, 'EURX')).toBe('crypto (24/7)');
    },
  );
});
