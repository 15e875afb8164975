/**
 * End to end (issue 10 item 5): a file set on the Data view's picker goes to `regimen serve` as an
 * upload, is imported with the form's options, and its symbol appears in the coverage table.
 */
import { describe, expect, it } from 'vitest';
import { chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('upload.e2e');

/** Twenty daily bars from 2024-01-01, every day (a crypto-like week), as a CSV. */
function dailyCsv(): string {
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < 20; i++) {
    const day = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    lines.push(`${day},${100 + i},${102 + i},${99 + i},${101 + i},${500 + i}`);
  }
  return `${lines.join('\n')}\n`;
}

describe.skipIf(!hasChromium)(`Import by file picker${skipReason}`, () => {
  const session = useSession('upload');

  it('imports a picked CSV with the chosen calendar and lists its symbol', async () => {
    const { page } = await openApp(session());
    await page.getByTestId('tab-data').click();
    await page.getByTestId('data-view').waitFor({ state: 'visible' });
    await page.getByTestId('import-calendar').selectOption('crypto');
    await page.getByTestId('import-file').setInputFiles({
      name: 'PICKD.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(dailyCsv()),
    });
    await expect
      .poll(() => page.getByTestId('import-result').innerText(), { timeout: 30_000 })
      .toMatch(
        /PICKD\.csv: 20 bars stored as PICKD 1d; calendar crypto: around the clock, every day, days from 00:00 UTC; its 1d bars are stamped at 00:00 UTC of their dates/,
      );
    const row = page.locator('[data-testid="coverage-row"][data-symbol="PICKD"]').first();
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    expect(await row.locator('[data-testid="coverage-calendar"]').innerText()).toBe('crypto (24/7)');
  });
});
