/**
 * The analyst's bench in the browser (issue 15 items 1, 3, 4, 8): against `regimen serve` on the demo
 * market, a walk-forward run from the Optimize view (its windows, both stitched equity curves and the
 * efficiency); a study with a 20 % holdout (the winner's in- and out-of-sample columns); its downloads
 * (trials CSV; a trial's trades CSV, equity CSV and tear-sheet HTML), the trades CSV reloading to the
 * run's totals and the HTML opening with the network blocked; a trial's tear sheet from the table's row
 * action without a CSP complaint; the trial's Monte Carlo bands; and, at 1000 px, the Analysis tab's
 * top-N picker inside its panel and the trial's "← Search" not covered. Saves pictures in artifacts/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { OPEN_TRADE_REASON } from '../../src/shared/tradeRows.ts';
import {
  ARTIFACTS,
  chromiumSkipReason,
  hasChromium,
  openApp,
  paintedPixels,
  reachableAtCentre,
  useSession,
} from './harness.ts';
import { readCsv } from '../support/csvRows.ts';

const skipReason = chromiumSkipReason('analystBench.e2e');
const RUN_TIMEOUT_MS = 120_000;
const TRIALS = 8;

/** sma-cross on the first demo symbol's 1h bars, a narrowed space, random sampler, TRIALS trials. */
async function setUpStudy(page: Page): Promise<void> {
  await page.getByTestId('tab-optimize').click();
  const strategy = page.getByTestId('opt-strategy');
  await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await strategy.selectOption('sma-cross');
  await page.getByTestId('opt-tf-1h').click();
  await page.getByTestId('opt-sampler-random').click();
  for (const [id, value] of [
    ['opt-min-fast', '5'],
    ['opt-max-fast', '20'],
    ['opt-step-fast', '5'],
    ['opt-min-slow', '30'],
    ['opt-max-slow', '90'],
    ['opt-step-slow', '30'],
    ['opt-trial-count', String(TRIALS)],
    ['opt-seed', '4'],
    ['opt-min-trades', '1'],
  ] as const)
    await page.getByTestId(id).fill(value);
}

/** The text of what clicking `testId` downloads. */
async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }) as Promise<Download>,
    page.getByTestId(testId).click(),
  ]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

const numberAttribute = async (page: Page, testId: string, name: string): Promise<number> =>
  Number(await page.getByTestId(testId).getAttribute(name));

