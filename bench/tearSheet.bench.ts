/**
 * Tear sheet figures (issue 15 item 3, target < 1 s): the tear sheet of a 2-year 1-minute backtest
 * (synthetic market, regular sessions), computed (core), made the contract's payload (main) and
 * rendered as the self-contained HTML page (shared), next to a baseline measured in the same run: the
 * backtest that produced the equity curve. Then the browser's part, which the figure is about: the
 * exported page opened from its file in headless Chromium (Debian's, as the e2e tests launch it),
 * offline, timed until its charts have been drawn (the load event, then two animation frames: the
 * second runs only once the frame holding the page's inline SVG has been painted), beside a baseline
 * in the same browser: a page of one line of text.
 * Run: `npm run bench -- tearSheet`.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../src/core/data/synthetic.ts';
import { runBacktest } from '../src/core/engine/index.ts';
import { tearSheet } from '../src/core/metrics/tearSheet.ts';
import { STRATEGIES } from '../src/core/strategy/index.ts';
import { backtestTearSheet } from '../src/main/services/tearSheet.ts';
import { tearSheetHtml } from '../src/shared/tearSheetHtml.ts';
import { bestOf, RUNS } from './timing.ts';

const ms = (x: { wall: number; cpu: number }): string =>
  `${x.wall.toFixed(1)} ms (CPU ${x.cpu.toFixed(1)} ms)`;

const CHROMIUM = '/usr/bin/chromium';

/**
 * Wall milliseconds from asking a fresh page for `file` until its charts are drawn, and the paint
 * timings the page itself records; the fastest of `runs` (the first warms the browser up).
 */
async function timeDrawing(browser: Browser, file: string, runs = 7) {
  const url = pathToFileURL(file).href;
  let best = { drawn: Infinity, firstContentfulPaint: NaN, load: NaN };
  for (let k = 0; k < runs; k++) {
    // Offline, as a downloaded file opens: any request the page made would fail instead of waiting.
    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
    await context.route(/^(?!file:)/, (route) => route.abort());
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url, { waitUntil: 'load' });
    // Strings: the page's globals (animation frames, paint timings) are not this process's types.
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
    const drawn = performance.now() - started;
    const inPage = await page.evaluate<{ firstContentfulPaint: number; load: number }>(
      `({
        firstContentfulPaint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        load: performance.getEntriesByType('navigation')[0].loadEventEnd,
      })`,
    );
    await context.close();
    if (drawn < best.drawn) best = { drawn, ...inPage };
  }
  return best;
}

async function browserFigures(html: string): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`  drawn in the browser: skipped, ${CHROMIUM} not found (apt-get install -y chromium)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'regimen-bench-tearsheet-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  try {
    const sheet = join(dir, 'tear-sheet.html');
    const blank = join(dir, 'blank.html');
    writeFileSync(sheet, html);
    writeFileSync(
      blank,
      '<!doctype html><html><head><meta charset="utf-8"><title>b</title></head><body>b</body></html>',
    );
    const base = await timeDrawing(browser, blank);
    const page = await timeDrawing(browser, sheet);
    const line = (x: typeof page) =>
      `${x.drawn.toFixed(1)} ms (in the page: first paint ${x.firstContentfulPaint.toFixed(1)} ms, load ${x.load.toFixed(1)} ms)`;
    console.log(`  baseline: a one-line page opened and painted:   ${line(base)}`);
    console.log(`  exported tear sheet opened, charts drawn:       ${line(page)} (target < 1,000 ms)`);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runTearSheetBench(): Promise<void> {
  const market = createSyntheticMarket({
    seed: 15,
    start: Date.UTC(2022, 0, 3),
    end: Date.UTC(2024, 0, 2),
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.slice(0, 1),
  });
  const bars = market.generate(0).bars;
  const params = { fast: 30, slow: 120 };
  let run = runBacktest(bars, STRATEGIES['sma-cross'], params, { cash: 10_000 });
  const baseline = bestOf(() => {
    run = runBacktest(bars, STRATEGIES['sma-cross'], params, { cash: 10_000 });
  });
  let sink = 0;
  const core = bestOf(() => {
    sink += tearSheet(bars.t, run.equity, { startingWealth: 10_000, benchmark: bars.c }).drawdowns.length;
  });
  const metrics = { finalEquity: run.finalEquity, numTrades: run.trades.count };
  let html = '';
  const whole = bestOf(() => {
    const sheet = backtestTearSheet(bars.t, run.equity, 10_000, { label: 'buy & hold', values: bars.c });
    html = tearSheetHtml({ title: 'bench', subtitle: '', metrics, sheet });
  });
  const bytes = html.length;
  console.log(
    `${bars.t.length.toLocaleString('en-US')} 1-minute bars (2 years of sessions), ${run.trades.count} trades, best of ${RUNS}`,
  );
  console.log(`  baseline: the backtest itself:                 ${ms(baseline)}`);
  console.log(
    `  tear sheet (core computations):                 ${ms(core)} (${(core.cpu / baseline.cpu).toFixed(2)}x baseline)`,
  );
  console.log(
    `  tear sheet computed, as payload, rendered HTML: ${ms(whole)} (${(whole.cpu / baseline.cpu).toFixed(2)}x baseline; ${(bytes / 1024).toFixed(0)} KiB page)`,
  );
  await browserFigures(html);
  if (Number.isNaN(sink)) console.log('unreachable: keeps the work observable');
}
