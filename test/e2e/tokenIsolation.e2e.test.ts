/**
 * The per-launch token must not reach another server on this machine. Cookies are not port-scoped, so a
 * cookie set by `regimen serve` would be sent by the browser to every other server on 127.0.0.1; this
 * test opens the served page in headless Chromium as a user would (the printed URL), then visits a
 * recording server on another loopback port and checks that nothing it received carries the token.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startHttpHost } from '../../src/main/server/httpHost.ts';
import { chromiumSkipReason, hasChromium } from './harness.ts';
import { testServices } from '../support/serviceHost.ts';

const skipReason = chromiumSkipReason('tokenIsolation.e2e');

/** A server on another loopback port that records every request it gets, as another local app would. */
async function recordingServer(): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const headers: IncomingHttpHeaders = req.headers;
    seen.push(`${req.method} ${req.url} ${JSON.stringify(headers)}`);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>other app</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, seen, server };
}

describe.skipIf(!hasChromium)(`the token stays with regimen serve${skipReason}`, () => {
  it('a page on another loopback port receives no token, by cookie, referrer or address', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-token-data-'));
    const staticDir = mkdtempSync(join(tmpdir(), 'regimen-token-static-'));
    const profileDir = mkdtempSync(join(tmpdir(), 'regimen-token-chromium-'));
    const other = await recordingServer();
    // A page that links to the other app, so following the link would show a Referer if one were sent.
    writeFileSync(
      join(staticDir, 'index.html'),
      `<!doctype html><title>Regimen</title><a id="out" href="${other.url}">out</a>`,
    );
    const services = await testServices(dataDir);
    const host = await startHttpHost({ handlers: services.handlers, events: services.events, staticDir });
    const browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(host.url);
      await Promise.all([page.waitForURL(other.url), page.click('#out')]);
      await page.goto(`${other.url}second`);
      expect(other.seen.length).toBeGreaterThanOrEqual(2);
      for (const request of other.seen) expect(request).not.toContain(host.token);
      expect(await browser.cookies(other.url)).toEqual([]);
    } finally {
      await browser.close();
      await host.close();
      other.server.close();
      await services.close();
      for (const dir of [dataDir, staticDir, profileDir]) rmSync(dir, { recursive: true, force: true });
    }
  });
});
