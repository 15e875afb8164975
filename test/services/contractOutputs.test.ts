/**
 * Issue 8 item 10: every channel's answer is parsed against its output schema. Each channel of the
 * request map is called with a valid input through the same dispatch the hosts use, on services over a
 * temp data dir (one synthetic symbol, the fake Alpaca server for fetches, a small CSV for import), and
 * its answer must satisfy `requestSchemas[channel].output` strictly. The cases are a Record over every
 * request channel, so a channel added without a case fails to type-check, and the test checks the
 * covered set against REQUEST_CHANNELS as well.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import { randomWalkBars } from '../../src/core/engine/random-walk.ts';
import { LiveRunner } from '../../src/core/live/runner.ts';
import { STRATEGIES } from '../../src/core/strategy/registry.ts';
import { startBotServer, type BotServer } from '../../src/main/livebot/botServer.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { Services } from '../../src/main/services/services.ts';
import {
  REQUEST_CHANNELS,
  requestSchemas,
  type LiveProposal,
  type OptimizeProgressEvent,
  type RequestChannel,
  type RequestInput,
} from '../../src/shared/contract.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import {
  HOST_BACKTEST,
  HOST_END,
  HOST_START,
  HOST_SYMBOL,
  servicesOnTempDir,
} from '../support/serviceHost.ts';
import { liveBarAt } from '../../src/core/live/liveBar.test-util.ts';

const KEY_ID = 'PKCONTRACTOUT0042';
const SECRET = 'contract-outputs-secret-7731';
const DAY = 86_400_000;
const LEARNER_SYMBOL = 'LRNR';

let fake: FakeAlpaca;
let services: Services;
/** A reference bot core on loopback, for the live channels (fed its bars by hand). */
let bot: BotServer;
let runner: LiveRunner;
const BOT_SECRET = 'contract-outputs-bot-secret-4410';
const HEARTBEAT = { timeoutMs: 600_000, mode: 'no-new-entries' } as const;
/** The live proposal the approve and push cases act on. */
let proposal = { approvalId: '', confirmation: '' } as Pick<
  LiveProposal,
  'approvalId' | 'confirmation' | 'set'
>;
let liveTrial = 0;
let dir: { path: string; remove(): void };
/** The study `optimize:start` created: the study channels after it act on it. */
let studyId = '';
/** Studies' terminal progress events, by study id. */
const terminal = new Map<string, OptimizeProgressEvent>();
const waiting = new Map<string, (event: OptimizeProgressEvent) => void>();

beforeAll(async () => {
  fake = await FakeAlpaca.start({ keyId: KEY_ID, secretKey: SECRET });
  runner = new LiveRunner({ catalogue: STRATEGIES, capacity: 100, heartbeat: HEARTBEAT });
  bot = await startBotServer({ runner, secret: BOT_SECRET, symbol: 'TEST', heartbeat: HEARTBEAT });
  const bars = randomWalkBars(10, 1);
  for (let i = 0; i < 10; i++) runner.onBar(liveBarAt(bars, i));
  ({ dir, services } = await servicesOnTempDir('regimen-contract-outputs-', {
    env: { REGIMEN_BOT_SECRET: BOT_SECRET },
    alpaca: { dataBaseUrl: fake.url, requestsPerMinute: 6_000 },
  }));
  services.events.subscribe((channel, payload) => {
    if (channel !== 'optimize:progress') return;
    const event = payload as OptimizeProgressEvent;
    if (event.detail === undefined) return;
    terminal.set(event.studyId, event);
    waiting.get(event.studyId)?.(event);
  });
  const market = createSyntheticMarket({
    seed: 7,
    start: HOST_START,
    end: HOST_END,
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === HOST_SYMBOL),
  });
  await services.bars.write(HOST_SYMBOL, '1m', market.generate(0).bars, 'test');
  // Daily bars past the rule detector's warm-up (350 days) times three: what a regime comparison needs.
  await services.bars.write(
    'WALK',
    '1d',
    randomWalkBars(1600, 3, { volatility: 0.012, stepMs: DAY }),
    'test',
  );
  const rows = Array.from({ length: 30 }, (_, i) => {
    const date = new Date(Date.UTC(2023, 0, 2 + i)).toISOString().slice(0, 10);
    const close = 100 + Math.sin(i) * 3;
    return `${date},${close},${close + 1},${close - 1},${close},${1000 + i}`;
  });
  writeFileSync(join(dir.path, 'IMPT.csv'), ['Date,Open,High,Low,Close,Volume', ...rows].join('\n'));
});

afterAll(async () => {
  await services?.close();
  await fake?.close();
  await bot?.close();
  dir?.remove();
});

/** The study's terminal progress event (the run is short: two trials over a month of hourly bars). */
function studyFinished(id: string): Promise<OptimizeProgressEvent> {
  const seen = terminal.get(id);
  return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiting.set(id, resolve));
}

/**
 * One valid input per channel, in the order they run (later cases use the study and the data the earlier
 * ones made). A function, since the study id and the temp dir are known only once the run has started.
 */
