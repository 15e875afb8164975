/**
 * End to end for the Optimize workspace: `regimen serve` on a fresh data dir (the demo market), the built
 * renderer in headless Debian Chromium. Set up an sma-cross study on 1h bars (a narrowed space, random
 * sampler, 30 trials, one set per regime too), start it and watch trials arrive over the event socket
 * into the charts and the table until the progress reaches the total; check the best parameters, the
 * overfitting statistics and each regime's set;
 * inspect one trial's backtest with the Backtest view's panels; approve it and see it marked; reload and
 * find the study, its trials, its approval and its per-regime sets kept. Saves artifacts/optimize-e2e.png.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, chromiumSkipReason, hasChromium, openApp, paintedPixels, useSession } from './harness.ts';

const SCREENSHOT = join(ARTIFACTS, 'optimize-e2e.png');
const INSPECT_SCREENSHOT = join(ARTIFACTS, 'optimize-inspect-e2e.png');
const PARETO_SCREENSHOT = join(ARTIFACTS, 'optimize-pareto-e2e.png');
const skipReason = chromiumSkipReason('optimize.e2e');

const STUDY_TIMEOUT_MS = 60_000;
const TRIALS = 30;
/** Far more than the test waits for, so a cancel lands while the study runs. */
const PARETO_TRIALS = 5_000;

async function numberAttribute(page: Page, testId: string, name: string): Promise<number> {
  return Number(await page.getByTestId(testId).getAttribute(name));
}

/** In the study form: sma-cross on the demo symbol listed at `symbolIndex`, 1h bars; returns the symbol. */
async function chooseSmaCross1h(page: Page, symbolIndex: number): Promise<string | null> {
  const strategy = page.getByTestId('opt-strategy');
  await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await strategy.selectOption('sma-cross');
  const symbolSelect = page.getByTestId('opt-symbol');
  await expect
    .poll(() => symbolSelect.locator('option').count(), { timeout: 30_000 })
    .toBeGreaterThan(symbolIndex);
  const symbol = await symbolSelect.locator('option').nth(symbolIndex).getAttribute('value');
  expect(symbol).toBeTruthy();
  await symbolSelect.selectOption(symbol ?? '');
  await page.getByTestId('opt-tf-1h').click();
  return symbol;
}

