/**
 * A walk-forward run from the Optimize view shows how far it has got: against `regimen serve` on the demo
 * market, the Walk-forward panel's bar moves while the run goes ("window 3 of 10 · trials 12 / 40 ·
 * ~20 s left") and leaves once the result is shown.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('walkForwardProgress.e2e');
const RUN_TIMEOUT_MS = 180_000;
// Enough trials per window that the run lasts seconds even on an idle machine: at 40 it ended within
// about a second, before the poll had seen the bar at two shares (CI failed so at e5b66db).
const TRIALS = 300;

/** The bar's share (percent) and label as one read: the bar leaves the page when the run ends. */
const sample = (page: Page) =>
  page
    .locator('[data-testid="wf-progress"]')
    .evaluateAll((bars) =>
      bars.map((bar) => ({
        percent: Number(bar.getAttribute('aria-valuenow') ?? NaN),
        label: bar.textContent ?? '',
      })),
    )
    .then((bars) => bars[0] ?? null);

describe.skipIf(!hasChromium)(`walk-forward progress in the browser${skipReason}`, () => {
  const session = useSession('wfprogress');

  it(
    "shows the run's windows and trials moving, then its result",
    async () => {
      const { page, problems } = await openApp(session());
      await page.getByTestId('tab-optimize').click();
      const strategy = page.getByTestId('opt-strategy');
      await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await strategy.selectOption('sma-cross');
      await page.getByTestId('opt-tf-1h').click();
      await page.getByTestId('opt-sampler-random').click();
      for (const [id, value] of [
        ['opt-trial-count', String(TRIALS)],
        ['opt-seed', '4'],
        ['opt-min-trades', '1'],
        ['wf-train', '120'],
        ['wf-test', '30'],
        ['wf-step', '30'],
      ] as const)
        await page.getByTestId(id).fill(value);
      await page.getByTestId('wf-unit').selectOption('days');
      const run = page.getByTestId('run-walk-forward');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();

      const seen: { percent: number; label: string }[] = [];
      await expect
        .poll(
          async () => {
            const now = await sample(page);
            if (now !== null && /window \d+ of \d+/.test(now.label)) seen.push(now);
            // Two different shares seen: the bar moved while the run went.
            return new Set(seen.map((s) => s.percent)).size;
          },
          { timeout: RUN_TIMEOUT_MS, interval: 100 },
        )
        .toBeGreaterThanOrEqual(2);
      for (let i = 1; i < seen.length; i++)
        expect(seen[i]!.percent).toBeGreaterThanOrEqual(seen[i - 1]!.percent);
      expect(seen[0]!.label).toMatch(new RegExp(`window \\d+ of \\d+ · trials \\d+ / ${TRIALS}`));
      expect(seen.some((s) => /~\d+ (s|min) left/.test(s.label))).toBe(true);

      await page.getByTestId('wf-summary').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      const windows = await page.getByTestId('wf-window').count();
      // The label's total is the result's window count.
      expect(seen[0]!.label).toContain(` of ${windows}`);
      await expect.poll(() => page.getByTestId('wf-progress').count()).toBe(0);
      expect(problems).toEqual([]);
    },
    RUN_TIMEOUT_MS + 60_000,
  );
});