const cases: { [K in RequestChannel]: () => RequestInput<K> | Promise<RequestInput<K>> } = {
  'app:info': () => ({}),
  'data:list': () => ({}),
  'bars:get': () => ({ symbol: HOST_SYMBOL, timeframe: '1h', start: HOST_START, end: HOST_START + 5 * DAY }),
  'strategies:list': () => ({}),
  'strategies:problems': () => ({}),
  'strategies:reload': () => ({}),
  'backtest:robustness': () => ({ method: 'trade-shuffle', returns: [0.02, -0.01, 0.03], resamples: 50 }),
  'backtest:run': () => ({ ...HOST_BACKTEST, cash: 10_000 }),
  'optimize:start': () => ({
    strategy: 'sma-cross',
    data: { symbol: HOST_SYMBOL, timeframes: ['1h'] },
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 2,
    seed: 11,
  }),
  'optimize:list': () => ({}),
  'optimize:get': async () => {
    await finished;
    return { studyId };
  },
  'optimize:approve': () => ({ studyId, params: { fast: 5, slow: 20 } }),
  'optimize:neighbourhood': async () => {
    await finished;
    return { studyId };
  },
  'optimize:trial-backtest': async () => {
    await finished;
    return { studyId, trialNumber: 0 };
  },
  'optimize:importance': async () => {
    await finished;
    return { studyId, measure: 0, filter: { minTrades: 1 } };
  },
  'live:bot-add': () => ({ name: 'paper', url: bot.url }),
  'live:bots': () => ({}),
  'live:bot': () => ({ bot: bot.url }),
  'live:propose': async () => {
    await finished;
    const trials = (await dispatch(services.handlers, 'optimize:get', { studyId })) as {
      trials: Array<{ number: number; status: string }>;
    };
    liveTrial = trials.trials.find((t) => t.status === 'complete')!.number;
    return { bot: bot.url, studyId, trialNumber: liveTrial };
  },
  'live:proposals': () => ({ bot: bot.url }),
  'live:diff': async () => {
    const [latest] = (await dispatch(services.handlers, 'live:proposals', {})) as Array<typeof proposal>;
    proposal = latest;
    return { approvalId: proposal.approvalId };
  },
  'live:approve': () => ({ approvalId: proposal.approvalId, typed: proposal.confirmation, note: 'contract' }),
  'live:push': () => ({ approvalId: proposal.approvalId, policy: 'adopt' }),
  'live:rollback': async () => {
    // A second version, so there is a last good one to go back to.
    runner.onBar({ t: 2e12, o: 100, h: 101, l: 99, c: 100, v: 1 });
    const again = (await dispatch(services.handlers, 'live:propose', {
      bot: bot.url,
      studyId,
      trialNumber: liveTrial,
      limits: { maxPositionFraction: 0.5, maxDailyLoss: 0.1, maxOrdersPerDay: 10 },
    })) as typeof proposal;
    await dispatch(services.handlers, 'live:approve', {
      approvalId: again.approvalId,
      typed: again.confirmation,
      note: 'contract',
    });
    await dispatch(services.handlers, 'live:push', { approvalId: again.approvalId });
    runner.onBar({ t: 2e12 + 60_000, o: 100, h: 101, l: 99, c: 100, v: 1 });
    return { bot: bot.url, reason: 'contract' };
  },
  'live:halt': () => ({ bot: bot.url, mode: 'no-new-entries', reason: 'contract' }),
  'live:resume': () => ({ bot: bot.url, reason: 'contract' }),
  'live:audit': () => ({}),
  'live:audit-export': () => ({ format: 'json' }),
  'live:audit-bot-changes': () => ({ bot: bot.url }),
  'live:policy-set': () => ({
    bot: bot.url,
    policy: { bounds: { fast: { min: 2, max: 40, maxStep: 5 } }, maxChangesPerDay: 2, minConfidence: 0.5 },
    reason: 'contract',
  }),
  'live:policy': () => ({ bot: bot.url }),
  'live:regime-updates': () => ({ bot: bot.url }),
  'live:regime-updates-set': () => ({ bot: bot.url, settings: { enabled: false } }),
  'live:bot-timeouts-set': () => ({ pushSeconds: 10, readSeconds: 5 }),
  'live:webhook': () => ({}),
  'live:webhook-set': () => ({ url: null }),
  'live:webhook-test': async () => {
    // A receiver to post to: the fake Alpaca server answers the unknown path with a 4xx, not retried.
    await dispatch(services.handlers, 'live:webhook-set', {
      url: `${fake.url}/hook`,
      secret: 'contract-outputs-webhook-secret',
    });
    return {};
  },
  'live:verify-provenance': () => ({ set: proposal.set }),
  'live:bot-remove': () => ({ bot: bot.url }),
  'optimize:annotate': () => ({ studyId, note: 'contract' }),
  // A backtest (the trial is pinned by the e2e test and the service test): the study may still run here.
  'compare:pin': () => ({
    source: {
      kind: 'backtest',
      request: { symbol: HOST_SYMBOL, timeframe: '1h', strategy: 'sma-cross', params: { fast: 5, slow: 20 } },
    },
  }),
  'compare:list': () => ({}),
  'compare:unpin': async () => {
    const pin = await dispatch(services.handlers, 'compare:pin', {
      source: {
        kind: 'backtest',
        request: {
          symbol: HOST_SYMBOL,
          timeframe: '1h',
          strategy: 'sma-cross',
          params: { fast: 3, slow: 20 },
        },
      },
    });
    return { pinId: (pin as { id: string }).id };
  },
  'compare:clear': () => ({}),
  'optimize:resume': () => ({ studyId }),
  'optimize:delete': async () => {
    await finished;
    return { studyId };
  },
  'walkforward:run': () => ({
    strategy: 'sma-cross',
    data: { symbol: HOST_SYMBOL, timeframe: '1h' },
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 2,
    seed: 3,
    windows: { train: 8, test: 4, step: 8 },
  }),
  'job:cancel': () => ({ jobId: 'no-such-job' }),
  'compute:status': () => ({}),
  'compute:choose': () => ({ target: 'local' }),
  'compute:test': () => ({}),
  'settings:get': () => ({}),
  'settings:set': () => ({ cash: 20_000, session: 'regular' }),
  'settings:data-folder': () => ({ folder: dir.path, mode: 'switch' }),
  'data:coverage': () => ({}),
  'data:quality': () => ({ symbol: HOST_SYMBOL }),
  'data:import': () => ({ path: join(dir.path, 'IMPT.csv') }),
  'settings:keys-status': () => ({}),
  'settings:save-keys': () => ({ keyId: KEY_ID, secret: SECRET }),
  'data:fetch': () => ({
    symbols: ['AAPL'],
    timeframe: '1Day',
    start: Date.UTC(2024, 0, 2),
    end: Date.UTC(2024, 0, 12),
  }),
  // Stopped once its catch-up is done (a sync answers only when job:cancel stops it).
  'data:sync': () => {
    const jobId = 'contract-outputs-sync';
    const stop = services.events.subscribe((channel, payload) => {
      if (channel !== 'data:sync-state' || (payload as { jobId: string }).jobId !== jobId) return;
      stop();
      void dispatch(services.handlers, 'job:cancel', { jobId });
    });
    return { jobId, symbols: ['AAPL'], since: Date.UTC(2024, 11, 31) };
  },
  'data:export': () => ({
    symbol: HOST_SYMBOL,
    timeframe: '1d',
    format: 'csv',
    path: join(dir.path, 'out.csv'),
    overwrite: true,
  }),
  'settings:clear-keys': () => ({}),
  'regimes:get': () => ({ symbol: HOST_SYMBOL, timeframe: '1h', detector: 'rules' }),
  'learner:status': () => ({}),
  // Years of daily bars: the scorecard's train window is three purge gaps (the detector warms up 350 days).
  'learner:evaluate': async () => {
    await services.bars.write(LEARNER_SYMBOL, '1d', randomWalkBars(2600, 9, { stepMs: DAY }), 'test');
    return { symbol: LEARNER_SYMBOL, timeframe: '1d', sets: 6 };
  },
  'learner:recommend': () => ({ symbol: LEARNER_SYMBOL, timeframe: '1d', trials: 4, regimes: 2 }),
  'learner:scorecard': () => ({ symbol: LEARNER_SYMBOL, timeframe: '1d', trials: 4 }),
  // After the study's trials: the backfill records them and saves the learner's state read next.
  'learner:backfill': async () => {
    await finished;
    return {};
  },
  'learner:state': () => ({ strategy: 'sma-cross' }),
  'regimes:winners': () => ({
    symbol: 'WALK',
    timeframe: '1d',
    detector: 'rules',
    trials: 3,
    minTrades: 2,
  }),
  'regimes:compare': () => ({ symbol: 'WALK', timeframe: '1d', detector: 'rules', trials: 3 }),
  // Last, on a symbol of their own: what the other cases read stays.
  'data:rename': async () => {
    await dispatch(services.handlers, 'data:import', { path: join(dir.path, 'IMPT.csv'), symbol: 'DOOMED' });
    return { symbol: 'DOOMED', to: 'DOOMED2' };
  },
  'data:delete': () => ({ symbol: 'DOOMED2' }),
  'data:demo': () => ({}),
};

/** Settles when the study `optimize:start` created has stopped (set by that case's answer). */
let finished: Promise<unknown> = Promise.resolve();

describe('every channel answers what its output schema says', () => {
  it('has a case for every request channel', () => {
    expect(Object.keys(cases).sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  for (const channel of Object.keys(cases) as RequestChannel[]) {
    it(channel, async () => {
      const input = await cases[channel]();
      const answer = await dispatch(services.handlers, channel, input);
      if (channel === 'optimize:start') {
        studyId = (answer as { studyId: string }).studyId;
        finished = studyFinished(studyId);
      }
      const parsed = requestSchemas[channel].output.safeParse(answer);
      expect(parsed.error?.issues ?? [], `${channel}: ${JSON.stringify(answer).slice(0, 400)}`).toEqual([]);
    });
  }
});
