/**
 * Files in and out of the Data view in a browser (issue 10 item 5): an export arrives as a download
 * holding exactly the stored bars (CSV read here, Parquet imported again), and a file dropped on the
 * import panel is uploaded and imported. `regimen serve` on a fresh data dir, headless Debian Chromium.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedDataFile } from '../support/sharedData.ts';
import { chromiumSkipReason, hasChromium, openApp, useSession, type Session } from './harness.ts';

const skipReason = chromiumSkipReason('dataFiles.e2e');
const scratch = mkdtempSync(join(tmpdir(), 'regimen-e2e-datafiles-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function api<T>(session: Session, channel: string, body: unknown): Promise<T> {
  const { server } = session;
  const response = await fetch(`${server.origin}/api/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, `${channel}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

interface Totals {
  bars: number;
  close: number;
  volume: number;
}

/** Count, sum of close and sum of volume of the stored bars, as `bars:get` answers them. */
async function storedTotals(session: Session, symbol: string): Promise<Totals> {
  const bars = await api<{ c: number[]; v: number[] }>(session, 'bars:get', { symbol, timeframe: '1d' });
  return {
    bars: bars.c.length,
    close: bars.c.reduce((a, b) => a + b, 0),
    volume: bars.v.reduce((a, b) => a + b, 0),
  };
}

/** Clicks Export with the form as set and returns the path of the file the browser saved. */
async function exportDownload(
  page: Page,
  format: 'csv' | 'parquet',
): Promise<{ path: string; name: string }> {
  await page.getByTestId('export-symbol').selectOption('GOOG');
  await page.getByTestId('export-timeframe').selectOption('1d');
  await page.getByTestId('export-format').selectOption(format);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    page.getByTestId('export-button').click(),
  ]);
  return { path: await download.path(), name: download.suggestedFilename() };
}

describe.skipIf(!hasChromium)(`Data view files${skipReason}`, () => {
  const session = useSession('datafiles');

  it('exports GOOG as a CSV and a Parquet download that hold exactly the stored bars', async (context) => {
    const goog = sharedDataFile('GOOG.csv');
    if (!goog.present) context.skip(`GOOG export${goog.skipReason}`);
    await api(session(), 'data:import', { path: goog.path, symbol: 'GOOG' });
    const stored = await storedTotals(session(), 'GOOG');
    expect(stored.bars).toBeGreaterThan(1000);

    const { page, problems } = await openApp(session());
    await page.getByTestId('tab-data').click();
    await page.getByTestId('export-panel').waitFor({ state: 'visible', timeout: 30_000 });
    await expect
      .poll(() => page.getByTestId('export-symbol').locator('option[value="GOOG"]').count(), {
        timeout: 30_000,
      })
      .toBe(1);

    const csv = await exportDownload(page, 'csv');
    expect(csv.name).toBe('GOOG_1d.csv');
    const rows = readFileSync(csv.path, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('timestamp,open,high,low,close,volume');
    const fields = rows.slice(1).map((row) => row.split(',').map(Number));
    expect({
      bars: fields.length,
      close: fields.reduce((a, f) => a + f[4]!, 0),
      volume: fields.reduce((a, f) => a + f[5]!, 0),
    }).toEqual(stored);
    await expect
      .poll(() => page.getByTestId('export-result').innerText(), { timeout: 30_000 })
      .toBe(`✓ ${stored.bars.toLocaleString('en-US')} 1d bars of GOOG saved as GOOG_1d.csv`);

    const parquet = await exportDownload(page, 'parquet');
    expect(parquet.name).toBe('GOOG_1d.parquet');
    // Imported again under another name, the Parquet file gives back the same bars.
    const copy = join(scratch, 'GOOGPQ.parquet');
    copyFileSync(parquet.path, copy);
    await api(session(), 'data:import', { path: copy, symbol: 'GOOGPQ', timeframe: '1d' });
    expect(await storedTotals(session(), 'GOOGPQ')).toEqual(stored);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('imports a CSV dropped on the import panel', async () => {
    const { page, problems } = await openApp(session());
    await page.getByTestId('tab-data').click();
    await page.getByTestId('import-panel').waitFor({ state: 'visible', timeout: 30_000 });
    // The picker's label keeps the panel's inset, like the form's fields below it (it touched the edge).
    const panel = await page.getByTestId('import-panel').boundingBox();
    const picker = await page.getByTestId('import-file').boundingBox();
    const typed = await page.getByTestId('import-path').boundingBox();
    expect(picker!.x - panel!.x).toBe(typed!.x - panel!.x);
    const lines = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 15; i++) {
      const day = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
      lines.push(`${day},${100 + i},${102 + i},${99 + i},${101 + i},${500 + i}`);
    }
    // The page builds the File and the DataTransfer a real drag would carry (this file has no DOM types).
    await page.evaluate(`(() => {
      const file = new File([${JSON.stringify(`${lines.join('\n')}\n`)}], 'DROPD.csv', { type: 'text/csv' });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      const target = document.querySelector('[data-testid="import-panel"]');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    })()`);
    await expect
      .poll(() => page.getByTestId('import-result').innerText(), { timeout: 30_000 })
      .toMatch(/DROPD\.csv: 15 bars stored as DROPD 1d/);
    const row = page.locator('[data-testid="coverage-row"][data-symbol="DROPD"]').first();
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
