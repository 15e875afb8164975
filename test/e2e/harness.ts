/**
 * What the browser tests share: `regimen serve` on a fresh data dir (so the demo market is generated),
 * the built renderer in headless Debian Chromium on a fresh profile, the page's errors and event-socket
 * frames as they arrive, and a chart's painted pixels.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const RENDERER_INDEX = join(ROOT, 'out/renderer/index.html');
export const ARTIFACTS = join(ROOT, 'artifacts');
/** Where screenshots go: docs/screenshots (the README's) with REGIMEN_SCREENSHOTS=1, else artifacts. */
export const SCREENSHOTS =
  process.env['REGIMEN_SCREENSHOTS'] === '1'
    ? join(ROOT, 'docs/screenshots')
    : join(ARTIFACTS, 'screenshots');

const SERVER_START_TIMEOUT_MS = 240_000;

export const hasChromium = existsSync(CHROMIUM);

/** The suffix for a suite's title when Chromium is absent (warned once, under the test's name). */
export function chromiumSkipReason(testName: string): string {
  if (hasChromium) return '';
  const reason = ` [skipped: ${CHROMIUM} not found; install it with apt-get install -y chromium]`;
  console.warn(`${testName}: ${reason.trim()}`);
  return reason;
}

export interface Server {
  process: ChildProcess;
  url: URL;
  origin: string;
  token: string;
}

export interface ServeOptions {
  /** Arguments after `serve --data-dir DIR --port 0`. */
  args?: readonly string[];
  /** The server's environment (REGIMEN_DATA_DIR is added); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

/** Starts `regimen serve` and resolves once it prints its URL; rejects with its output if it exits first. */
function startServer(dataDir: string, options: ServeOptions): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['bin/regimen.js', 'serve', '--data-dir', dataDir, '--port', '0', ...(options.args ?? [])],
    {
      cwd: ROOT,
      env: { ...(options.env ?? process.env), REGIMEN_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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
      const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_\-.~%]+/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const url = new URL(match[0]);
      const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
      resolvePromise({ process: child, url, origin: url.origin, token });
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

/**
 * Stops a child process (SIGTERM, SIGKILL after 10 s) and resolves once it has exited: what it writes as
 * it stops (a server's database, a bot's state file) is written before anything removes its folder.
 */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

export interface Session {
  server: Server;
  browser: BrowserContext;
  /**
   * Stops the server and starts it again on the same data folder, as a trader quitting and reopening
   * the app does; `server` is then the new one (a new port and token: open the app again).
   */
  restart(): Promise<void>;
  /** Closes the browser, stops the server and removes both temporary directories. */
  close(): Promise<void>;
}

/**
 * The server and the browser a suite drives, started before its tests and closed after them; `name` tells
 * its temporary directories apart. The returned function gives the session inside a test.
 */
export function useSession(name: string, options: () => ServeOptions = () => ({})): () => Session {
  let session: Session | undefined;
  beforeAll(async () => {
    session = await startSession(name, options());
  }, SERVER_START_TIMEOUT_MS + 30_000);
  afterAll(async () => {
    await session?.close();
  }, 30_000);
  return () => {
    if (!session) throw new Error('setup failed');
    return session;
  };
}

/** If a step fails, what was already started is closed again before the error is thrown. */
async function startSession(name: string, options: ServeOptions): Promise<Session> {
  if (!existsSync(RENDERER_INDEX))
    throw new Error(`${RENDERER_INDEX} is missing: run \`npx electron-vite build\` first`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), `regimen-e2e-${name}-data-`));
  const profileDir = mkdtempSync(join(tmpdir(), `regimen-e2e-${name}-chromium-`));
  let server: Server | undefined;
  let browser: BrowserContext | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    if (server) await stopProcess(server.process);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(profileDir, { recursive: true, force: true });
  };
  try {
    // The browser before the server: a session's first page then opens as soon as the server prints its
    // URL, while a first start still generates the demo market (on a busy machine, launching the browser
    // after the server took long enough for the demo market to be finished before any page saw it).
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
    server = await startServer(dataDir, options);
  } catch (error) {
    await close();
    throw error;
  }
  const session: Session = {
    server,
    browser,
    close,
    restart: async () => {
      if (server) await stopProcess(server.process);
      server = await startServer(dataDir, options);
      session.server = server;
    },
  };
  return session;
}

