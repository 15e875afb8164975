/**
 * A walk-forward run from the Optimize view shows how far it has got: against `regimen serve` on the demo
 * market, the Walk-forward panel's bar moves while the run goes ("window 3 of 10 · trials 12 / 40 ·
 * ~20 s left") and leaves once the result is shown; a run and its result outlive a switch to another tab.
 */
import { describe, expect, it } from 'vitest';
import { chromiumSkipReason, hasChromium, openApp, recordProgressBar, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('walkForwardProgress.e2e');
const RUN_TIMEOUT_MS = 180_000;
// One-minute bars and 300 trials make each window's study last longer than the server's 200 ms progress
// throttle (about 0.4 s idle), so events land inside windows, their trials showing: on hourly bars a
// whole 21-window run took 0.7 s and a run could show no window's trials (CI failed so at 7c034cd).
const TRIALS = 300;

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
      await page.getByTestId('opt-tf-1m').click();
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

      // Every state the bar is rendered in, recorded by the page itself as it changes.
      const shownStates = await recordProgressBar(page, 'wf-progress');
      await run.click();

      await page.getByTestId('wf-summary').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      const shown = await shownStates();
      // The bar moved while the run went, and never backwards.
      expect(new Set(shown.map((s) => s.percent)).size).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < shown.length; i++)
        expect(shown[i]!.percent).toBeGreaterThanOrEqual(shown[i - 1]!.percent);
      const inWindow = shown.filter((s) => /window \d+ of \d+/.test(s.label));
      expect(inWindow.length).toBeGreaterThan(0);
      expect(inWindow[0]!.label).toMatch(new RegExp(`window \\d+ of \\d+ · trials \\d+ / ${TRIALS}`));
      expect(shown.some((s) => /~\d+ (s|min) left/.test(s.label))).toBe(true);

      const windows = await page.getByTestId('wf-window').count();
      // The label's total is the result's window count.
      expect(inWindow[0]!.label).toContain(` of ${windows}`);
      await expect.poll(() => page.getByTestId('wf-progress').count()).toBe(0);
      expect(problems).toEqual([]);
    },
    RUN_TIMEOUT_MS + 60_000,
  );

  it(
    'keeps a run going while the trader is on another tab, and its windows and result when they come back',
    async () => {
      const { page, problems } = await openApp(session());
      await page.getByTestId('tab-optimize').click();
      const strategy = page.getByTestId('opt-strategy');
      await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBe(3);
      await strategy.selectOption('sma-cross');
      await page.getByTestId('opt-tf-1h').click();
      await page.getByTestId('opt-sampler-random').click();
      await page.getByTestId('opt-trial-count').fill('10');
      await page.getByTestId('wf-train').fill('90');
      const run = page.getByTestId('run-walk-forward');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();
      // Left while it runs: the panel unmounts, and its own state dropped the run's answer.
      await page.getByTestId('tab-backtest').click();
      await page.getByTestId('backtest-view').waitFor({ state: 'visible' });
      await page.getByTestId('tab-optimize').click();
      await page.getByTestId('wf-summary').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      expect(await page.getByTestId('wf-train').inputValue()).toBe('90');
      // And it is still there after another round trip.
      await page.getByTestId('tab-compare').click();
      await page.getByTestId('tab-optimize').click();
      await expect.poll(() => page.getByTestId('wf-summary').count()).toBe(1);
      expect(problems).toEqual([]);
    },
    RUN_TIMEOUT_MS + 60_000,
  );
});
