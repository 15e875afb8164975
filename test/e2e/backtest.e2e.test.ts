/**
 * End to end: `regimen serve` on a fresh data dir (so the demo market is generated), the built renderer
 * driven in headless Debian Chromium: pick a symbol and a timeframe, run a backtest, check that the
 * charts are drawn and the metrics are numbers, save a screenshot; then check that the API and
 * the event socket refuse a missing or wrong token (the socket takes none from the query).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { timeFormat } from '../../src/shared/timeZone.ts';
import { ARTIFACTS, chromiumSkipReason, hasChromium, openApp, paintedPixels, useSession } from './harness.ts';

const SCREENSHOT = join(ARTIFACTS, 'backtest-e2e.png');
const skipReason = chromiumSkipReason('backtest.e2e');

const BACKTEST_TIMEOUT_MS = 120_000;

/** The raw value a headline metric carries (data-value), which must be a finite number. */
async function metricValue(page: Page, key: string): Promise<number> {
  const cell = page.getByTestId(`metric-${key}`);
  const raw = await cell.getAttribute('data-value');
  const text = (await cell.innerText()).trim();
  expect(raw, `metric ${key} has no value (shown as "${text}")`).not.toBe('');
  const value = Number(raw);
  expect(Number.isFinite(value), `metric ${key} = ${raw}`).toBe(true);
  // What the trader reads is a formatted number too, not a dash.
  expect(text, `metric ${key} display`).toMatch(/^[+-]?[\d,]+(\.\d+)?%?$/);
  return value;
}

