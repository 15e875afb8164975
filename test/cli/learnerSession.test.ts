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
import type {
  LearnerEvaluation,
  LearnerRecommendations,
  RegimeRecommendation,
} from '../../src/shared/contract.ts';
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

/** The CLI's `learner <command> --json` on the stored bars in a session, beside the folder's owner. */
async function cliJson(command: 'evaluate' | 'recommend', session: string, flags: readonly string[]) {
  const io = captureIO();
  const subject = ['--symbol', SYMBOL, '--timeframe', '1m', '--session', session];
  const code = await main(['learner', command, ...subject, ...flags, '--json', '--data-dir', dir.path], io);
  expect(code, io.stderr).toBe(0);
  return JSON.parse(io.stdout) as unknown;
}

/** The app's request to the folder's owner, for the stored bars in a session. */
async function appJson(channel: string, session: string, request: object) {
  const body = JSON.stringify({ symbol: SYMBOL, timeframe: '1m', session, ...request });
  const reply = await postJson(host.port, host.token, channel, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

const viaCli = async (session: string) =>
  figures((await cliJson('evaluate', session, ['--window-bars', '60', '--sets', '6'])) as LearnerEvaluation);
const viaApp = async (session: string) =>
  figures((await appJson('learner:evaluate', session, { windowBars: 60, sets: 6 })) as LearnerEvaluation);

/** A recommendation's answer as both report it (the CLI's JSON carries the interval's basis too). */
function answer(
  r: Pick<
    RegimeRecommendation,
    'action' | 'params' | 'score' | 'interval80' | 'interval90' | 'confidence' | 'regime'
  >,
) {
  return {
    action: r.action,
    params: r.params,
    score: r.score,
    interval80: [r.interval80.lower, r.interval80.upper],
    interval90: [r.interval90.lower, r.interval90.upper],
    confidence: r.confidence,
    regime: r.regime,
  };
}

const recommendViaCli = async (session: string) =>
  answer(
    (await cliJson('recommend', session, [
      '--window-bars',
      '60',
      '--sets',
      '6',
      '--trials',
      '8',
    ])) as RegimeRecommendation,
  );

async function recommendViaApp(session: string) {
  const panel = { windowBars: 60, sets: 6, trials: 8 };
  const body = (await appJson('learner:recommend', session, {
    ...panel,
    learnFrom: 'bars',
    regimes: 1,
  })) as LearnerRecommendations;
  expect(body.basis.source).toBe('bars');
  const [current] = body.recommendations;
  expect(current!.current).toBe(true);
  return answer(current!);
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

  it("the app's recommendation from the bars is the CLI's (no --from-ledger) in each session and at the folder's costs", async () => {
    // The folder's settings are the priced ones the test above set: both read them.
    const regular = await recommendViaApp('regular');
    expect(await recommendViaCli('regular')).toEqual(regular);
    expect(regular.interval80.every(Number.isFinite)).toBe(true);
    const extended = await recommendViaApp('extended');
    expect(await recommendViaCli('extended')).toEqual(extended);
    expect(extended.score).not.toBe(regular.score);
  }, 120_000);

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
