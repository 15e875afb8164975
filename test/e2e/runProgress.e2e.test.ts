/**
 * The scorecard and a regime comparison show how far they have got, as a walk-forward does: against
 * `regimen serve` on the demo market's hourly bars, the Scorecard view's and the Regimes panel's bars
 * move through the run's parts ("optimised and regime-aware policies · 2 of 6 windows done · ~4 s
 * left") and leave once the result is shown. Every state a bar is rendered in is recorded by the page
 * (recordProgressBar): a run of a few seconds has few states, and a poll could miss them.
 *   npm run build && npx vitest run test/e2e/runProgress.e2e.test.ts
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  chromiumSkipReason,
  hasChromium,
  openApp,
  recordProgressBar,
  useSession,
  type ShownProgress,
} from './harness.ts';

const skipReason = chromiumSkipReason('runProgress.e2e');
const RUN_TIMEOUT_MS = 180_000;

/** The demo symbol's hourly bars in the Backtest view (what the Learner view and the Regimes panel read). */
async function openHourlyBars(page: Page): Promise<void> {
  const symbols = page.getByTestId('symbol-item');
  await expect.poll(() => symbols.count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await symbols.first().click();
  await page.getByTestId('timeframe-1h').click();
  await expect
    .poll(() => page.getByTestId('price-panel').getAttribute('data-bars-timeframe'), { timeout: 30_000 })
    .toBe('1h');
}

/**
 * A run's recorded states: the bar moved and never backwards, named its parts in the order `parts`
 * gives (at least two of them), counted windows and said a time left.
 */
function expectMovingThroughParts(shown: ShownProgress[], parts: readonly string[]): void {
  expect(new Set(shown.map((s) => s.percent)).size).toBeGreaterThanOrEqual(2);
  for (let i = 1; i < shown.length; i++)
    expect(shown[i]!.percent).toBeGreaterThanOrEqual(shown[i - 1]!.percent);
  const named = shown.map((s) => parts.findIndex((part) => s.label.includes(part))).filter((k) => k >= 0);
  expect(new Set(named).size).toBeGreaterThanOrEqual(2);
  expect(named).toEqual([...named].sort((a, b) => a - b));
  expect(shown.some((s) => /\d+ of \d+ windows done/.test(s.label))).toBe(true);
  expect(shown.some((s) => /~\d+ (s|min) left/.test(s.label))).toBe(true);
}

describe.skipIf(!hasChromium)(`long runs' progress in the browser${skipReason}`, () => {
  const session = useSession('runprogress');

  it(
    "the scorecard's bar moves through its policies, then its tables are shown, kept for their symbol",
    async () => {
      const { page, problems } = await openApp(session());
      // Hourly bars, the Learner view's shortest run on the demo market (its window count is set by the
      // timeframe; four-hour bars leave too few), at 4 trials, not the default 20: every part still runs
      // and reports, in about half the CPU time (the CLI on ALFA 1h: 7.7 s user at 4, 13.9 s at 20).
      await openHourlyBars(page);
      await page.getByTestId('tab-learner').click();
      await expect
        .poll(() => page.getByTestId('learner-timeframe').inputValue(), { timeout: 30_000 })
        .toBe('1h');
      await page.getByTestId('scorecard-trials').fill('4');
      const shownStates = await recordProgressBar(page, 'scorecard-progress');
      const asked = page.waitForRequest((r) => /\/api\/learner(:|%3A)scorecard/.test(r.url()));
      await page.getByTestId('scorecard-run').click();
      expect((await asked).postDataJSON()).toMatchObject({ trials: 4 });
      await page.getByTestId('scorecard-table').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      expectMovingThroughParts(await shownStates(), [
        'full-sample study of the trials',
        'optimised and regime-aware policies',
        'probability of backtest overfitting',
        "learner policy: every trial on the learner's windows",
        'learner policy: learning window by window',
        'default and learner policies',
      ]);
      await expect.poll(() => page.getByTestId('scorecard-progress').count()).toBe(0);

      // A look at another symbol leaves the card kept for its own, named, and one click brings it back.
      const symbol = await page.getByTestId('learner-symbol').inputValue();
      const subject = new RegExp(`^${symbol} 1h, (regular|extended) hours$`);
      expect(await page.getByTestId('scorecard-subject').innerText()).toMatch(subject);
      const other = await page
        .getByTestId('learner-symbol')
        .locator('option')
        .evaluateAll((options, shown) => options.map((o) => o.textContent).find((s) => s !== shown), symbol);
      await page.getByTestId('learner-symbol').selectOption(other!);
      await expect.poll(() => page.getByTestId('scorecard-table').count()).toBe(0);
      const kept = page.getByTestId('scorecard-other');
      expect(await kept.allInnerTexts()).toEqual([expect.stringMatching(subject)]);
      await kept.click();
      await page.getByTestId('scorecard-table').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.getByTestId('learner-symbol').inputValue()).toBe(symbol);
      expect(await page.getByTestId('scorecard-subject').innerText()).toMatch(subject);
      expect(problems).toEqual([]);
    },
    RUN_TIMEOUT_MS + 60_000,
  );

  it(
    "a regime comparison's bar moves through its study and windows, then its verdict is shown",
    async () => {
      const { page, problems } = await openApp(session());
      // 40 trials on hourly bars: a run of about 2 s.
      await openHourlyBars(page);
      await page.getByTestId('regime-trials').fill('40');
      await page.getByTestId('regime-min-trades').fill('5');
      const shownStates = await recordProgressBar(page, 'regime-progress');
      await page.getByTestId('regime-run-compare').click();
      await page.getByTestId('regime-verdict').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      expectMovingThroughParts(await shownStates(), [
        'full-sample study of the trials',
        'global and regime-aware policies',
        'probability of backtest overfitting',
      ]);
      await expect.poll(() => page.getByTestId('regime-progress').count()).toBe(0);
      expect(problems).toEqual([]);
    },
    RUN_TIMEOUT_MS + 60_000,
  );
});
