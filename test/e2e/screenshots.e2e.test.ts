/**
 * One screenshot per view, in a state worth showing (a backtest run, a finished study, a quality report,
 * the settings), at one fixed window size. They go to artifacts/screenshots; with REGIMEN_SCREENSHOTS=1
 * they go to docs/screenshots, the ones the README shows (CI leaves the tree clean):
 *   npm run build && REGIMEN_SCREENSHOTS=1 npx vitest run test/e2e/screenshots.e2e.test.ts
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  chromiumSkipReason,
  hasChromium,
  openApp,
  paintedPixels,
  SCREENSHOTS,
  useSession,
} from './harness.ts';

const skipReason = chromiumSkipReason('screenshots.e2e');
const OUT = SCREENSHOTS;

/**
 * Every view the tab bar offers, with how to bring it into a state worth showing, and further pictures
 * of a feature inside it (`more`: each named file, taken after its own step, in order).
 */
const VIEWS: ReadonlyArray<{
  id: string;
  prepare(page: Page): Promise<void>;
  more?: ReadonlyArray<{ file: string; show(page: Page): Promise<void> }>;
}> = [
  {
    id: 'backtest',
    async prepare(page) {
      const run = page.getByTestId('run-backtest');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await page.getByTestId('timeframe-1h').click();
      // Confluence with a low bar to enter: its bands, MACD and MFI panes and its trades' stops and
      // targets are what the chart shows a trader.
      await page.getByTestId('strategy-select').selectOption('confluence');
      await page.getByTestId('param-confidence_threshold').fill('0.4');
      await page.getByTestId('param-volume_threshold').fill('1');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();
      await expect.poll(() => page.getByTestId('trade-row').count(), { timeout: 60_000 }).toBeGreaterThan(0);
      await expect.poll(() => paintedPixels(page, 'equity-chart'), { timeout: 10_000 }).toBeGreaterThan(1000);
      await expect
        .poll(() => page.getByTestId('price-panel').getAttribute('data-indicator-panes'), { timeout: 30_000 })
        .toBe('2');
    },
    more: [
      {
        file: 'tear-sheet',
        async show(page) {
          await page.getByTestId('open-tear-sheet').click();
          const sheet = page.frameLocator('[data-testid="tear-sheet-frame"]');
          await sheet
            .locator('[data-testid="monthly-heatmap"]')
            .waitFor({ state: 'visible', timeout: 30_000 });
        },
      },
    ],
  },
  {
    id: 'optimize',
    async prepare(page) {
      const strategy = page.getByTestId('opt-strategy');
      await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await strategy.selectOption('sma-cross');
      await page.getByTestId('opt-tf-1h').click();
      await page.getByTestId('opt-sampler-tpe').click();
      await page.getByTestId('opt-trial-count').fill('60');
      await page.getByTestId('opt-seed').fill('1');
      await page.getByTestId('opt-start-button').click();
      await expect
        .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: 90_000 })
        .toBe('complete');
      await page.getByTestId('opt-verdict').waitFor({ state: 'visible', timeout: 30_000 });
    },
    more: [
      {
        file: 'optimize-analysis',
        async show(page) {
          await page.getByTestId('opt-tab-analysis').click();
          await page.getByTestId('opt-top-n').selectOption('10');
          await expect
            .poll(() => paintedPixels(page, 'opt-chart-importance'), { timeout: 30_000 })
            .toBeGreaterThan(1000);
          await expect
            .poll(() => paintedPixels(page, 'opt-chart-contour'), { timeout: 10_000 })
            .toBeGreaterThan(1000);
        },
      },
      {
        file: 'optimize-walkforward',
        async show(page) {
          // The study form's 60 trials per train window, one year of train, quarters out of sample.
          for (const [id, value] of [
            ['wf-train', '365'],
            ['wf-test', '90'],
            ['wf-step', '90'],
          ] as const)
            await page.getByTestId(id).fill(value);
          await page.getByTestId('run-walk-forward').click();
          await page.getByTestId('wf-summary').waitFor({ state: 'visible', timeout: 180_000 });
          await page.getByTestId('wf-equity').scrollIntoViewIfNeeded();
          await expect
            .poll(() => paintedPixels(page, 'wf-equity-chart'), { timeout: 10_000 })
            .toBeGreaterThan(1000);
        },
      },
      {
        file: 'optimize-multisymbol',
        async show(page) {
          // The same study on the chosen symbol and the next one, each one's Sharpe beside the worse.
          await page.locator('[data-testid^="opt-also-"]:not(:checked)').first().check();
          await page.getByTestId('opt-trial-count').fill('30');
          await page.getByTestId('opt-start-button').click();
          const slices = page.getByTestId('opt-best-slices');
          await slices.waitFor({ state: 'visible', timeout: 90_000 });
          await expect
            .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: 90_000 })
            .toBe('complete');
          await slices.scrollIntoViewIfNeeded();
        },
      },
      {
        file: 'optimize-robustness',
        async show(page) {
          // The winner inspected with its Monte Carlo bands, beside its parameter neighbourhood.
          await page.getByTestId('opt-trial-row').first().click();
          const inspect = page.getByTestId('opt-inspect');
          await expect.poll(() => inspect.getAttribute('data-status'), { timeout: 60_000 }).toBe('ready');
          await page.getByTestId('run-robustness').click();
          await expect
            .poll(() => paintedPixels(page, 'robustness-chart'), { timeout: 60_000 })
            .toBeGreaterThan(2_000);
          await page.getByTestId('opt-neighbourhood-run').click();
          const table = page.getByTestId('opt-neighbourhood-table');
          await table.waitFor({ state: 'visible', timeout: 60_000 });
          await table.scrollIntoViewIfNeeded();
          // The bands last: scrolling to the table had taken them out of the picture.
          const bands = page.getByTestId('robustness-chart');
          await bands.scrollIntoViewIfNeeded();
          const box = await bands.boundingBox();
          const viewport = page.viewportSize()!;
          expect(
            box !== null && box.y >= 0 && box.y + box.height <= viewport.height,
            JSON.stringify(box),
          ).toBe(true);
        },
      },
    ],
  },
  {
    // The backtest and the study's best trial above, pinned side by side.
    id: 'compare',
    async prepare(page) {
      await page.getByTestId('tab-backtest').click();
      await page.getByTestId('backtest-pin').click();
      await page.getByTestId('tab-optimize').click();
      await page.getByTestId('opt-trial-row').first().click();
      const pinTrial = page.getByTestId('opt-pin-trial');
      await expect.poll(() => pinTrial.isEnabled(), { timeout: 60_000 }).toBe(true);
      await pinTrial.click();
      await expect.poll(() => pinTrial.getAttribute('data-pinned'), { timeout: 30_000 }).toBe('pinned');
      await page.getByTestId('tab-compare').click();
      await expect
        .poll(() => paintedPixels(page, 'compare-chart'), { timeout: 60_000 })
        .toBeGreaterThan(1000);
    },
  },
  {
    id: 'data',
    async prepare(page) {
      await expect
        .poll(() => page.getByTestId('coverage-row').count(), { timeout: 30_000 })
        .toBeGreaterThan(0);
      await page.getByTestId('quality-score').waitFor({ state: 'visible', timeout: 60_000 });
    },
  },
  {
    // No bot is registered on a fresh data dir: the view as a new user first sees it.
    id: 'live',
    async prepare(page) {
      await page.getByTestId('live-view').waitFor({ state: 'visible', timeout: 30_000 });
    },
    more: [
      {
        // A bot registered (none answers here), its regime updates being edited, the webhook section.
        file: 'live-updates',
        async show(page) {
          await page.getByTestId('live-bot-name').fill('spy-replay');
          await page.getByTestId('live-bot-url').fill('http://127.0.0.1:8787');
          await page.getByTestId('live-bot-submit').click();
          const regime = page.getByTestId('live-regime-updates');
          await regime.getByTestId('live-regime-edit').click({ timeout: 30_000 });
          await regime.getByTestId('live-regime-enabled').check();
          await page.getByTestId('live-webhook').waitFor({ state: 'visible', timeout: 30_000 });
          expect(await page.getByTestId('live-no-secret').count()).toBe(0);
        },
      },
    ],
  },
  {
    id: 'learner',
    async prepare(page) {
      await expect
        .poll(() => page.getByTestId('learner-recommendation').count(), { timeout: 60_000 })
        .toBeGreaterThan(0);
      await page.getByTestId('learner-timeframe').selectOption('1h');
      await page.getByTestId('learner-evaluate').click();
      await page.getByTestId('learner-figures').waitFor({ state: 'visible', timeout: 90_000 });
      await expect
        .poll(() => paintedPixels(page, 'learner-calibration-chart'), { timeout: 10_000 })
        .toBeGreaterThan(100);
      // The 1h recommendation trains on the bars' panel beside the evaluation: the picture shows its answer.
      await expect
        .poll(() => page.getByTestId('learner-recommendation').count(), { timeout: 120_000 })
        .toBeGreaterThan(0);
    },
  },
  {
    id: 'settings',
    async prepare(page) {
      await page.getByTestId('keys-status').waitFor({ state: 'visible', timeout: 30_000 });
    },
  },
];