describe.skipIf(!hasChromium)(`optimisation in the browser against regimen serve${skipReason}`, () => {
  const session = useSession('opt');

  it(
    'runs a study live, shows the winner and its overfitting statistics, inspects and approves a trial',
    async () => {
      const { page, problems, eventFrames } = await openApp(session());
      await page.getByTestId('tab-optimize').click();
      await page.getByTestId('optimize-view').waitFor({ state: 'visible' });

      // Set up: sma-cross on a demo symbol's 1h bars, a narrowed space, random sampler, 30 trials.
      const symbol = await chooseSmaCross1h(page, 1);
      await page.getByTestId('opt-sampler-random').click();
      await expect(page.getByTestId('opt-constraints').innerText()).resolves.toContain('fast < slow');
      for (const [id, value] of [
        ['opt-min-fast', '5'],
        ['opt-max-fast', '50'],
        ['opt-step-fast', '5'],
        ['opt-min-slow', '20'],
        ['opt-max-slow', '200'],
        ['opt-step-slow', '10'],
        ['opt-trial-count', String(TRIALS)],
        ['opt-seed', '11'],
        ['opt-min-trades', '3'],
      ] as const)
        await page.getByTestId(id).fill(value);
      expect(await page.getByTestId('opt-objective-sharpeRatio').isChecked()).toBe(true);
      // One set per regime from the same trials (issue 11 item 8): the rule detector, 3 trades to earn one.
      await page.getByTestId('opt-per-regime').check();
      await page.getByTestId('opt-per-regime-detector').selectOption('rules');
      await page.getByTestId('opt-per-regime-min-trades').fill('3');

      const start = page.getByTestId('opt-start-button');
      await expect.poll(() => start.isEnabled()).toBe(true);
      await start.click();

      // Live: trials reach the table and the charts before the study is over, then progress reaches the total.
      await expect
        .poll(() => numberAttribute(page, 'opt-trials', 'data-count'), { timeout: STUDY_TIMEOUT_MS })
        .toBeGreaterThan(0);
      await expect
        .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: STUDY_TIMEOUT_MS })
        .toBe('complete');
      expect(await numberAttribute(page, 'opt-progress', 'data-done')).toBe(TRIALS);
      expect(await numberAttribute(page, 'opt-progress', 'data-total')).toBe(TRIALS);
      expect(await numberAttribute(page, 'opt-trials', 'data-count')).toBe(TRIALS);
      // Where its trials warmed up, as the CLI's report says it: no start date, so inside the range.
      await expect(page.getByTestId('opt-warm-up').innerText()).resolves.toMatch(
        /^Warm-up: inside the range: /,
      );
      const trialFrames = eventFrames
        .map((frame) => JSON.parse(frame) as { channel?: string; payload?: { trials?: unknown[] } })
        .filter((message) => message.channel === 'optimize:trial')
        .map((message) => message.payload?.trials?.length ?? 0);
      expect(trialFrames.length, 'optimize:trial events over /events').toBeGreaterThan(0);
      expect(trialFrames.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(TRIALS);
      // The heatmap paints one cell per distinct pair TPE tried, so its area follows the results (with the
      // equity cost defaults this study paints ~1,970 pixels there); the line charts paint far more.
      for (const [chart, least] of [
        ['opt-chart-convergence', 2_000],
        ['opt-chart-heatmap', 1_500],
        ['opt-chart-parallel', 2_000],
        ['opt-chart-response', 2_000],
      ] as const)
        await expect.poll(() => paintedPixels(page, chart), { timeout: 10_000 }).toBeGreaterThan(least);

      // Analysis (issue 15 item 7): importance over every complete trial, contour and slices painted; a
      // filter no trial passes empties the table, the charts and the importance alike, and clearing it
      // brings them back.
      await page.getByTestId('opt-tab-analysis').click();
      await expect
        .poll(() => page.getByTestId('opt-importance-used').innerText(), { timeout: 30_000 })
        .toContain(`${TRIALS} trials`);
      for (const chart of [
        'opt-chart-importance',
        'opt-chart-contour',
        'opt-chart-slice',
        'opt-chart-parallel',
      ])
        await expect.poll(() => paintedPixels(page, chart), { timeout: 10_000 }).toBeGreaterThan(1_000);
      await page.getByTestId('opt-top-n').selectOption('10');
      await page.getByTestId('opt-filter-minTrades').fill('1000000');
      await expect.poll(() => numberAttribute(page, 'opt-trials', 'data-count')).toBe(0);
      expect(await numberAttribute(page, 'opt-filter-count', 'data-shown')).toBe(0);
      await expect
        .poll(() => page.getByTestId('opt-importance-panel').innerText(), { timeout: 30_000 })
        .toMatch(/at least 2 trials .*have 0/);
      await page.getByTestId('opt-filter-minTrades').fill('');
      await expect.poll(() => numberAttribute(page, 'opt-trials', 'data-count')).toBe(TRIALS);
      await expect
        .poll(() => paintedPixels(page, 'opt-chart-importance'), { timeout: 30_000 })
        .toBeGreaterThan(1_000);
      await page.getByTestId('opt-tab-search').click();

      // Results: the winner's parameters respect the space and its constraint.
      const best = page.getByTestId('opt-best');
      await best.waitFor({ state: 'visible', timeout: 10_000 });
      const fast = Number(await page.getByTestId('opt-best-param-fast').innerText());
      const slow = Number(await page.getByTestId('opt-best-param-slow').innerText());
      expect(fast % 5).toBe(0);
      expect(fast).toBeGreaterThanOrEqual(5);
      expect(slow).toBeLessThanOrEqual(200);
      expect(fast).toBeLessThan(slow);
      expect(await page.getByTestId('opt-best-objective-0').innerText()).toMatch(/^-?[\d,]+\.\d+$/);

      // Overfitting statistics, each labelled with its one-line explanation.
      await page.getByTestId('opt-overfitting').waitFor({ state: 'visible', timeout: 15_000 });
      expect(await page.getByTestId('opt-stat-dsr-value').innerText()).toMatch(/^[\d.]+%$/);
      expect(await page.getByTestId('opt-stat-dsr').innerText()).toContain('lucky trials');
      expect(await page.getByTestId('opt-stat-pbo-value').innerText()).toMatch(/^([\d.]+%|n\/a)$/);
      expect(await page.getByTestId('opt-stat-pbo').innerText()).toContain('overfitting');
      await page.getByTestId('opt-stat-sensitivity').waitFor({ state: 'visible' });
      await page.getByTestId('opt-stat-plateau').waitFor({ state: 'visible' });

      // The winner's neighbourhood (issue 15 item 8): one row per parameter and direction inside the space.
      await page.getByTestId('opt-neighbourhood-run').click();
      await expect
        .poll(() => page.getByTestId('opt-neighbourhood').getAttribute('data-status'), { timeout: 60_000 })
        .toBe('ready');
      const neighbours = await page.getByTestId('opt-neighbour').count();
      expect(neighbours).toBeGreaterThanOrEqual(2);
      expect(neighbours).toBeLessThanOrEqual(4);

      // Each volatility regime's set, or the global set with the reason it fell back.
      const regimeSets = page.getByTestId('opt-per-regime-sets').locator('tbody tr');
      await expect.poll(() => regimeSets.count(), { timeout: 30_000 }).toBe(3);
      const regimeRows = await regimeSets.evaluateAll((rows) =>
        rows.map((row) => [
          row.getAttribute('data-regime'),
          row.getAttribute('data-fell-back'),
          row.textContent,
        ]),
      );
      expect(regimeRows.map((row) => row[0])).toEqual(['low', 'normal', 'high']);
      for (const [, fellBack, text] of regimeRows)
        expect(text).toMatch(fellBack === 'true' ? /global: .*(trades|never occurred)/ : /own set$/);

      // Inspect: the best row (the table sorts best first) runs its backtest into the Backtest panels.
      const firstRow = page.getByTestId('opt-trial-row').first();
      const trialNumber = Number(await firstRow.getAttribute('data-trial'));
      expect(trialNumber).toBe(Number(await best.getAttribute('data-trial')));
      await firstRow.click();
      const inspect = page.getByTestId('opt-inspect');
      await expect
        .poll(() => inspect.getAttribute('data-status'), { timeout: STUDY_TIMEOUT_MS })
        .toBe('ready');
      expect(Number(await inspect.getAttribute('data-trial'))).toBe(trialNumber);
      const trades = Number(await page.getByTestId('metric-numTrades').getAttribute('data-value'));
      expect(trades).toBeGreaterThanOrEqual(3);
      expect(Number(await page.getByTestId('trade-list').getAttribute('data-trade-count'))).toBe(trades);
      await expect
        .poll(() => paintedPixels(page, 'equity-chart'), { timeout: 10_000 })
        .toBeGreaterThan(5_000);
      await page.screenshot({ path: INSPECT_SCREENSHOT });

      // Approve: the set is kept with the study and marked in the inspector, the results and the table.
      await page.getByTestId('opt-approve-trial').click();
      await page.getByTestId('opt-approve-confirm').click();
      await page.getByTestId('opt-inspect-approved').waitFor({ state: 'visible', timeout: 10_000 });
      const approved = await page.getByTestId('opt-approved').innerText();
      expect(approved).toContain(`fast=${fast}`);
      expect(approved).toContain(`slow=${slow}`);
      await page.getByTestId('opt-show-search').click();
      await expect
        .poll(() =>
          page
            .locator(`[data-testid="opt-trial-row"][data-trial="${trialNumber}"]`)
            .getAttribute('data-approved'),
        )
        .toBe('true');
      await expect
        .poll(() => paintedPixels(page, 'opt-chart-heatmap'), { timeout: 10_000 })
        .toBeGreaterThan(1_500);
      await page.screenshot({ path: SCREENSHOT });
      expect(problems, problems.join('\n')).toEqual([]);

      // Kept: after a reload the study is listed, and opening it brings back its trials and approval.
      await page.reload();
      await page.getByTestId('tab-optimize').click();
      const item = page.getByTestId('opt-study-item').first();
      await item.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await item.getAttribute('data-state')).toBe('complete');
      await item.click();
      await expect
        .poll(() => numberAttribute(page, 'opt-trials', 'data-count'), { timeout: 15_000 })
        .toBe(TRIALS);
      expect(await page.getByTestId('opt-approved').innerText()).toContain(`fast=${fast}`);
      // The per-regime sets are stored with the study.
      await expect.poll(() => regimeSets.count(), { timeout: 15_000 }).toBe(3);

      // Hand the best trial to the Backtest workspace: the same backtest, its parameters in the form.
      await page.getByTestId('opt-trial-row').first().click();
      await expect
        .poll(() => page.getByTestId('opt-inspect').getAttribute('data-status'), { timeout: 30_000 })
        .toBe('ready');
      const inspectedReturn = await page.getByTestId('metric-totalReturn').getAttribute('data-value');
      await page.getByTestId('opt-open-backtest').click();
      await page.getByTestId('backtest-view').waitFor({ state: 'visible' });
      await expect.poll(() => page.getByTestId('chart-symbol').innerText()).toBe(symbol);
      expect(await page.getByTestId('metric-totalReturn').getAttribute('data-value')).toBe(inspectedReturn);
      expect(await page.getByTestId('param-fast').inputValue()).toBe(String(fast));
      expect(await page.getByTestId('param-slow').inputValue()).toBe(String(slow));
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    },
    STUDY_TIMEOUT_MS * 2 + 30_000,
  );

  it(
    'shows the Pareto front of two objectives, cancels keeping finished trials, and resumes',
    async () => {
      const { page, problems } = await openApp(session());
      await page.getByTestId('tab-optimize').click();
      await chooseSmaCross1h(page, 2);
      await page.getByTestId('opt-sampler-nsga2').click();
      await page.getByTestId('opt-objective-maxDrawdown').check();
      expect(await page.getByTestId('opt-mode-pareto').getAttribute('aria-pressed')).toBe('true');
      await page.getByTestId('opt-trial-count').fill(String(PARETO_TRIALS));
      await page.getByTestId('opt-seed').fill('5');
      await page.getByTestId('opt-min-trades').fill('3');
      await page.getByTestId('opt-start-button').click();

      // Cancel part-way: the finished trials stay, and the study can be resumed. Counted as finished by
      // the progress, not by the table's rows, which include running trials a cancel drops (CI once saw
      // 12 rows and 10 kept).
      await expect
        .poll(() => numberAttribute(page, 'opt-progress', 'data-done'), { timeout: STUDY_TIMEOUT_MS })
        .toBeGreaterThanOrEqual(12);
      await page.getByTestId('opt-cancel').click();
      await expect
        .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('cancelled');
      const kept = await numberAttribute(page, 'opt-progress', 'data-done');
      expect(kept).toBeGreaterThanOrEqual(12);
      expect(kept).toBeLessThan(PARETO_TRIALS);
      await expect.poll(() => numberAttribute(page, 'opt-trials', 'data-count')).toBeGreaterThanOrEqual(kept);

      // The front of the two objectives is drawn and counted.
      await expect
        .poll(() => paintedPixels(page, 'opt-chart-pareto'), { timeout: 10_000 })
        .toBeGreaterThan(2_000);
      const title = await page.getByTestId('opt-pareto-panel').innerText();
      const front = Number(/front · (\d+) on it/i.exec(title)?.[1] ?? '0');
      expect(front).toBeGreaterThan(0);
      expect(front).toBeLessThanOrEqual(kept);

      // Resume: the same study carries on from where it stopped (then is stopped again to free the pool).
      await page.getByTestId('opt-resume').click();
      await expect
        .poll(() => numberAttribute(page, 'opt-progress', 'data-done'), { timeout: STUDY_TIMEOUT_MS })
        .toBeGreaterThan(kept + 10);
      expect(await page.getByTestId('opt-header').getAttribute('data-state')).toBe('running');
      expect(await numberAttribute(page, 'opt-progress', 'data-total')).toBe(PARETO_TRIALS);
      await page.getByTestId('opt-cancel').click();
      await expect
        .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('cancelled');
      const done = await numberAttribute(page, 'opt-progress', 'data-done');
      await expect
        .poll(() => numberAttribute(page, 'opt-trials', 'data-count'), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(done);
      await page.getByTestId('opt-front').waitFor({ state: 'visible', timeout: 10_000 });
      await page.screenshot({ path: PARETO_SCREENSHOT });
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    },
    STUDY_TIMEOUT_MS * 2,
  );
});
