/**
 * The Compare tab in the browser (issue 15 item 5): against `regimen serve` on the demo market, a
 * backtest, a small study's trial and a walk-forward run pinned, the Compare tab drawing the curves and marking the
 * metrics table against the reference column; the study renamed and annotated from its list, then
 * deleted through the confirm step, its trials gone and its pin saying so. Saves a picture in artifacts/.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, chromiumSkipReason, hasChromium, openApp, paintedPixels, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('compare.e2e');
const RUN_TIMEOUT_MS = 120_000;
const TRIALS = 4;
/**
 * A quarter of the demo's two years: every run and every pin's replay reads and resamples only these
 * 1-minute bars (the whole two years made the test three times as long, half a year 99 s under load, and
 * neither checked anything more).
 */
const RANGE = { start: '2024-01-01', end: '2024-04-01' } as const;

describe.skipIf(!hasChromium)(`the Compare tab in the browser${skipReason}`, () => {
  const session = useSession('compare');

  it(
    'pins a backtest and a trial, compares them, then renames, annotates and deletes the study',
    async () => {
      const { page, problems } = await openApp(session());

      // A backtest, pinned from its equity panel.
      const run = page.getByTestId('run-backtest');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await page.getByTestId('timeframe-1h').click();
      await page.getByTestId('strategy-select').selectOption('sma-cross');
      await page.getByTestId('range-summary').click();
      await page.getByTestId('backtest-start').fill(RANGE.start);
      await page.getByTestId('backtest-end').fill(RANGE.end);
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();
      await page.getByTestId('metrics-table').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      const pinBacktest = page.getByTestId('backtest-pin');
      await expect.poll(() => pinBacktest.isEnabled(), { timeout: 30_000 }).toBe(true);
      await pinBacktest.click();
      await expect.poll(() => pinBacktest.getAttribute('data-pinned'), { timeout: 30_000 }).toBe('pinned');

      // A small study on the same symbol; its first trial inspected and pinned.
      await page.getByTestId('tab-optimize').click();
      const strategy = page.getByTestId('opt-strategy');
      await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await strategy.selectOption('sma-cross');
      await page.getByTestId('opt-tf-1h').click();
      await page.getByTestId('opt-sampler-random').click();
      for (const [id, value] of [
        ['opt-start', RANGE.start],
        ['opt-end', RANGE.end],
        ['opt-trial-count', String(TRIALS)],
        ['opt-seed', '7'],
        ['opt-min-trades', '1'],
      ] as const)
        await page.getByTestId(id).fill(value);
      await page.getByTestId('opt-start-button').click();
      await expect
        .poll(() => page.getByTestId('opt-header').getAttribute('data-state'), { timeout: RUN_TIMEOUT_MS })
        .toBe('complete');
      const row = page.getByTestId('opt-trial-row').first();
      await row.click();
      const pinTrial = page.getByTestId('opt-pin-trial');
      await expect.poll(() => pinTrial.isEnabled(), { timeout: RUN_TIMEOUT_MS }).toBe(true);
      await pinTrial.click();
      await expect.poll(() => pinTrial.getAttribute('data-pinned'), { timeout: 30_000 }).toBe('pinned');

      // A walk-forward of the same search (two test windows of 20 days after 45 days of training, the
      // last 2 of them purged), pinned.
      await page.getByTestId('wf-unit').selectOption('days');
      for (const [id, value] of [
        ['wf-train', '45'],
        ['wf-test', '20'],
        ['wf-step', '20'],
        ['wf-purge', '30'],
      ] as const)
        await page.getByTestId(id).fill(value);
      // Said at the field, before any run: a purge of 30 leaves 15 of 45 days, one of 45 leaves none.
      const purgeNote = page.getByTestId('wf-purge-note');
      expect(await purgeNote.innerText()).toContain(
        'the purge of 30 days leaves each train window 15 of its 45 days',
      );
      await page.getByTestId('wf-purge').fill('45');
      expect(await purgeNote.innerText()).toContain(
        "a purge of 45 days leaves 0 of each train window's 45 days",
      );
      await page.getByTestId('wf-purge').fill('2');
      await purgeNote.waitFor({ state: 'detached' });
      await page.getByTestId('run-walk-forward').click();
      await page.getByTestId('wf-summary').waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
      const purge = page.getByTestId('wf-purge-text');
      expect(await purge.getAttribute('data-value')).toBe('2');
      expect(await purge.innerText()).toContain('each train window ends 2 days before its test window');
      const pinWalkForward = page.getByTestId('wf-pin');
      await pinWalkForward.click();
      await expect.poll(() => pinWalkForward.getAttribute('data-pinned'), { timeout: 30_000 }).toBe('pinned');

      // Compare: three curves, three columns, the others marked against the reference.
      await page.getByTestId('tab-compare').click();
      const chart = page.getByTestId('compare-chart-box');
      await expect.poll(() => chart.getAttribute('data-series'), { timeout: RUN_TIMEOUT_MS }).toBe('3');
      await expect
        .poll(() => paintedPixels(page, 'compare-chart'), { timeout: 30_000 })
        .toBeGreaterThan(2_000);
      const columns = page.getByTestId('compare-column');
      expect(await columns.count()).toBe(3);
      expect(await columns.nth(2).innerText()).toContain('walk-forward');
      expect(await columns.nth(0).getAttribute('data-reference')).toBe('true');
      const table = page.getByTestId('compare-table');
      const marked = table.locator('td[data-verdict="better"], td[data-verdict="worse"]');
      await expect.poll(() => marked.count(), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await table.locator('.compare-delta').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, 'compare-e2e.png') });

      // The study renamed and annotated from its list.
      await page.getByTestId('tab-optimize').click();
      const study = page.locator('li.opt-study').first();
      await study.getByTestId('opt-study-edit').click();
      await study.getByTestId('opt-study-name-input').fill('fast/slow scan');
      await study.getByTestId('opt-study-note-input').fill('few trials, for the compare test');
      await study.getByTestId('opt-study-save').click();
      await expect
        .poll(() => study.getByTestId('opt-study-name').innerText(), { timeout: 30_000 })
        .toBe('fast/slow scan');
      expect(await study.getByTestId('opt-study-note').innerText()).toBe('few trials, for the compare test');

      // Deleted through the confirm step, which names it; its trials leave the table.
      await study.getByTestId('opt-study-delete').click();
      const confirm = study.getByTestId('opt-study-delete-confirm');
      expect(await confirm.innerText()).toContain('fast/slow scan');
      expect(await confirm.innerText()).toContain(`${TRIALS} trials`);
      await confirm.getByTestId('opt-study-delete-submit').click();
      await expect.poll(() => page.getByTestId('opt-study-item').count(), { timeout: 30_000 }).toBe(0);
      expect(await page.getByTestId('opt-trial-row').count()).toBe(0);

      // The trial's pin now says its study is gone; the backtest's and the walk-forward's curves stay.
      await page.getByTestId('tab-compare').click();
      await expect.poll(() => chart.getAttribute('data-series'), { timeout: RUN_TIMEOUT_MS }).toBe('2');
      expect(await columns.nth(1).locator('.error-text').innerText()).toContain('was deleted');
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    },
    RUN_TIMEOUT_MS * 3,
  );
});
