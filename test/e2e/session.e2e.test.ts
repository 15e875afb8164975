/**
 * End to end (issue 10 item 4): the app's one session setting (Settings, the Backtest view, the Optimize
 * form) is what the renderer sends on every bars:get, backtest:run and optimize:start. The demo market is generated over regular hours only (core/data/synthetic.ts),
 * so there are no pre-market bars whose appearance could be checked: the regular-session answer is checked
 * to open each day at 09:30 New York, and the extended choice is checked on the request itself.
 */
import type { Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSkipReason, hasChromium, openApp, useSession } from './harness.ts';

const skipReason = chromiumSkipReason('session.e2e');

const NEW_YORK_TIME = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The first bar's New York time of each day in the answer, as HH:MM. */
function dayOpens(t: number[]): string[] {
  const firstOfDay = new Map<string, string>();
  for (const ms of t) {
    const [date, time] = NEW_YORK_TIME.format(ms).split(', ');
    if (date !== undefined && time !== undefined && !firstOfDay.has(date)) firstOfDay.set(date, time);
  }
  return [...firstOfDay.values()];
}

describe.skipIf(!hasChromium)(`the session setting in the browser${skipReason}`, () => {
  const session = useSession('session');

  it('sends the chosen session on bars:get and backtest:run, regular (09:30 opens) by default', async () => {
    const { page } = await openApp(session());
    const sent: Array<{ channel: string; input: Record<string, unknown> }> = [];
    page.on('request', (request: Request) => {
      const channel = /\/api\/(bars:get|backtest:run)$/.exec(new URL(request.url()).pathname)?.[1];
      if (channel) sent.push({ channel, input: request.postDataJSON() as Record<string, unknown> });
    });

    const symbols = page.getByTestId('symbol-item');
    await expect.poll(() => symbols.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await symbols.first().click();
    await expect.poll(() => page.getByTestId('session').inputValue()).toBe('regular');
    const answer = page.waitForResponse(
      (r) =>
        r.url().endsWith('/api/bars:get') &&
        (r.request().postDataJSON() as { timeframe?: string }).timeframe === '1m',
    );
    await page.getByTestId('timeframe-1m').click();
    const bars = (await (await answer).json()) as { timeframe: string; t: number[] };
    expect(bars.timeframe).toBe('1m');
    const opens = dayOpens(bars.t).slice(1); // the window may start mid-day
    expect(opens.length).toBeGreaterThan(0);
    expect(new Set(opens)).toEqual(new Set(['09:30']));
    expect(sent.filter((r) => r.channel === 'bars:get').at(-1)?.input).toMatchObject({
      timeframe: '1m',
      session: 'regular',
    });

    await page.getByTestId('session').selectOption('extended');
    await expect
      .poll(() => sent.filter((r) => r.channel === 'bars:get').at(-1)?.input)
      .toMatchObject({ timeframe: '1m', session: 'extended' });
    await page.getByTestId('run-backtest').click();
    await expect
      .poll(() => sent.find((r) => r.channel === 'backtest:run')?.input, { timeout: 60_000 })
      .toMatchObject({ timeframe: '1m', session: 'extended' });

    // The choice outlives a reload, as the time zone does.
    await page.reload();
    await expect.poll(() => page.getByTestId('session').inputValue(), { timeout: 30_000 }).toBe('extended');
  });

  it('Settings, the Backtest view and the Optimize form show one setting, and a study is started on it', async () => {
    const { page } = await openApp(session());
    let started: { data?: { session?: string } } | undefined;
    page.on('request', (request: Request) => {
      if (new URL(request.url()).pathname.endsWith('/api/optimize:start'))
        started = request.postDataJSON() as typeof started;
    });
    await page.getByTestId('tab-settings').click();
    const setting = page.getByTestId('settings-session');
    // The first test of this file chose extended; the setting is kept across launches of the page.
    await expect.poll(() => setting.inputValue(), { timeout: 30_000 }).toBe('extended');
    await setting.selectOption('regular');
    await page.getByTestId('tab-backtest').click();
    await expect.poll(() => page.getByTestId('session').inputValue()).toBe('regular');
    await page.getByTestId('session').selectOption('extended');

    await page.getByTestId('tab-optimize').click();
    await expect.poll(() => page.getByTestId('opt-session').inputValue()).toBe('extended');
    await page.getByTestId('opt-trial-count').fill('2');
    const start = page.getByTestId('opt-start-button');
    await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
    await start.click();
    await expect.poll(() => started?.data?.session, { timeout: 30_000 }).toBe('extended');
    await page.getByTestId('tab-settings').click();
    await expect.poll(() => setting.inputValue()).toBe('extended');
  });
});