describe.skipIf(!hasChromium)(`backtest in the browser against regimen serve${skipReason}`, () => {
  const session = useSession('backtest');

  it(
    'picks a symbol, runs a backtest and shows the price, equity and metrics',
    async () => {
      const { page, problems, eventFrames } = await openApp(session());
      // The token leaves the address bar once the client has it.
      await expect.poll(() => new URL(page.url()).hash.includes('token')).toBe(false);

      const symbols = page.getByTestId('symbol-item');
      await expect.poll(() => symbols.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
      const symbol = await symbols.nth(1).getAttribute('data-symbol');
      expect(symbol).toBeTruthy();
      await symbols.nth(1).click();
      await page.getByTestId('timeframe-1h').click();
      await expect.poll(() => page.getByTestId('chart-symbol').innerText()).toBe(symbol);

      const pricePanel = page.getByTestId('price-panel');
      const shownBars = async (): Promise<string> =>
        `${await pricePanel.getAttribute('data-bars-symbol')} ${await pricePanel.getAttribute('data-bars-timeframe')}`;
      await expect.poll(shownBars, { timeout: 30_000 }).toBe(`${symbol} 1h`);
      expect(Number(await pricePanel.getAttribute('data-bar-count'))).toBeGreaterThan(100);
      await expect
        .poll(() => paintedPixels(page, 'price-chart'), { timeout: 10_000 })
        .toBeGreaterThan(10_000);

      const strategies = await page.getByTestId('strategy-select').locator('option').allTextContents();
      expect(strategies.length).toBeGreaterThan(0);
      if (strategies.includes('sma-cross'))
        await page.getByTestId('strategy-select').selectOption('sma-cross');

      const run = page.getByTestId('run-backtest');
      await expect.poll(() => run.isEnabled()).toBe(true);
      await run.click();
      await page.getByTestId('metrics-table').waitFor({ state: 'visible', timeout: BACKTEST_TIMEOUT_MS });
      await expect.poll(() => run.isEnabled()).toBe(true);

      const totalReturn = await metricValue(page, 'totalReturn');
      const sharpe = await metricValue(page, 'sharpeRatio');
      const maxDrawdown = await metricValue(page, 'maxDrawdown');
      const trades = await metricValue(page, 'numTrades');
      expect(totalReturn).toBeGreaterThan(-1);
      expect(Math.abs(sharpe)).toBeLessThan(100);
      expect(maxDrawdown).toBeLessThanOrEqual(0);
      expect(maxDrawdown).toBeGreaterThanOrEqual(-1);
      expect(Number.isInteger(trades)).toBe(true);
      expect(trades).toBeGreaterThan(0);

      await expect
        .poll(() => paintedPixels(page, 'equity-chart'), { timeout: 10_000 })
        .toBeGreaterThan(5_000);
      const tradeList = page.getByTestId('trade-list');
      expect(Number(await tradeList.getAttribute('data-trade-count'))).toBeGreaterThanOrEqual(trades);
      await tradeList.getByTestId('trade-row').first().waitFor({ state: 'visible' });

      // Monte Carlo of this result (issue 15 item 8): the bands are drawn and both probabilities are shares.
      await page.getByTestId('run-robustness').click();
      await expect
        .poll(() => paintedPixels(page, 'robustness-chart'), { timeout: 30_000 })
        .toBeGreaterThan(2_000);
      for (const figure of ['robustness-prob-drawdown', 'robustness-prob-ruin']) {
        const share = Number(await page.getByTestId(figure).getAttribute('data-value'));
        expect(share, figure).toBeGreaterThanOrEqual(0);
        expect(share, figure).toBeLessThanOrEqual(1);
      }
      // Drawdown percentiles signed as the run's own max drawdown, the tail named: p95 is the worst.
      const drawdowns = await page.getByTestId('robustness-max-drawdown').innerText();
      expect(drawdowns).toMatch(/Max drawdown, p5 \/ p50 \/ p95 worst\s+-[\d.]+% \/ -[\d.]+% \/ -[\d.]+%/);
      const [p5, , p95] = [...drawdowns.matchAll(/-([\d.]+)%/g)].map((m) => Number(m[1]));
      expect(p95).toBeGreaterThanOrEqual(p5!);

      // Progress reached the page over the event socket while the backtest ran.
      const jobEvents = eventFrames
        .map((frame) => JSON.parse(frame) as { channel?: string })
        .filter((message) => message.channel === 'job:progress' || message.channel === 'job:done');
      expect(jobEvents.length, 'job events received over /events').toBeGreaterThan(0);

      await page.screenshot({ path: SCREENSHOT });
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    },
    BACKTEST_TIMEOUT_MS + 60_000,
  );

  it(
    "draws the strategy's own indicators, log scale, each trade's stop, target and why it entered, and the run's dates",
    async () => {
      const { page, problems } = await openApp(session());
      const symbols = page.getByTestId('symbol-item');
      await expect.poll(() => symbols.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
      await symbols.nth(1).click();
      await page.getByTestId('timeframe-1h').click();
      const pricePanel = page.getByTestId('price-panel');
      await expect.poll(() => pricePanel.getAttribute('data-bars-timeframe'), { timeout: 30_000 }).toBe('1h');
      await page.getByTestId('strategy-select').selectOption('confluence');
      // A low bar to enter, so the demo hour bars give trades whose reasons can be read.
      await page.getByTestId('param-confidence_threshold').fill('0.4');
      await page.getByTestId('param-volume_threshold').fill('1');
      const run = page.getByTestId('run-backtest');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();
      const range = page.getByTestId('backtest-range');
      await range.waitFor({ state: 'visible', timeout: BACKTEST_TIMEOUT_MS });
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);

      // The strategy's series: SMAs and Bollinger bands on price, MACD and MFI in two panes.
      const indicators = ((await pricePanel.getAttribute('data-indicators')) ?? '').split('|');
      for (const label of ['SMA 10', 'SMA 30', 'BB 20 upper', 'BB 20 lower', 'MACD', 'signal', 'MFI 14'])
        expect(indicators).toContain(label);
      expect(await pricePanel.getAttribute('data-indicator-panes')).toBe('2');

      // The trades table says why each trade entered and with which exits.
      const rows = page.getByTestId('trade-row');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(0);
      const first = rows.first();
      expect(await first.getByTestId('trade-why').innerText()).toMatch(
        /^SMA cross(, (MACD|volume|MFI|Bollinger))* · \d+\.\d+%$/,
      );
      const stop = Number((await first.getByTestId('trade-stop').innerText()).replace(/,/g, ''));
      const target = Number((await first.getByTestId('trade-target').innerText()).replace(/,/g, ''));
      expect(Number.isFinite(stop) && Number.isFinite(target)).toBe(true);
      expect(target).toBeGreaterThan(stop);

      // The chart's tooltip at the first entry carries the same: swept across the focused trade's bars.
      await first.click();
      const chart = page.getByTestId('price-chart');
      const box = (await chart.boundingBox())!;
      const tooltip = pricePanel.locator('.chart-tooltip');
      let entryTip = '';
      for (let x = box.x + 10; x < box.x + box.width - 64 && !entryTip.includes('Entry #1 '); x += 3) {
        await page.mouse.move(x, box.y + box.height * 0.2);
        entryTip = (await tooltip.count()) > 0 ? await tooltip.first().innerText() : '';
      }
      expect(entryTip).toContain('Entry #1 long');
      expect(entryTip).toMatch(/why\s+SMA cross/);
      expect(entryTip).toMatch(/stop\s+[\d,.]+/);
      expect(entryTip).toMatch(/target\s+[\d,.]+/);
      await page.mouse.move(0, 0);

      // Log scale redraws the price pane on a logarithmic axis.
      await page.getByTestId('log-scale').click();
      expect(await pricePanel.getAttribute('data-log-scale')).toBe('true');
      await expect
        .poll(() => paintedPixels(page, 'price-chart'), { timeout: 30_000 })
        .toBeGreaterThan(10_000);

      // The run's dates: its warm-up ends after its first bar; a later start date moves the run.
      const firstBar = Number(await range.getAttribute('data-first'));
      const tradingFrom = Number(await range.getAttribute('data-trading-from'));
      expect(tradingFrom).toBeGreaterThan(firstBar);
      // Its sentence names that bar in the Settings zone (the exchange's), as the toolbar beside it does;
      // it read a UTC ISO stamp ("…:00.000Z").
      const zone = 'America/New_York';
      expect((await page.getByTestId('backtest-warmup').innerText()).trim()).toMatch(
        new RegExp(`it trades from ${timeFormat(zone).barTime(tradingFrom, '1h')} ${zone}\\)$`),
      );
      const later = new Date(firstBar + 30 * 86_400_000).toISOString().slice(0, 10);
      await page.getByTestId('range-summary').click();
      await page.getByTestId('backtest-start').fill(later);
      await run.click();
      await expect
        .poll(async () => Number(await range.getAttribute('data-first')), { timeout: BACKTEST_TIMEOUT_MS })
        .toBeGreaterThanOrEqual(Date.parse(`${later}T00:00:00Z`));
      expect(problems, problems.join('\n')).toEqual([]);
      await page.close();
    },
    BACKTEST_TIMEOUT_MS + 60_000,
  );

  it(
    'compares the tear sheet with another symbol chosen on the form',
    async () => {
      const { page, problems } = await openApp(session());
      const symbols = page.getByTestId('symbol-item');
      await expect.poll(() => symbols.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
      await symbols.nth(1).click();
      const other = (await symbols.nth(2).getAttribute('data-symbol'))!;
      await page.getByTestId('timeframe-1h').click();
      await page.getByTestId('range-summary').click();
      await page.getByTestId('backtest-benchmark').selectOption(other);
      await expect.poll(() => page.getByTestId('range-summary').innerText()).toContain(`benchmark ${other}`);
      const run = page.getByTestId('run-backtest');
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      await run.click();
      await page.getByTestId('open-tear-sheet').waitFor({ state: 'visible', timeout: BACKTEST_TIMEOUT_MS });
      await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
      // Checked before the sheet opens: its inline styles break the page's CSP in a browser (a known gap,
      // not this test's subject).
      expect(problems, problems.join('\n')).toEqual([]);
      await page.getByTestId('open-tear-sheet').click();
      const sheet = page.frameLocator('[data-testid="tear-sheet-frame"]');
      await expect
        .poll(() => sheet.locator('body').innerText(), { timeout: 30_000 })
        .toContain(`${other} buy & hold`);
      await page.close();
    },
    BACKTEST_TIMEOUT_MS + 60_000,
  );

  it('shows a failed backtest to the user with the server message', async () => {
    const { server, browser } = session();
    const page = await browser.newPage();
    // Failure injected at the network edge, so the real page and client handle a real error response.
    await page.route('**/api/backtest:run', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: { message: 'Engine failure injected by the e2e test', status: 500 } }),
      }),
    );
    await page.goto(server.url.href);
    await expect.poll(() => page.getByTestId('symbol-item').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const run = page.getByTestId('run-backtest');
    await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
    await run.click();
    await page.getByTestId('error-banner').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.getByTestId('error-message').first().innerText()).toBe(
      'Engine failure injected by the e2e test',
    );
    await expect.poll(() => run.isEnabled()).toBe(true);
    await page.close();
  });

  it('refuses the API, the page and the event socket without the right token', async () => {
    const { server } = session();
    const api = `${server.origin}/api/data:list`;
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(api, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { status: number } }).error.status).toBe(401);
    expect((await post({ authorization: 'Bearer not-the-token' })).status).toBe(401);
    // The page itself is the app's build, served to anyone who can reach the port; it holds no secret.
    expect((await fetch(`${server.origin}/`)).headers.get('set-cookie')).toBeNull();

    const socketStatus = await new Promise<number>((done, fail) => {
      const socket = new WebSocket(`ws://${server.url.host}/events?token=${server.token}`);
      socket.on('unexpected-response', (_request, response) => {
        done(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => {
        socket.close();
        fail(new Error('the event socket accepted a connection without a token'));
      });
      socket.on('error', () => undefined);
    });
    expect(socketStatus).toBe(401);

    // The same request with the token goes through, so the refusals above are about the token alone.
    const allowed = await post({ authorization: `Bearer ${server.token}` });
    expect(allowed.status).toBe(200);
    expect(Array.isArray(await allowed.json())).toBe(true);
  });
});
