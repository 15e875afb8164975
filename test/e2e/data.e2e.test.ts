/**
 * End to end for the Data and Settings views: the fake Alpaca server, `regimen serve --alpaca-base-url`
 * on a fresh data dir (so the demo market is generated) and the built renderer in headless Debian
 * Chromium. The Data view lists the demo symbols' coverage and a quality score; a fetch from the fake
 * server shows progress and lands in the coverage table; a refused fetch is shown with its reason; the
 * Settings view shows where the keys come from. The keys are given to the server through its
 * environment, so the test never writes to this machine's keychain.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { ARTIFACTS, chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const SCREENSHOT = join(ARTIFACTS, 'data-view-e2e.png');
const SETTINGS_SCREENSHOT = join(ARTIFACTS, 'settings-view-e2e.png');
const KEY_ID = 'PKE2EDATAVIEW0001';
const SECRET = 'e2e-data-view-secret-never-on-the-page-77';

const goog = sharedDataFile('GOOG.csv');
const skipReason = chromiumSkipReason('data.e2e');

/** The server's environment: the keys of the fake Alpaca, and no Alpaca hosts but the one given. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  env['APCA_API_KEY_ID'] = KEY_ID;
  env['APCA_API_SECRET_KEY'] = SECRET;
  delete env['ALPACA_DATA_BASE_URL'];
  delete env['ALPACA_STREAM_BASE_URL'];
  return env;
}

async function coverageRows(page: Page): Promise<Array<{ symbol: string; timeframe: string; bars: number }>> {
  const rows = page.getByTestId('coverage-row');
  const out: Array<{ symbol: string; timeframe: string; bars: number }> = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push({
      symbol: (await row.getAttribute('data-symbol')) ?? '',
      timeframe: (await row.getAttribute('data-timeframe')) ?? '',
      bars: Number(await row.getAttribute('data-bars')),
    });
  }
  return out;
}

describe.skipIf(!hasChromium)(`Data and Settings views against regimen serve${skipReason}`, () => {
  let fake: FakeAlpaca | undefined;
  beforeAll(async () => {
    fake = await FakeAlpaca.start({ keyId: KEY_ID, secretKey: SECRET });
  });
  afterAll(async () => {
    await fake?.close();
  });
  // Registered after the fake's hooks: started once the fake answers, closed before it stops.
  const session = useSession('data-view', () => ({
    args: ['--alpaca-base-url', fake?.url ?? ''],
    env: serverEnv(),
  }));

  it('lists the demo coverage and a quality score, fetches with progress, and shows a refusal', async () => {
    if (!fake) throw new Error('setup failed');
    const { page, problems, eventFrames } = await openApp(session());
    await page.getByTestId('tab-data').click();
    await page.getByTestId('data-view').waitFor({ state: 'visible' });

    // The demo market: at least five symbols of 1-minute bars, from the demo source.
    const rows = page.getByTestId('coverage-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    const demo = await coverageRows(page);
    expect(new Set(demo.map((r) => r.symbol)).size).toBeGreaterThanOrEqual(5);
    expect(demo.every((r) => r.timeframe === '1m' && r.bars > 100_000)).toBe(true);
    expect(await rows.first().locator('.source-chip').innerText()).toBe('demo');

    // The first dataset is checked on arrival: a score between 0 and 1.
    const score = page.getByTestId('quality-score');
    await score.waitFor({ state: 'visible', timeout: 60_000 });
    const value = Number(await score.getAttribute('data-value'));
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
    expect(await page.getByTestId('quality-dataset').innerText()).toBe(`${demo[0]!.symbol} 1m`);
    expect(await page.getByTestId('quality-counts').locator('.count-chip').count()).toBeGreaterThan(5);
    // The expected count says what it counts: the demo's minutes in regular hours.
    expect(await page.getByTestId('quality-expected-for').innerText()).toMatch(
      /^Expected \(equities \(NYSE\)\): 1m bars in NYSE regular hours, 09:30-16:00 New York/,
    );

    // Picking another dataset checks that one.
    await rows.nth(1).click();
    await expect
      .poll(() => page.getByTestId('quality-dataset').innerText(), { timeout: 10_000 })
      .toBe(`${demo[1]!.symbol} 1m`);
    await score.waitFor({ state: 'visible', timeout: 60_000 });

    // A fetch from the fake Alpaca: progress on the page, then the new symbol in the table.
    await page.getByTestId('fetch-symbols').fill('ZZFK, ZZFQ');
    await page.getByTestId('fetch-timeframe').selectOption('1Min');
    await page.getByTestId('fetch-start').fill('2024-03-04');
    await page.getByTestId('fetch-end').fill('2024-03-15');
    fake.delayMs = 150;
    await page.getByTestId('fetch-button').click();
    await page.getByTestId('fetch-progress').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('fetch-result').waitFor({ state: 'visible', timeout: 60_000 });
    fake.delayMs = 0;
    expect(await page.getByTestId('fetch-result').innerText()).toMatch(/ZZFK, ZZFQ 1Min: [\d,]+ bars/);
    await expect
      .poll(async () => (await coverageRows(page)).filter((r) => r.symbol.startsWith('ZZF')).length, {
        timeout: 30_000,
      })
      .toBe(2);
    const fetched = (await coverageRows(page)).filter((r) => r.symbol.startsWith('ZZF'));
    // Ten sessions of 390 one-minute bars each.
    expect(fetched.map((r) => r.bars)).toEqual([3900, 3900]);
    const jobFrames = eventFrames
      .map((frame) => JSON.parse(frame) as { channel?: string; payload?: { stage?: string } })
      .filter((m) => m.channel === 'job:progress' && m.payload?.stage === 'fetch');
    expect(jobFrames.length, 'fetch progress over /events').toBeGreaterThan(0);

    // Import of a real file by path (when ../shared/data is present), then its quality report.
    if (goog.present) {
      await page.getByTestId('import-path').fill(goog.path);
      await page.getByTestId('import-button').click();
      await page.getByTestId('import-result').waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.getByTestId('import-result').innerText()).toContain('2,148 bars stored as GOOG 1d');
      await expect
        .poll(() => page.getByTestId('quality-dataset').innerText(), { timeout: 10_000 })
        .toBe('GOOG 1d');
      await score.waitFor({ state: 'visible', timeout: 30_000 });
      expect(Number(await score.getAttribute('data-value'))).toBeGreaterThan(0);
      // The score says what it measures beside the problem count (issue 10 item 5).
      expect(await page.getByTestId('quality-score-explained').innerText()).toMatch(
        /coverage .* usable rows .* probable split/,
      );
      expect((await coverageRows(page)).find((r) => r.symbol === 'GOOG')).toMatchObject({ bars: 2148 });
    } else {
      console.warn(`data.e2e: import step${goog.skipReason}`);
    }

    await page.screenshot({ path: SCREENSHOT });

    expect(problems, problems.join('\n')).toEqual([]);

    // A slow fetch can be cancelled next to its progress bar (the browser logs the cancelled request's
    // HTTP status to the console; that is expected from here on).
    await page.getByTestId('fetch-symbols').fill('ZZFC');
    await page.getByTestId('fetch-start').fill('2024-01-02');
    await page.getByTestId('fetch-end').fill('2024-06-28');
    fake.delayMs = 300;
    await page.getByTestId('fetch-button').click();
    await page.getByTestId('fetch-progress').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('fetch-cancel').click();
    await expect
      .poll(() => page.getByTestId('fetch-result').innerText(), { timeout: 30_000 })
      .toBe('✓ ZZFC 1Min: cancelled, the bars fetched so far are kept');
    fake.delayMs = 0;
    // The job ends once the coverage has been listed again.
    await expect.poll(() => page.getByTestId('fetch-cancel').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.getByTestId('data-error-fetch').count()).toBe(0);

    // Alpaca refusing the keys reaches the user in words, with the way to Settings.
    fake.failNext({ kind: '401' });
    await page.getByTestId('fetch-start').fill('2024-04-01');
    await page.getByTestId('fetch-end').fill('2024-04-02');
    await page.getByTestId('fetch-button').click();
    const error = page.getByTestId('data-error-fetch');
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await error.getByTestId('data-error-message').innerText()).toMatch(/Alpaca refused the API keys/);
    await error.getByTestId('open-settings').click();

    // Settings: keys come from the server's environment; the page never holds them.
    await page.getByTestId('settings-view').waitFor({ state: 'visible' });
    await expect
      .poll(() => page.getByTestId('keys-configured').getAttribute('data-value'), { timeout: 10_000 })
      .toBe('true');
    expect(await page.getByTestId('keys-source').getAttribute('data-value')).toBe('environment');
    expect(['os', 'memory']).toContain(await page.getByTestId('keys-keychain').getAttribute('data-value'));
    expect(await page.getByTestId('keys-host').innerText()).toBe(fake.url);
    expect(await page.getByTestId('secret-input').getAttribute('type')).toBe('password');
    await page.screenshot({ path: SETTINGS_SCREENSHOT });
    const html = await page.content();
    expect(html).not.toContain(SECRET);
    expect(eventFrames.join('\n')).not.toContain(SECRET);

    expect(
      problems.filter((p) => !p.includes('Failed to load resource')),
      problems.join('\n'),
    ).toEqual([]);
    await page.close();
  }, 180_000);
});