/**
 * A new page on the app, with what it reports from before it loads: page and console errors (a test
 * expects none, or only known ones) and every text frame of its event socket. `beforeLoad` runs on the
 * page before it loads (to route its requests from the first).
 */
export async function openApp(
  session: Session,
  beforeLoad?: (page: Page) => Promise<unknown>,
): Promise<{ page: Page; problems: string[]; eventFrames: string[] }> {
  const page = await session.browser.newPage();
  const problems = collectProblems(page);
  const eventFrames = collectEventFrames(page);
  await beforeLoad?.(page);
  await page.goto(session.server.url.href);
  return { page, problems, eventFrames };
}

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return problems;
}

function collectEventFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (socket) => {
    socket.on('framereceived', (frame) => {
      if (typeof frame.payload === 'string') frames.push(frame.payload);
    });
  });
  return frames;
}

/** Starts a random sma-cross study of `trials` trials (seed 1) on the demo symbol's 1h bars from the Optimize view. */
export async function startRandomStudy(page: Page, trials: number): Promise<void> {
  await page.getByTestId('tab-optimize').click();
  const strategy = page.getByTestId('opt-strategy');
  await expect.poll(() => strategy.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await strategy.selectOption('sma-cross');
  await page.getByTestId('opt-tf-1h').click();
  await page.getByTestId('opt-sampler-random').click();
  await page.getByTestId('opt-trial-count').fill(String(trials));
  await page.getByTestId('opt-seed').fill('1');
  await page.getByTestId('opt-start-button').click();
}

interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** Pixels of a chart's canvas that are not fully transparent: a drawn chart has thousands. */
export async function paintedPixels(page: Page, testId: string): Promise<number> {
  const canvas = page.locator(`[data-testid="${testId}"] canvas`).first();
  if ((await canvas.count()) === 0) return 0;
  return canvas.evaluate((node) => {
    // This file is type-checked without the DOM library; the function itself runs in the page.
    const element = node as unknown as CanvasLike;
    const context = element.getContext('2d');
    if (!context || element.width === 0 || element.height === 0) return 0;
    const data = context.getImageData(0, 0, element.width, element.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted += 1;
    return painted;
  });
}

/**
 * True when the element is what a click at its centre reaches (document.elementFromPoint finds it or one
 * of its children): nothing else is laid over it.
 */
export async function reachableAtCentre(locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  if (box === null) return false;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  return locator.evaluate(
    (node, point) => {
      // This file is type-checked without the DOM library; the function itself runs in the page.
      const page = globalThis as unknown as {
        document: { elementFromPoint(x: number, y: number): unknown };
      };
      const hit = page.document.elementFromPoint(point.x, point.y);
      return hit !== null && (node as unknown as { contains(other: unknown): boolean }).contains(hit);
    },
    { x, y },
  );
}

/**
 * A state a progress bar was rendered in: its share (aria-valuenow, NaN while indeterminate), its label,
 * and when (ms since the recording began).
 */
export interface ShownProgress {
  percent: number;
  label: string;
  at: number;
}

/**
 * Records in the page every state the progress bar `testId` is rendered in, as it changes (a
 * MutationObserver): a poll's timing can miss a short run's few states. Call before the run starts;
 * the returned function reads what was recorded so far, the determinate states only.
 */
export async function recordProgressBar(page: Page, testId: string): Promise<() => Promise<ShownProgress[]>> {
  const key = `shown:${testId}`;
  // A string: this file is type-checked without the DOM library; the script runs in the page.
  await page.evaluate(`(() => {
    const shown = [];
    const started = performance.now();
    window[${JSON.stringify(key)}] = shown;
    const record = () => {
      const bar = document.querySelector('[data-testid=${JSON.stringify(testId)}]');
      if (bar === null) return;
      const percent = Number(bar.getAttribute('aria-valuenow') ?? NaN);
      const label = bar.textContent ?? '';
      const last = shown[shown.length - 1];
      if (last?.percent !== percent || last?.label !== label)
        shown.push({ percent, label, at: Math.round(performance.now() - started) });
    };
    const options = { subtree: true, childList: true, attributes: true, characterData: true };
    new MutationObserver(record).observe(document.body, options);
  })()`);
  return async () =>
    ((await page.evaluate(`window[${JSON.stringify(key)}]`)) as ShownProgress[]).filter((s) =>
      Number.isFinite(s.percent),
    );
}
