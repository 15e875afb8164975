/**
 * An account wiped out in the app (session 13 stopped the engine there, as backtesting.py does): a planted
 * daily series whose sma-cross 5/20 short runs into a gap from 54.8 to 300 (test/support/gapUp.ts),
 * uploaded to `regimen serve`. The Backtest view says when it was wiped out, in the Settings time zone as
 * its warm-up sentence and its tear sheet do; the Optimize view marks the wiped-out trial in its table (the reason in its
 * state and hover title, ranked after every trial with a result) and counts it beside the winner.
 *   npm run build && npx vitest run test/e2e/wipedOut.e2e.test.ts
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { timeFormat } from '../../src/shared/timeZone.ts';
import { gapUpCsv } from '../support/gapUp.ts';
import { chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('wipedOut.e2e');
/** The Settings time zone of a fresh data folder: the exchange's. */
const ZONE = 'America/New_York';

/** Uploads the gap-up series as GAPUP (daily bars) from the Data view. */
async function uploadGapUp(page: Page): Promise<void> {
  await page.getByTestId('tab-data').click();
  await page.getByTestId('data-view').waitFor({ state: 'visible' });
  await page.getByTestId('import-file').setInputFiles({
    name: 'GAPUP.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(gapUpCsv()),
  });
  await expect
    .poll(() => page.getByTestId('import-result').innerText(), { timeout: 30_000 })
    .toMatch(/GAPUP\.csv: 140 bars stored as GAPUP 1d/);
}

describe.skipIf(!hasChromium)(`a wiped-out account in the browser${skipReason}`, () => {
  const session = useSession('wipedout');

  it('the Backtest view says when the account was wiped out, and its warm-up bar, in the Settings zone', async () => {
    const { page, problems } = await openApp(session());
    await uploadGapUp(page);
    await page.getByTestId('tab-backtest').click();
    await page.locator('[data-testid="symbol-item"][data-symbol="GAPUP"]').click({ timeout: 30_000 });
    await page.getByTestId('timeframe-1d').click();
    await page.getByTestId('strategy-select').selectOption('sma-cross');
    await page.getByTestId('param-fast').fill('5');
    await page.getByTestId('param-slow').fill('20');
    const run = page.getByTestId('run-backtest');
    await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
    await run.click();

    // Bar 100 (2022-05-23) gaps to 300: the short's equity is below 0 at that close.
    const notice = page.getByTestId('wiped-out');
    await notice.waitFor({ state: 'visible', timeout: 120_000 });
    // The import stamps a day's bar at its session's midnight in the exchange's zone.
    const time = timeFormat(ZONE);
    expect(time.barTime(Number(await notice.getAttribute('data-time')), '1d')).toBe('2022-05-23');
    expect(await notice.innerText()).toMatch(
      /^Account wiped out on 2022-05-23 America\/New_York: the equity fell to or below 0 at that close/,
    );
    expect(await page.getByTestId('metric-row-finalEquity').getAttribute('data-value')).toBe('0');
    // The tear sheet says it too, above its figures.
    await page.getByTestId('open-tear-sheet').click();
    const sheetNotice = page
      .frameLocator('[data-testid="tear-sheet-frame"]')
      .getByTestId('tear-sheet-notice');
    expect(await sheetNotice.innerText()).toBe(await notice.innerText());
    await page.getByTestId('tear-sheet-close').click();

    // No bar before the series: its first 20 bars warm up (the 20-bar average, and the bar before the
    // first signal bar must have it too), and the sentence names the bar it trades from as the rest of
    // the view does, not as a UTC ISO stamp ("2022-01-31T05:00:00.000Z" before).
    const range = page.getByTestId('backtest-range');
    const tradingFrom = Number(await range.getAttribute('data-trading-from'));
    const day = time.barTime(tradingFrom, '1d');
    expect(day).toBe('2022-01-31');
    expect((await page.getByTestId('backtest-warmup').innerText()).trim()).toBe(
      `(too few bars before the range to warm the strategy's indicators up: its first 20 bars did, and it trades from ${day} ${ZONE})`,
    );
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);

  it('the Optimize view marks the wiped-out trial, ranks it last and counts it beside the winner', async () => {
    const { page, problems } = await openApp(session());
    await uploadGapUp(page);
    await page.getByTestId('tab-optimize').click();
    const strategy = page.getByTestId('opt-strategy');
    await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await strategy.selectOption('sma-cross');
    await page.getByTestId('opt-symbol').selectOption('GAPUP');
    await page.getByTestId('opt-tf-1d').click();
    await page.getByTestId('opt-sampler-grid').click();
    // fast 5; slow 20 shorts into the gap (wiped out, as `regimen optimize` measured it), 50, 80 and 110
    // do not (no closed trade, and no minimum asked for: they can win).
    await page.getByTestId('opt-range-fast').uncheck();
    await page.getByTestId('opt-value-fast').fill('5');
    await page.getByTestId('opt-min-slow').fill('20');
    await page.getByTestId('opt-max-slow').fill('110');
    await page.getByTestId('opt-step-slow').fill('30');
    await page.getByTestId('opt-min-trades').fill('0');
    const start = page.getByTestId('opt-start-button');
    await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
    await start.click();
    await expect
      .poll(() => page.getByTestId('opt-state').textContent(), { timeout: 120_000 })
      .toBe('complete');

    const rows = page.getByTestId('opt-trial-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(4);
    const wiped = page.locator('[data-testid="opt-trial-row"][data-wiped-out="true"]');
    expect(await wiped.count()).toBe(1);
    expect(await wiped.getAttribute('data-trial')).toBe('0');
    expect(await wiped.getByTestId('opt-trial-state').innerText()).toBe('wiped out');
    expect(await wiped.getAttribute('title')).toMatch(/^Trial #0 wiped out the account: its equity fell/);
    const states = async () => rows.getByTestId('opt-trial-state').allInnerTexts();
    // Best first, the wiped-out trial last: its objective has no value, as a flat trial's can have none.
    expect(await states()).toEqual(['★ best', 'complete', 'complete', 'wiped out']);
    expect(await rows.last().getAttribute('data-trial')).toBe('0');
    // Sorted by the objective either way, it stays below every trial that has a value.
    const sharpe = page.getByTestId('opt-sort-m:objective-0');
    await sharpe.click();
    expect(await rows.last().getAttribute('data-trial')).toBe('0');
    await sharpe.click();
    expect(await rows.last().getAttribute('data-trial')).toBe('0');
    expect((await page.getByTestId('opt-trials-wiped-out').innerText()).trim()).toBe('· 1 wiped out');

    // Beside the winner, the count and why.
    await page.getByTestId('opt-best').waitFor({ state: 'visible' });
    expect(await page.getByTestId('opt-results-wiped-out').innerText()).toBe(
      '1 trial wiped out the account (equity to 0, the run stopped there), ranked last: none of them can win.',
    );
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);
});
