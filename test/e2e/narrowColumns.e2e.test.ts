/**
 * Narrow columns stay readable: the Regimes panel's per-regime table scrolls sideways inside the panel
 * (its last column was cut off by the right column's edge), a trade list narrower than its columns shows
 * P&L without scrolling (the inspected trial's, beside its figures), and the Learner view's background
 * below its panels is the app's, not the lighter line colour.
 * At a 1024 x 700 window the equity panel's buttons stay inside it, off the Monte Carlo panel's Run; the
 * walk-forward panel's note is set in from its edge like its form; the Optimize view's charts and trial
 * table keep a usable height beside a walk-forward's result, the centre column scrolling instead.
 *   npm run build && npx vitest run test/e2e/narrowColumns.e2e.test.ts
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  ARTIFACTS,
  chromiumSkipReason,
  hasChromium,
  openApp,
  reachableAtCentre,
  startRandomStudy,
  useSession,
} from './harness.ts';

const skipReason = chromiumSkipReason('narrowColumns.e2e');
/** The least a chart (its drawing area) or the trial table's rows may get: a chart below it is unreadable. */
const MIN_CHART_PX = 140;
const MIN_TABLE_PX = 120;

/** How far (px) the furthest of `cells` reaches past the right edge of `box`; <= 0: all within it. */
async function overhang(box: Locator, cells: Locator): Promise<number> {
  const bounds = await box.boundingBox();
  const edges = await cells.evaluateAll((all) => all.map((cell) => cell.getBoundingClientRect().right));
  if (bounds === null || edges.length === 0) return NaN;
  return Math.max(...edges) - (bounds.x + bounds.width);
}

