/**
 * End to end for a study of several symbols (issue 15 item 10): `regimen serve` on a fresh data dir (the
 * demo market), the built renderer in headless Debian Chromium. Tick a second demo symbol beside the
 * chosen one, combine by 'worst', run a small sma-cross study and find each symbol's Sharpe beside the
 * combined one in the trials table and the winner's table, the combined one being the worse of the two;
 * then a walk-forward on both, each symbol's out-of-sample figures beside the combined ones, pinned to
 * Compare with the same figures.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('multiSymbol.e2e');
const TRIALS = 8;

/** A metric as the table prints it ("1.23", "-0.45"), back to a number. */
async function shownNumber(page: Page, selector: string): Promise<number> {
  const text = (await page.locator(selector).first().innerText()).replace(/[^\d.−-]/g, '').replace('−', '-');
  return Number(text);
}

describe.skipIf(!hasChromium)(`a study of two symbols in the browser${skipReason}`, () => {
  const session = useSession('multisym');

  it('scores one parameter set on two demo symbols, each shown beside the worse one it is ranked by', async () => {
    const { page, problems } = await openApp(session());
    await page.getByTestId('tab-optimize').click();
    await page.getByTestId('optimize-view').waitFor({ state: 'visible' });

    const strategy = page.getByTestId('opt-strategy');
    await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await strategy.selectOption('sma-cross');
    const symbolSelect = page.getByTestId('opt-symbol');
    await expect.poll(() => symbolSelect.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    const [first, second] = await symbolSelect
      .locator('option')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('value') ?? '').filter((v) => v !== ''));
    if (!first || !second) throw new Error('the demo market lists fewer than two symbols');
    await symbolSelect.selectOption(first);
    // The chosen symbol is ticked and fixed; the aggregation appears once a second one is ticked.
    expect(await page.getByTestId(`opt-also-${first}`).isDisabled()).toBe(true);
    expect(await page.getByTestId('opt-aggregation').count()).toBe(0);
    await page.getByTestId(`opt-also-${second}`).check();
    await expect.poll(() => page.getByTestId('opt-aggregation').inputValue()).toBe('worst');
    await page.getByTestId('opt-tf-1h').click();
    await page.getByTestId('opt-sampler-random').click();
    // Half a year of the demo's two: the check is per row, and every trial reads and resamples these bars.
    for (const [id, value] of [
      ['opt-start', '2024-01-01'],
      ['opt-end', '2024-07-01'],
      ['opt-min-fast', '5'],
      ['opt-max-fast', '30'],
      ['opt-step-fast', '5'],
      ['opt-min-slow', '40'],
      ['opt-max-slow', '120'],
      ['opt-step-slow', '20'],
      ['opt-trial-count', String(TRIALS)],
      ['opt-seed', '5'],
      ['opt-min-trades', '0'],
    ] as const)
      await page.getByTestId(id).fill(value);
    const start = page.getByTestId('opt-start-button');
    await expect.poll(() => start.innerText()).toContain(`${first}, ${second}`);
    await expect.poll(() => start.isEnabled()).toBe(true);
    await start.click();
    await expect
      .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: 90_000 })
      .toBe('complete');
    // The study's header names every symbol it scores, not only the first.
    expect(await page.getByTestId('opt-header-symbols').innerText()).toBe(`${first}, ${second}`);

    // Per-symbol columns, and on every row the combined Sharpe is the worse symbol's.
    for (const symbol of [first, second])
      await page
        .getByTestId(`opt-sort-s:sharpeRatio@${symbol}`)
        .waitFor({ state: 'visible', timeout: 30_000 });
    const rows = page.getByTestId('opt-trial-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(TRIALS);
    for (let i = 0; i < TRIALS; i++) {
      const row = `[data-testid="opt-trial-row"] >> nth=${i}`;
      const combined = await shownNumber(page, `${row} >> [data-col="m:objective-0"]`);
      const a = await shownNumber(page, `${row} >> [data-col="s:sharpeRatio@${first}"]`);
      const b = await shownNumber(page, `${row} >> [data-col="s:sharpeRatio@${second}"]`);
      expect([a, b, combined].every(Number.isFinite), `row ${i}: ${a} ${b} ${combined}`).toBe(true);
      expect(combined, `row ${i}`).toBe(Math.min(a, b));
    }
    // The winner's own table: each symbol's figures, the headline being the worse Sharpe.
    const best = await shownNumber(page, '[data-testid="opt-best-objective-0"]');
    const bestA = await shownNumber(page, `[data-testid="opt-best-slice-sharpeRatio@${first}"]`);
    const bestB = await shownNumber(page, `[data-testid="opt-best-slice-sharpeRatio@${second}"]`);
    expect(best).toBe(Math.min(bestA, bestB));

    // A walk-forward on the same two symbols (two windows of 45 days after 90 of training, few trials):
    // each symbol's out-of-sample figures beside the combined ones, then pinned to Compare.
    await page.getByTestId('opt-trial-count').fill('3');
    await page.getByTestId('wf-unit').selectOption('days');
    for (const [id, value] of [
      ['wf-train', '90'],
      ['wf-test', '45'],
      ['wf-step', '45'],
    ] as const)
      await page.getByTestId(id).fill(value);
    await page.getByTestId('run-walk-forward').click();
    await page.getByTestId('wf-summary').waitFor({ state: 'visible', timeout: 120_000 });
    const sharpeOf = async (symbol: string): Promise<number> =>
      Number(await page.getByTestId(`wf-symbol-${symbol}`).getAttribute('data-sharpe'));
    const [wfA, wfB] = [await sharpeOf(first), await sharpeOf(second)];
    const wfCombined = Number(await page.getByTestId('wf-oos-sharpeRatio').getAttribute('data-value'));
    expect([wfA, wfB, wfCombined].every(Number.isFinite), `${wfA} ${wfB} ${wfCombined}`).toBe(true);
    expect(wfCombined).toBe(Math.min(wfA, wfB));
    // Said beside them: the Sharpe ratio is the worse symbol's, the return and the drawdown the mean.
    expect(await page.getByTestId('wf-combination').innerText()).toBe(
      `Combined: ${first}, ${second} scored together: Sharpe ratio, the trade count: the worst symbol's; ` +
        "every other figure: the mean of the symbols' (each symbol's own are listed); the stitched curve " +
        'holds equal capital in each.',
    );
    // And why the Learner view gains nothing from it.
    expect(await page.getByTestId('wf-not-learned').innerText()).toBe(
      `Learner: a run of several symbols (${first}, ${second}) is not learned: its windows were scored on ` +
        "them together and the ledger learns one symbol's market.",
    );
    // As the panel prints them, for the Compare tab's table (the Optimize view is gone once it opens).
    const shown = {
      sharpeRatio: await page.getByTestId('wf-oos-sharpeRatio').innerText(),
      [first]: /Sharpe (\S+)$/.exec(await page.getByTestId(`wf-symbol-${first}`).innerText())?.[1],
      [second]: /Sharpe (\S+)$/.exec(await page.getByTestId(`wf-symbol-${second}`).innerText())?.[1],
    };
    const pin = page.getByTestId('wf-pin');
    await pin.click();
    await expect.poll(() => pin.getAttribute('data-pinned'), { timeout: 30_000 }).toBe('pinned');

    // Compare: its combined curve, and the combined and per-symbol Sharpe the panel showed.
    await page.getByTestId('tab-compare').click();
    await expect
      .poll(() => page.getByTestId('compare-chart-box').getAttribute('data-series'), { timeout: 120_000 })
      .toBe('1');
    const column = await page.getByTestId('compare-column').first().innerText();
    expect(column).toContain(`${first}+${second}`);
    expect(column).toContain('walk-forward');
    const cell = (metric: string) => page.locator(`tr[data-metric="${metric}"] td`).first().innerText();
    expect(await cell('sharpeRatio')).toBe(shown.sharpeRatio);
    for (const symbol of [first, second]) expect(await cell(`sharpeRatio@${symbol}`)).toBe(shown[symbol]);
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  }, 300_000);
});
