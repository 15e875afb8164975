/**
 * End to end: `regimen serve` on a fresh data dir (so the demo market is generated), the built renderer
 * driven in headless Debian Chromium: pick a symbol and a timeframe, run a backtest, check that the
 * charts are drawn and the metrics are numbers, save a screenshot; then check that the API, the page and
 * the event socket all refuse a missing or wrong token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const ARTIFACTS = join(ROOT, 'artifacts');
const SCREENSHOT = join(ARTIFACTS, 'backtest-e2e.png');
const RENDERER_INDEX = join(ROOT, 'out/renderer/index.html');

const hasChromium = existsSync(CHROMIUM);
const skipReason = hasChromium
  ? ''
  : ` [skipped: ${CHROMIUM} not found; install it with apt-get install -y chromium]`;
if (!hasChromium) console.warn(`backtest.e2e: ${skipReason.trim()}`);

const SERVER_START_TIMEOUT_MS = 240_000;
const BACKTEST_TIMEOUT_MS = 120_000;

interface Server {
  process: ChildProcess;
  url: URL;
  origin: string;
  token: string;
  output: () => string;
}

/** Starts `regimen serve` and resolves once it prints its URL; rejects with its output if it exits first. */
function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, ['bin/regimen.js', 'serve', '--data-dir', dataDir, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, REGIMEN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const output = (): string => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`regimen serve printed no URL within ${SERVER_START_TIMEOUT_MS} ms\n${output()}`));
    }, SERVER_START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_\-.~%]+/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const url = new URL(match[0]);
      const token = url.searchParams.get('token') ?? '';
      resolvePromise({ process: child, url, origin: url.origin, token, output });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `regimen serve exited (code ${code}, signal ${signal}) before printing its URL\n${output()}`,
        ),
      );
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** Pixels of a chart's canvas that are not fully transparent: a drawn chart has thousands. */
async function paintedPixels(page: Page, testId: string): Promise<number> {
  return page
    .locator(`[data-testid="${testId}"] canvas`)
    .first()
    .evaluate((node) => {
      // This file is type-checked without the DOM library; the function itself runs in the page.
      const canvas = node as unknown as CanvasLike;
      const context = canvas.getContext('2d');
      if (!context || canvas.width === 0 || canvas.height === 0) return 0;
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted += 1;
      return painted;
    });
}

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
  let dataDir = '';
  let profileDir = '';
  let server: Server | undefined;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    if (!existsSync(RENDERER_INDEX))
      throw new Error(`${RENDERER_INDEX} is missing: run \`npm run build\` first`);
    dataDir = mkdtempSync(join(tmpdir(), 'regimen-e2e-data-'));
    profileDir = mkdtempSync(join(tmpdir(), 'regimen-e2e-chromium-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer(dataDir);
    // Playwright owns --user-data-dir: a persistent context on a fresh directory is the same thing.
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, SERVER_START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.process);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }, 30_000);

  it(
    'picks a symbol, runs a backtest and shows the price, equity and metrics',
    async () => {
      if (!browser || !server) throw new Error('setup failed');
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      const eventFrames: string[] = [];
      page.on('websocket', (socket) => {
        socket.on('framereceived', (frame) => {
          if (typeof frame.payload === 'string') eventFrames.push(frame.payload);
        });
      });

      await page.goto(server.url.href);
      // The token leaves the address bar once the client has it.
      await expect.poll(() => new URL(page.url()).searchParams.has('token')).toBe(false);

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

  it('shows a failed backtest to the user with the server message', async () => {
    if (!browser || !server) throw new Error('setup failed');
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
    if (!server) throw new Error('setup failed');
    const api = `${server.origin}/api/data:list`;
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(api, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { status: number } }).error.status).toBe(401);
    expect((await post({ authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await fetch(`${server.origin}/`)).status).toBe(401);

    const socketStatus = await new Promise<number>((done, fail) => {
      const socket = new WebSocket(`ws://${server?.url.host}/events`);
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