describe.skipIf(!hasChromium)(`a screenshot of each view${skipReason}`, () => {
  // A throwaway bot secret, so the Live view's pictures show a bot the desk can sign for, not the
  // notice that no secret is set.
  const session = useSession('screenshots', () => ({
    env: { ...process.env, REGIMEN_BOT_SECRET: 'screenshots-throwaway-bot-secret' },
  }));

  it(`writes ${VIEWS.map((v) => `${v.id}.png`).join(', ')} to ${OUT}`, async () => {
    mkdirSync(OUT, { recursive: true });
    const { page, problems } = await openApp(session());
    const tabs = await page
      .locator('[data-testid^="tab-"]')
      .evaluateAll((nodes) => nodes.map((n) => (n.getAttribute('data-testid') ?? '').slice('tab-'.length)));
    // A new view gets a screenshot too: the list above must name every tab.
    expect(tabs).toEqual(VIEWS.map((v) => v.id));
    for (const view of VIEWS) {
      await page.getByTestId(`tab-${view.id}`).click();
      await page.getByTestId(`${view.id}-view`).waitFor({ state: 'visible' });
      await view.prepare(page);
      // The pointer off the charts, so no tooltip is caught in the picture.
      await page.mouse.move(0, 0);
      const file = join(OUT, `${view.id}.png`);
      await page.screenshot({ path: file });
      expect(statSync(file).size, file).toBeGreaterThan(20_000);
      for (const shot of view.more ?? []) {
        await shot.show(page);
        await page.mouse.move(0, 0);
        const extra = join(OUT, `${shot.file}.png`);
        await page.screenshot({ path: extra });
        expect(statSync(extra).size, extra).toBeGreaterThan(20_000);
        // A picture of a dialog (the tear sheet) leaves it open: Escape closes it before the next step.
        await page.keyboard.press('Escape');
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  }, 480_000);
});
