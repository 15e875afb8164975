/**
 * What a trader's pass through every view found laid over, stacked or in the wrong zone (session 11
 * QA): `regimen serve` on a fresh data folder (the demo market), the built renderer in headless Debian
 * Chromium at 1600 × 1000. Each test opens its own page.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { timeFormat } from '../../src/shared/timeZone.ts';
import { chromiumSkipReason, hasChromium, openApp, reachableAtCentre, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('traderLayout.e2e');

/** The rows (by vertical centre, to the pixel) `locators`' boxes lie in: one for controls in one row. */
async function rows(locators: readonly Locator[]): Promise<number> {
  const boxes = await Promise.all(locators.map((locator) => locator.boundingBox()));
  return new Set(boxes.map((box) => (box === null ? NaN : Math.round(box.y + box.height / 2)))).size;
}

describe.skipIf(!hasChromium)(`a trader's pass through the views${skipReason}`, () => {
  const session = useSession('trader-layout');

  it("after a backtest every timeframe button can still be clicked, and the Monte Carlo panel's fields fit it", async () => {
    const { page, problems } = await openApp(session());
    const run = page.getByTestId('run-backtest');
    await expect.poll(() => run.isEnabled(), { timeout: 60_000 }).toBe(true);
    await run.click();
    // The run's range and legend join the toolbar: on one line they squeezed the timeframes to nothing.
    await page.getByTestId('backtest-range').waitFor({ state: 'visible', timeout: 120_000 });
    for (const timeframe of ['1m', '5m', '15m', '1h', '4h', '1d', '1w', '1mo'])
      expect(await reachableAtCentre(page.getByTestId(`timeframe-${timeframe}`)), timeframe).toBe(true);

    const panel = page.getByTestId('robustness-panel');
    const panelBox = await panel.boundingBox();
    for (const testId of ['robustness-method', 'robustness-resamples', 'robustness-seed', 'run-robustness']) {
      const box = await panel.getByTestId(testId).boundingBox();
      expect(box!.x + box!.width, testId).toBeLessThanOrEqual(panelBox!.x + panelBox!.width);
    }
    expect(await reachableAtCentre(panel.getByTestId('run-robustness'))).toBe(true);

    // However much the regimes panel holds (a comparison's tables are taller than the column), the
    // performance figures and the Monte Carlo panel keep their share of the column.
    await page.getByTestId('regime-panel').evaluate((node) => {
      const panel = node as unknown as {
        querySelector(selector: string): { append(child: unknown): void } | null;
        ownerDocument: { createElement(tag: string): { style: { height: string } } };
      };
      const tall = panel.ownerDocument.createElement('div');
      tall.style.height = '3000px';
      panel.querySelector('.regime-body')?.append(tall);
    });
    for (const testId of ['metrics-panel', 'robustness-panel'])
      expect((await page.getByTestId(testId).boundingBox())!.height, testId).toBeGreaterThan(150);

    await page.getByTestId('timeframe-1h').click();
    await expect
      .poll(() => page.getByTestId('price-panel').getAttribute('data-bars-timeframe'), { timeout: 30_000 })
      .toBe('1h');
    expect(problems).toEqual([]);
  }, 300_000);

  it('a backtest whose to date is before its from date is refused in the form, naming the field', async () => {
    const { page, problems } = await openApp(session());
    const run = page.getByTestId('run-backtest');
    await expect.poll(() => run.isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('range-summary').click();
    await page.getByTestId('backtest-start').fill('2024-06-01');
    await page.getByTestId('backtest-end').fill('2024-01-01');
    await expect
      .poll(() => page.getByTestId('backtest-end-hint').textContent())
      .toBe('on or after the from date');
    expect(await run.isEnabled()).toBe(false);
    // One day, the end day included, is a range.
    await page.getByTestId('backtest-end').fill('2024-06-01');
    await expect.poll(() => run.isEnabled()).toBe(true);
    expect(await page.getByTestId('backtest-end-hint').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);

  it('a refused setting is said once and its field shows the value in force again', async () => {
    const { page, problems } = await openApp(session());
    await page.getByTestId('tab-settings').click();
    const cash = page.getByTestId('setting-cash');
    await expect.poll(() => cash.inputValue()).toBe('10000');
    let sent = 0;
    page.on('request', (request) => {
      if (/\/api\/settings(:|%3A)set/.test(request.url())) sent += 1;
    });
    await cash.fill('-5');
    await cash.press('Enter');
    await expect
      .poll(() => page.getByTestId('error-message').textContent())
      .toContain('Settings not saved: cash: must be more than 0');
    await expect.poll(() => cash.inputValue()).toBe('10000');
    // Leaving the field sends nothing more: the refusal is not repeated.
    await page.getByTestId('setting-riskFreePercent').click();
    expect(sent).toBe(1);
    expect(await page.getByTestId('error-notice').count()).toBe(1);
    expect(await page.getByTestId('error-repeats').count()).toBe(0);
    // The refused request is the page's only console error.
    expect(problems.filter((p) => !p.includes('400 (Bad Request)'))).toEqual([]);
  }, 120_000);

  it("the walk-forward form and the Learner's subject are rows, not columns down the view", async () => {
    const { page, problems } = await openApp(session());
    await expect.poll(() => page.getByTestId('symbol-item').count(), { timeout: 60_000 }).toBeGreaterThan(0);

    await page.getByTestId('tab-optimize').click();
    const walkForward = page.getByTestId('walk-forward-panel');
    await walkForward.waitFor({ state: 'visible' });
    const form = ['wf-mode', 'wf-unit', 'wf-train', 'wf-test', 'wf-step'].map((id) =>
      walkForward.getByTestId(id),
    );
    expect(await rows(form)).toBe(1);
    expect(await reachableAtCentre(walkForward.getByTestId('run-walk-forward'))).toBe(true);

    await page.getByTestId('tab-learner').click();
    await page.getByTestId('learner-view').waitFor({ state: 'visible' });
    const subject = ['learner-symbol', 'learner-timeframe', 'learner-session'].map((id) =>
      page.getByTestId(id),
    );
    expect(await rows(subject)).toBe(1);
    expect(problems).toEqual([]);
  }, 120_000);

  describe('the Live view', () => {
    let receiver: HttpServer | undefined;
    afterAll(async () => {
      if (receiver) await new Promise((done) => receiver!.close(done));
    });

    it("adds a bot in one row, keeps an error notice to its text's height, and times the webhook in the app's zone", async () => {
      receiver = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.end('ok'));
      });
      await new Promise<void>((done) => receiver!.listen(0, '127.0.0.1', done));
      const { page } = await openApp(session());
      await expect
        .poll(() => page.getByTestId('symbol-item').count(), { timeout: 60_000 })
        .toBeGreaterThan(0);
      await page.getByTestId('tab-live').click();
      await page.getByTestId('live-view').waitFor({ state: 'visible' });

      const name = page.getByTestId('live-bot-name');
      const url = page.getByTestId('live-bot-url');
      expect(await rows([name, url, page.getByTestId('live-bot-submit')])).toBe(1);
      await name.fill('typo');
      await url.fill('not a url');
      await page.getByTestId('live-bot-submit').click();
      const error = page.getByTestId('live-error');
      await expect
        .poll(() => error.textContent(), { timeout: 60_000 })
        .toContain('url: must be a bot address');
      // One line of text: stretched to a share of the view's height it was a third of the screen tall.
      expect((await error.boundingBox())!.height).toBeLessThan(60);

      const webhook = page.getByTestId('live-webhook');
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      await webhook.getByTestId('live-webhook-url').fill(hook);
      await webhook.getByTestId('live-webhook-secret-input').fill('a-webhook-secret-of-the-e2e');
      await webhook.getByTestId('live-webhook-save').click();
      await expect.poll(() => webhook.getAttribute('data-url'), { timeout: 60_000 }).toBe(hook);
      const before = Date.now();
      await webhook.getByTestId('live-webhook-test').click();
      const last = webhook.getByTestId('live-webhook-last');
      await expect.poll(() => last.getAttribute('data-status'), { timeout: 60_000 }).toBe('200');
      const after = Date.now();
      // The zone the status bar names (the exchange's by default), as the trade and chart times are.
      const zone = timeFormat('America/New_York');
      const text = (await last.textContent()) ?? '';
      expect(
        [zone.dateTime(before), zone.dateTime(after)].some((t) => text.includes(t)),
        text,
      ).toBe(true);
      expect(text).not.toContain(new Date(before).toISOString().slice(0, 16).replace('T', ' '));
    }, 180_000);
  });
});
