/**
 * The learner's session (issue 12): the app's `learner:evaluate` names the session as the CLI's
 * `--session` does, and both give the same figures for the same request. The app's request goes to the
 * folder's owner over HTTP; the CLI runs beside it and reads its bars through that owner, as a command
 * beside `regimen serve` does (the owner here is the services behind an HTTP host in this process,
 * announced in the folder's discovery file as serve announces itself).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysFromCivil } from '../../src/core/data/calendar.ts';
import { main } from '../../src/main/cli/main.ts';
import { announceOwner } from '../../src/main/server/discovery.ts';
import { startHttpHost, type HttpHost } from '../../src/main/server/httpHost.ts';
import type { Services } from '../../src/main/services/services.ts';
import type { LearnerEvaluation } from '../../src/shared/contract.ts';
import { tempDir } from '../marketdata/helpers.ts';
import { captureIO } from '../support/captureIO.ts';
import { extendedHoursBars } from '../support/extendedMinutes.ts';
import { postJson, testServices } from '../support/serviceHost.ts';

const SYMBOL = 'SESX';
// Five weeks of 1-minute bars with pre- and post-market hours (Thanksgiving closed, an early close after).
const BARS = extendedHoursBars(daysFromCivil(2024, 11, 4), daysFromCivil(2024, 12, 7));

let dir: { path: string; remove(): void };
let services: Services;
let host: HttpHost;
let release: () => void;
beforeAll(async () => {
  dir = tempDir('regimen-learner-session-');
  services = await testServices(dir.path);
  await services.bars.write(SYMBOL, '1m', BARS, 'test');
  host = await startHttpHost({ handlers: services.handlers, events: services.events });
  ({ release } = await announceOwner(dir.path, {
    port: host.port,
    token: host.token,
    host: 'http',
    version: (await services.handlers['app:info']({})).version,
  }));
});
afterAll(async () => {
  release?.();
  await host?.close();
  await services?.close();
  dir?.remove();
});

/** The figures both report (the CLI's JSON adds its settings, the app's the feature weights). */
function figures(e: Omit<LearnerEvaluation, 'importance'>) {
  return {
    windows: e.windows,
    predictions: e.predictions,
    mae: e.mae,
    rank: e.rank,
    topQuintile: e.topQuintile,
    pairwise: e.pairwise,
    coverage: [e.coverage80, e.coverage90, e.unbounded80, e.unbounded90],
    confidenceDeciles: e.confidenceDeciles,
    firstWindow: e.rolling[0]?.startTime,
  };
}

async function viaCli(session: string) {
  const io = captureIO();
  const code = await main(
    ['learner', 'evaluate', '--symbol', SYMBOL, '--timeframe', '1m', '--session', session].concat([
      '--window-bars',
      '60',
      '--sets',
      '6',
      '--json',
      '--data-dir',
      dir.path,
    ]),
    io,
  );
  expect(code, io.stderr).toBe(0);
  return figures(JSON.parse(io.stdout) as LearnerEvaluation);
}

async function viaApp(session: string) {
  const answer = await postJson(
    host.port,
    host.token,
    'learner:evaluate',
    JSON.stringify({ symbol: SYMBOL, timeframe: '1m', session, windowBars: 60, sets: 6 }),
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return figures(answer.body as LearnerEvaluation);
}

describe('the learner request names the session', () => {
  it('the app and the CLI beside it give the same evaluation in each session, and the sessions differ', async () => {
    const regular = await viaApp('regular');
    expect(await viaCli('regular')).toEqual(regular);
    const extended = await viaApp('extended');
    expect(await viaCli('extended')).toEqual(extended);
    // Regular windows open at 09:30 New York, extended ones at the day's first bar (04:00): other bars.
    expect(extended.firstWindow).not.toBe(regular.firstWindow);
    expect(extended.mae).not.toBe(regular.mae);
  }, 60_000);

  it("both run the windows at the folder's cash, costs and risk-free rate, as a backtest there would", async () => {
    const free = await viaApp('regular');
    await services.handlers['settings:set']({
      cash: 25_000,
      commissionPercent: 0.1,
      spreadBps: 10,
      riskFreePercent: 4,
    });
    const priced = await viaApp('regular');
    expect(await viaCli('regular')).toEqual(priced);
    // The settings reach the scores the learner learns and is measured on.
    expect(priced.mae).not.toBe(free.mae);
    expect(priced.rank).not.toEqual(free.rank);
  }, 60_000);

  it('names the field when the session is neither', async () => {
    const answer = await postJson(
      host.port,
      host.token,
      'learner:evaluate',
      JSON.stringify({ symbol: SYMBOL, timeframe: '1m', session: 'overnight' }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(/session/);
  });
});
