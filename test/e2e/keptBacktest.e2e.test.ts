/**
 * What a trader does with a backtest in the browser, against `regimen serve` on the demo market: looks at
 * another symbol and comes back (the result was gone), switches timeframe while a run is computing (its
 * result was dropped unseen), pins one run and then runs another (the button still said "pinned"), and
 * opens a study's trial in the Backtest view (its Pin was disabled, unexplained).
 */
import { describe, expect, it } from 'vitest';
import { chromiumSkipReason, hasChromium, openApp, startRandomStudy, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('keptBacktest.e2e');
const RUN_TIMEOUT_MS = 120_000;
/** Three months of the demo's 1-minute bars: long enough for trades, short enough to run fast. */
const RANGE = { start: '2024-01-01', end: '2024-04-01' } as const;

describe.skipIf(!hasChromium)(`a backtest kept across the chart's moves${skipReason}`, () => {
  const session = useSession('kept-backtest');

  it(
    'keeps the last backtest while the chart looks elsewhere, and pins a new run or an opened trial',
    async () => {
      const { page, problems } = await openApp(session());
      const run = page.getByTestId('run-backtest');
      const total = page.getByTestId('metric-row-totalReturn');
      const pin = page.getByTestId('backtest-pin');
      await expect.poll(() => run.isEnabled(), { timeout: 60_000 }).toBe(true);
      await page.getByTestId('strategy-select').selectOption('sma-cross');
      await page.getByTestId('range-summary').click();
      await page.getByTestId('backtest-start').fill(RANGE.start);
      await page.getByTestId('backtest-end').fill(RANGE.end);
      await page.getByTestId('timeframe-15m').click();
      const first = page.getByTestId('symbol-item').first();
      const firstSymbol = (await first.getAttribute('data-symbol')) ?? '';
      await first.click();
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();
      await total.waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      const figure = await total.getAttribute('data-value');

      // Pinned; a second run with other parameters is not the pinned one.
      await expect.poll(() => pin.isEnabled(), { timeout: 30_000 }).toBe(true);
      await pin.click();
      await expect.poll(() => pin.getAttribute('data-pinned'), { timeout: 30_000 }).toBe('pinned');
      await page.getByTestId('param-fast').fill('5');
      await run.click();
      await expect.poll(() => total.getAttribute('data-value'), { timeout: RUN_TIMEOUT_MS }).not.toBe(figure);
      expect(await pin.getAttribute('data-pinned')).toBe('idle');
      const second = await total.getAttribute('data-value');

      // Another symbol, then back: the result is shown again.
      await page.getByTestId('symbol-item').nth(1).click();
      await page.getByTestId('kept-aside').waitFor({ state: 'visible', timeout: 30_000 });
      expect(await total.count()).toBe(0);
      await page.locator(`[data-testid="symbol-item"][data-symbol="${firstSymbol}"]`).click();
      await expect.poll(() => total.getAttribute('data-value'), { timeout: 30_000 }).toBe(second);

      // A run on 1m; the trader switches to 1h while it computes: it is kept aside, and Show goes back.
      await page.getByTestId('timeframe-1m').click();
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();
      await page.getByTestId('timeframe-1h').click();
      await expect.poll(() => run.isEnabled(), { timeout: RUN_TIMEOUT_MS }).toBe(true);
      const show = page.getByTestId('show-kept-aside');
      await expect.poll(() => show.textContent(), { timeout: 30_000 }).toBe(`Show ${firstSymbol} 1m`);
      await show.click();
      await total.waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.getByTestId('timeframe-1m').getAttribute('aria-pressed')).toBe('true');

      // A study's trial opened in the Backtest view can be pinned.
      await startRandomStudy(page, 3);
      await expect
        .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: RUN_TIMEOUT_MS })
        .toBe('complete');
      await page.getByTestId('opt-trial-row').first().click();
      const open = page.getByTestId('opt-open-backtest');
      await expect.poll(() => open.isEnabled(), { timeout: RUN_TIMEOUT_MS }).toBe(true);
      await open.click();
      await total.waitFor({ state: 'visible', timeout: 30_000 });
      await expect.poll(() => pin.isEnabled(), { timeout: 30_000 }).toBe(true);
      await pin.click();
      await expect.poll(() => pin.getAttribute('data-pinned'), { timeout: 30_000 }).toBe('pinned');
      expect(problems).toEqual([]);
    },
    RUN_TIMEOUT_MS * 6,
  );
});