describe.skipIf(!hasChromium)(`narrow columns in the browser against regimen serve${skipReason}`, () => {
  const session = useSession('narrow');

  it("keeps the regime table's last column and a trade's P&L within their containers", async () => {
    const { page } = await openApp(session());
    const symbols = page.getByTestId('symbol-item');
    await expect.poll(() => symbols.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await symbols.first().click();
    await page.getByTestId('timeframe-1h').click();

    // The per-regime table scrolls in its own box, which sits inside the panel; scrolled to its end, the
    // last column (the last transition share) is within that box.
    const table = page.getByTestId('regime-table');
    const scroll = page.getByTestId('regime-table-scroll');
    const lastColumn = table.locator('tr > :last-child');
    await expect.poll(() => lastColumn.count(), { timeout: 60_000 }).toBe(4);
    expect(await overhang(page.getByTestId('regime-panel'), scroll)).toBeLessThanOrEqual(0.5);
    await scroll.evaluate((box) => box.scrollTo({ left: box.scrollWidth }));
    await expect.poll(() => overhang(scroll, lastColumn)).toBeLessThanOrEqual(0.5);

    // A trade list narrower than its columns: P&L and return sit beside the side, within the table.
    await page.getByTestId('run-backtest').click();
    const pnl = page.getByTestId('trade-pnl');
    await expect.poll(() => pnl.count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.setViewportSize({ width: 1100, height: 1000 });
    const trades = page.getByTestId('trade-list').locator('.trade-table');
    await expect.poll(async () => (await trades.boundingBox())?.width ?? NaN).toBeLessThan(700);
    const pnlHeader = page.locator('.trade-head > .c-pnl');
    await expect.poll(() => overhang(trades, pnl)).toBeLessThanOrEqual(0);
    await expect.poll(() => overhang(trades, pnlHeader)).toBeLessThanOrEqual(0);
    expect(await trades.evaluate((box) => box.scrollLeft)).toBe(0);

    // The Learner view: below its panels, the app's background.
    await page.getByTestId('tab-learner').click();
    const learner = page.getByTestId('learner-view');
    await learner.waitFor({ state: 'visible' });
    const background = (selector: string) =>
      page
        .locator(selector)
        .evaluate(
          (element) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
            ).getComputedStyle(element).backgroundColor,
        );
    expect(await background('[data-testid="learner-view"]')).toBe(await background('body'));
    await page.close();
  }, 240_000);

  it("keeps the equity panel's buttons inside it at 1024 x 700, off the Monte Carlo Run button", async () => {
    const { page, problems } = await openApp(session());
    await page.setViewportSize({ width: 1024, height: 700 });
    const symbols = page.getByTestId('symbol-item');
    await expect.poll(() => symbols.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await symbols.first().click();
    await page.getByTestId('run-backtest').click();
    const pin = page.getByTestId('backtest-pin');
    await expect.poll(() => pin.isEnabled(), { timeout: 60_000 }).toBe(true);
    // On one line the title's buttons ran into the right column and Pin lay over Run.
    const buttons = page.getByTestId('equity-panel').locator('.panel-title button');
    await expect.poll(() => overhang(page.getByTestId('equity-panel'), buttons)).toBeLessThanOrEqual(0);
    expect(await reachableAtCentre(page.getByTestId('run-robustness'))).toBe(true);
    expect(await reachableAtCentre(pin)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);

  it("sets the walk-forward panel's note in from its edge, as its form's fields are", async () => {
    const { page } = await openApp(session());
    await page.getByTestId('tab-optimize').click();
    const panel = page.getByTestId('walk-forward-panel');
    const note = panel.locator('.hint').first();
    await note.waitFor({ state: 'visible', timeout: 30_000 });
    const left = async (locator: Locator) => (await locator.boundingBox())?.x ?? NaN;
    // It sat flush against the column's border, 10 px left of the fields above it.
    const field = page.getByTestId('wf-mode');
    expect((await left(note)) - (await left(panel))).toBeCloseTo(
      (await left(field)) - (await left(panel)),
      0,
    );
    expect((await left(note)) - (await left(panel))).toBeGreaterThan(0);
    await page.close();
  }, 120_000);

  it("shows the Optimize form's and study list's numbers whole: a cash of 10000 read 1000, a risk of 0.005 read 0.00, a best of 1.59 read 1.5", async () => {
    const { page, problems } = await openApp(session());
    await page.getByTestId('tab-optimize').click();
    const strategy = page.getByTestId('opt-strategy');
    await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await strategy.selectOption('confluence');
    await page.getByTestId('opt-cash').fill('10000');
    await expect.poll(() => page.getByTestId('opt-min-risk_per_trade').inputValue()).toBe('0.005');
    // An input whose text is wider than its box shows only the start of its value.
    const cut = () =>
      page
        .getByTestId('opt-setup')
        .locator('input[type="number"], input:not([type])')
        .evaluateAll((inputs) =>
          inputs
            .map((node) => node as unknown as { scrollWidth: number; clientWidth: number; value: string })
            .filter((input) => input.value !== '' && input.scrollWidth > input.clientWidth + 1)
            .map((input) => input.value),
        );
    await expect.poll(cut).toEqual([]);

    // A stopped study short of its trials lists a Resume button beside it; its winner's value stays whole
    // (with 100 trials or more done, the count's width pushed it past the edge).
    await page.getByTestId('opt-trial-count').fill('5000');
    await page.getByTestId('opt-start-button').click();
    const progress = page.getByTestId('opt-progress');
    await expect
      .poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(100);
    await page.getByTestId('opt-cancel').click();
    const study = page.locator('.opt-study').filter({ has: page.getByTestId('opt-study-resume') });
    await study.waitFor({ state: 'visible', timeout: 60_000 });
    // With a long list, a classic scrollbar (the app's window has them; headless Chromium hides them)
    // takes about 15px of the list's width.
    await page.locator('.opt-study-items').evaluate((list) => {
      (list as unknown as { style: { paddingRight: string } }).style.paddingRight = '15px';
    });
    const best = study.locator('.opt-study-best');
    await expect
      .poll(async () => (await best.innerText()).trim(), { timeout: 30_000 })
      .toMatch(/^-?\d+\.\d+$/);
    // Within the study's button, which ends where the Resume button starts.
    await expect.poll(() => overhang(study.getByTestId('opt-study-item'), best)).toBeLessThanOrEqual(0);
    const line = best.locator('xpath=..');
    await expect.poll(() => overhang(line, best)).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('keeps the Optimize charts and trials a usable height at 1024 x 700 with a walk-forward shown: the column scrolls', async () => {
    const { page, problems } = await openApp(session());
    await page.setViewportSize({ width: 1024, height: 700 });
    await startRandomStudy(page, 12);
    await expect
      .poll(() => page.getByTestId('opt-state').textContent(), { timeout: 120_000 })
      .toBe('complete');
    await page.getByTestId('wf-train').fill('90');
    const run = page.getByTestId('run-walk-forward');
    await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
    await run.click();
    const summary = page.getByTestId('wf-summary');
    await summary.waitFor({ state: 'attached', timeout: 180_000 });
    const height = async (locator: Locator) => (await locator.boundingBox())?.height ?? NaN;
    // With the walk-forward's result the charts were squeezed to slivers (measured 35 px each at 1024 x 700).
    const charts = page.getByTestId('opt-charts').locator('.chart-box');
    expect(await charts.count()).toBe(4);
    for (const box of await charts.all()) expect(await height(box)).toBeGreaterThanOrEqual(MIN_CHART_PX);
    expect(await height(page.locator('.opt-tscroll'))).toBeGreaterThanOrEqual(MIN_TABLE_PX);
    // Nothing is cut off: the centre column scrolls down to the walk-forward's windows.
    const windows = page.getByTestId('wf-window');
    await expect.poll(() => windows.count()).toBeGreaterThan(0);
    await windows.last().scrollIntoViewIfNeeded();
    expect(await reachableAtCentre(windows.last())).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'optimize-1024x700.png') });
    await run.scrollIntoViewIfNeeded();
    expect(await reachableAtCentre(run)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 360_000);

  it("reads the Learner's refusals as errors, set in from the edge like the view's other notes", async () => {
    const { page } = await openApp(session());
    await page.locator('[data-testid="symbol-item"][data-symbol="ALFA"]').click({ timeout: 30_000 });
    await page.getByTestId('timeframe-4h').click();
    await page.getByTestId('tab-learner').click();
    // Two years of 4-hour bars leave too few learner windows after the default space's warm-up.
    const refusal = page.getByTestId('learner-recommend-error');
    await refusal.waitFor({ state: 'visible', timeout: 120_000 });
    const style = (selector: string) =>
      page
        .locator(selector)
        .first()
        .evaluate((element) => {
          const css = (
            globalThis as unknown as {
              getComputedStyle(e: unknown): { color: string; paddingLeft: string };
            }
          ).getComputedStyle(element);
          return { color: css.color, paddingLeft: css.paddingLeft };
        });
    const error = await style('[data-testid="learner-recommend-error"]');
    expect(error.color).not.toBe((await style('body')).color);
    expect(error.paddingLeft).toBe((await style('[data-testid="learner-evaluation"] .empty')).paddingLeft);
    await page.close();
  }, 180_000);
});
