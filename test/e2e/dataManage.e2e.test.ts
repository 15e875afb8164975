/**
 * End to end for renaming and deleting a dataset from the Data view (issue 10 item 5): `regimen serve`
 * on a fresh data dir (the demo market) and the built renderer in headless Debian Chromium. GOOG.csv is
 * imported from ../shared/data, renamed, then deleted, and the coverage table is read after each step.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../support/sharedData.ts';
import { chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const goog = sharedDataFile('GOOG.csv');
const skipReason = chromiumSkipReason('dataManage.e2e');

async function listed(page: Page): Promise<Array<{ symbol: string; bars: number }>> {
  const rows = page.getByTestId('coverage-row');
  const out: Array<{ symbol: string; bars: number }> = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push({
      symbol: (await row.getAttribute('data-symbol')) ?? '',
      bars: Number(await row.getAttribute('data-bars')),
    });
  }
  return out;
}

const symbolsOf = async (page: Page): Promise<string[]> => (await listed(page)).map((r) => r.symbol);

describe.skipIf(!hasChromium)(`Rename and delete a dataset in the Data view${skipReason}`, () => {
  const session = useSession('data-manage');

  it.skipIf(!goog.present)(`imports GOOG.csv, renames it, then deletes it${goog.skipReason}`, async () => {
    const { page, problems } = await openApp(session());
    await page.getByTestId('tab-data').click();
    await page.getByTestId('data-view').waitFor({ state: 'visible' });
    const rows = page.getByTestId('coverage-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const demoSymbol = (await symbolsOf(page))[0] ?? '';

    await page.getByTestId('import-path').fill(goog.path);
    await page.getByTestId('import-button').click();
    await page.getByTestId('import-result').waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(async () => (await listed(page)).find((r) => r.symbol === 'GOOG')?.bars).toBe(2148);

    // The import selects GOOG; the rename asks the new name.
    await expect.poll(() => page.getByTestId('manage-panel').getAttribute('data-symbol')).toBe('GOOG');
    await page.getByTestId('rename-dataset').click();
    await page.getByTestId('rename-input').fill('GOOGX');
    await page.getByTestId('rename-submit').click();
    await expect
      .poll(() => page.getByTestId('rename-result').innerText())
      .toBe('✓ GOOG renamed to GOOGX (2,148 bars)');
    await expect.poll(() => symbolsOf(page)).toContain('GOOGX');
    expect(await symbolsOf(page)).not.toContain('GOOG');
    expect(await page.getByTestId('manage-panel').getAttribute('data-symbol')).toBe('GOOGX');

    // The delete names the symbol and its bars, and does nothing until the symbol is typed out.
    await page.getByTestId('delete-dataset').click();
    expect(await page.getByTestId('delete-confirm').innerText()).toContain('Delete GOOGX and its 2,148 bars');
    await page.getByTestId('delete-input').fill('GOOG');
    await page.getByTestId('delete-submit').click();
    await expect
      .poll(() => page.getByTestId('data-error-manage').innerText())
      .toContain('Type GOOGX to confirm deleting it');
    expect(await symbolsOf(page)).toContain('GOOGX');
    await page.getByTestId('delete-input').fill('GOOGX');
    await page.getByTestId('delete-submit').click();
    await expect
      .poll(() => page.getByTestId('delete-result').innerText())
      .toBe('✓ GOOGX: deleted, 2,148 bars');
    await expect.poll(() => symbolsOf(page)).not.toContain('GOOGX');
    expect(await symbolsOf(page)).toContain(demoSymbol);
    expect(problems, problems.join('\n')).toEqual([]);

    // A rename onto a stored name is refused by the services, in their words (the browser logs the
    // refused request's HTTP status to the console, which is expected from here on).
    await expect.poll(() => page.getByTestId('manage-panel').getAttribute('data-symbol')).not.toBeNull();
    const current = (await page.getByTestId('manage-panel').getAttribute('data-symbol')) ?? '';
    const other = (await symbolsOf(page)).find((s) => s !== current) ?? '';
    await page.getByTestId('rename-dataset').click();
    await page.getByTestId('rename-input').fill(other);
    await page.getByTestId('rename-submit').click();
    await expect.poll(() => page.getByTestId('data-error-manage').innerText()).toContain(other);
    expect(await symbolsOf(page)).toContain(current);
  });
});