describe.skipIf(!hasChromium)(`the analyst's bench in the browser${skipReason}`, () => {
  const session = useSession('bench');

  it(
    'runs a walk-forward from the Optimize view: windows, both stitched curves, efficiency',
    async () => {
      const { page, problems } = await openApp(session());
      await setUpStudy(page);
      await page.getByTestId('wf-unit').selectOption('days');
      for (const [id, value] of [
        ['wf-train', '365'],
        ['wf-test', '90'],
        ['wf-step', '90'],
      ] as const)
        await page.getByTestId(id).fill(value);
      const run = page.getByTestId('run-walk-forward');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();
      await page.getByTestId('wf-summary').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      // Two years of bars: windows of 90 days after the first year.
      const windows = await page.getByTestId('wf-window').count();
      expect(windows).toBeGreaterThanOrEqual(3);
      expect(await page.getByTestId('wf-parameter-path').locator('tbody tr').count()).toBe(windows);
      expect(await page.getByTestId('wf-efficiency').innerText()).toMatch(/efficiency: (-?[\d.]+|n\/a)/);
      const panel = page.getByTestId('walk-forward-panel');
      await panel.scrollIntoViewIfNeeded();
      await expect
        .poll(() => paintedPixels(page, 'wf-equity-chart'), { timeout: 10_000 })
        .toBeGreaterThan(2_000);
      expect(await page.getByTestId('wf-equity').innerText()).toContain('In sample (stitched)');
      await panel.screenshot({ path: join(ARTIFACTS, 'walk-forward-e2e.png') });
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    },
    RUN_TIMEOUT_MS + 60_000,
  );

  it(
    "downloads a study's trials and a trial's trades, equity and tear sheet; opens its tear sheet and Monte Carlo",
    async () => {
      const { page, problems } = await openApp(session());
      await setUpStudy(page);
      await page.getByTestId('opt-holdout').fill('20%');
      await page.getByTestId('opt-start-button').click();
      await expect
        .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: RUN_TIMEOUT_MS })
        .toBe('complete');
      await expect.poll(() => numberAttribute(page, 'opt-trials', 'data-count')).toBe(TRIALS);

      // The 20 % holdout: the winner's in-sample figures beside those on the last fifth it never saw.
      const holdout = page.getByTestId('opt-holdout-table');
      await holdout.waitFor({ state: 'visible', timeout: 30_000 });
      const barsIn = async (column: number): Promise<number> => {
        const heading = await holdout.locator('thead th').nth(column).innerText();
        return Number(/([\d,]+) bars\)/.exec(heading)?.[1]?.replaceAll(',', ''));
      };
      const [searched, held] = [await barsIn(1), await barsIn(2)];
      expect(held / (searched + held)).toBeCloseTo(0.2, 2);
      for (const side of ['in', 'out'])
        for (const key of ['totalReturn', 'sharpeRatio'])
          expect(await page.getByTestId(`opt-holdout-${side}-${key}`).innerText()).toMatch(/\d/);

      // Trials CSV: one row per trial, numbered as the table.
      const trials = await download(page, 'export-trials');
      expect(trials.name).toMatch(/trials\.csv$/);
      const [trialsHeader, ...trialRows] = readCsv(trials.text);
      expect(trialsHeader!.slice(0, 3)).toEqual(['number', 'status', 'feasible']);
      expect(trialRows.map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual(
        Array.from({ length: TRIALS }, (_, i) => i),
      );

      // The row action: the trial's tear sheet, re-run as the study scored it, with no CSP complaint.
      const firstRow = page.getByTestId('opt-trial-row').first();
      const trialNumber = Number(await firstRow.getAttribute('data-trial'));
      await firstRow.getByTestId('opt-trial-sheet').click();
      await page.getByTestId('tear-sheet-dialog').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      expect(Number(await page.getByTestId('opt-inspect').getAttribute('data-trial'))).toBe(trialNumber);
      const sheet = page.frameLocator('[data-testid="tear-sheet-frame"]');
      await expect.poll(() => sheet.locator('body').innerText(), { timeout: 30_000 }).toContain('buy & hold');
      // Styled: the page's own stylesheet applies inside the frame (blocked, the heading keeps 32 px).
      const fontSize = await sheet
        .locator('h1')
        .evaluate(
          (h) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }
            ).getComputedStyle(h).fontSize,
        );
      expect(fontSize).toBe('20px');
      expect(problems, problems.join('\n')).toEqual([]);
      await page.getByTestId('tear-sheet-close').click();

      // The trial's trades CSV reloads to its totals: count, win rate and profit factor as reported.
      const trades = await download(page, 'export-trades');
      const [header, ...rows] = readCsv(trades.text);
      // The metrics count closed trades; a position still open at the end is the list's last row.
      const closed = rows.filter((row) => row[header!.indexOf('exit_reason')] !== OPEN_TRADE_REASON);
      expect(rows.length - closed.length).toBeLessThanOrEqual(1);
      const pnl = closed.map((row) => Number(row[header!.indexOf('pnl')]));
      const metric = async (key: string): Promise<number> =>
        Number(await page.getByTestId(`metric-row-${key}`).getAttribute('data-value'));
      expect(closed.length).toBe(await metric('numTrades'));
      expect(closed.length).toBe(await numberAttribute(page, 'trade-list', 'data-trade-count'));
      expect(pnl.filter((p) => p > 0).length / pnl.length).toBeCloseTo(await metric('winRate'), 12);
      const gains = pnl.filter((p) => p > 0).reduce((a, b) => a + b, 0);
      const losses = -pnl.filter((p) => p < 0).reduce((a, b) => a + b, 0);
      expect(gains / losses).toBeCloseTo(await metric('profitFactor'), 9);

      const equity = await download(page, 'export-equity');
      const [equityHeader, ...points] = readCsv(equity.text);
      expect(equityHeader).toContain('equity');
      expect(points.length).toBeGreaterThan(100);

      // The tear-sheet HTML opens in a fresh page with the network blocked and asks for nothing.
      const html = await download(page, 'export-tear-sheet');
      const offline = await session().browser.newPage();
      const requests: string[] = [];
      await offline.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      await offline.setContent(html.text, { waitUntil: 'load' });
      expect(await offline.locator('[data-testid="monthly-heatmap"]').count()).toBe(1);
      expect(await offline.locator('svg').count()).toBeGreaterThanOrEqual(6);
      expect(requests).toEqual([]);
      await offline.close();

      // Monte Carlo of the inspected trial: equity and drawdown bands drawn.
      await page.getByTestId('run-robustness').click();
      await expect
        .poll(() => paintedPixels(page, 'robustness-chart'), { timeout: 60_000 })
        .toBeGreaterThan(2_000);
      await page.screenshot({ path: join(ARTIFACTS, 'trial-robustness-e2e.png') });

      // In a 1000 px window the inspected trial's "← Search" is not covered (it ran under the panel to
      // its right), and the Analysis tab's top-N picker stays inside its panel.
      await page.setViewportSize({ width: 1000, height: 800 });
      const back = page.getByTestId('opt-inspect-back');
      expect(await reachableAtCentre(back)).toBe(true);
      await back.click();
      await page.getByTestId('opt-tab-analysis').click();
      const picker = await page.getByTestId('opt-top-n').boundingBox();
      const panel = await page.getByTestId('opt-parallel-panel').boundingBox();
      expect(picker).not.toBeNull();
      expect(picker!.x + picker!.width).toBeLessThanOrEqual(panel!.x + panel!.width);
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    },
    RUN_TIMEOUT_MS * 2 + 60_000,
  );
});
