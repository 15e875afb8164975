import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { sliceBars } from '../../../core/data/bars.ts';
import { randomWalkBars } from '../../../core/engine/random-walk.ts';
import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  type ParameterSet,
} from '../../../core/live/parameterSet.ts';
import { LiveRunner } from '../../../core/live/runner.ts';
import { learnerSpace, spaceFeatures } from '../../../core/ml/learner/ledger.ts';
import { fastPeriodLearner } from '../../../core/ml/learner/planted.test-util.ts';
import { STRATEGIES } from '../../../core/strategy/registry.ts';
import { captureIO } from '../../../../test/support/captureIO.ts';
import type { LearnerRecommendations, Requests } from '../../../shared/contract.ts';
import { deskSessionText } from '../../../shared/botSession.ts';
import type { LiveBotView, LiveProposal, RegimeUpdatesView } from '../../../shared/liveContract.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/settingsContract.ts';
import { main } from '../../cli/main.ts';
import { AuditLog, auditLogPath } from '../../livebot/auditLog.ts';
import { setApprovalPolicy } from '../../livebot/autoApproval.ts';
import { BotClient } from '../../livebot/botClient.ts';
import { startBotServer, type BotServer } from '../../livebot/botServer.ts';
import { approve, propose, push } from '../../livebot/liveDesk.ts';
import { MemorySecretStore } from '../../secrets/secretStore.ts';
import { BarsRepository } from '../../store/barsRepository.ts';
import { LedgerRepository } from '../../store/ledgerRepository.ts';
import { LedgerLearner } from '../../ml/ledgerLearner.ts';
import { withStanding } from '../../ml/standing.ts';
import { Database } from '../../store/database.ts';
import { dispatch } from '../dispatch.ts';
import { EventBus } from '../events.ts';
import { InProcessExecutor } from '../../compute/inProcess.ts';
import { createLearnerHandlers } from '../learner/handlers.ts';
import { createLiveHandlers, type LiveHandlersDeps, type LiveService } from './handlers.ts';
import { liveBarAt } from '../../../core/live/liveBar.test-util.ts';
import { timeFormat } from '../../../shared/timeZone.ts';

const SECRET = 'regime-updates-secret-0123456789';
const DAY = 86_400_000;
const HEARTBEAT = { timeoutMs: 600_000, mode: 'no-new-entries' } as const;
const LIMITS = { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 10_000 };
const bars = randomWalkBars(700, 8, { stepMs: DAY, volatility: 0.012 });

let dir: string;
let db: Database;
let runner: LiveRunner;
let server: BotServer;
let live: LiveService;
let fed = 0;
let events: EventBus;

const call = (channel: string, input: unknown): Promise<unknown> =>
  dispatch(live.handlers as unknown as Requests, channel, input);

/** Feeds daily bars (or `source`'s) to the bot, the watcher looking every 25 (as its poll would meanwhile). */
async function feed(count: number, source = bars): Promise<void> {
  for (const end = fed + count; fed < end; fed++) {
    runner.onBar(liveBarAt(source, fed));
    if (fed % 25 === 24) await live.watcher.tick();
  }
  await live.watcher.tick();
}

const auditOf = async <T>(read: (audit: AuditLog) => Promise<T>): Promise<T> => {
  const audit = await AuditLog.open(auditLogPath(dir));
  try {
    return await read(audit);
  } finally {
    audit.close();
  }
};

/**
 * Times the live service read Settings' costs (regime updates read them for the costs they score at;
 * the watcher reads Settings' session at every look, which this does not count).
 */
let settingsReads = 0;
/** Settings' session, as the trader set it. */
let settingsSession: Settings['session'] = 'regular';
const settings = (): Settings => ({
  ...DEFAULT_SETTINGS,
  session: settingsSession,
  get riskFreePercent() {
    settingsReads++;
    return DEFAULT_SETTINGS.riskFreePercent;
  },
});

/** The live service over the test's folder; with no learnerFor, the learner the ledger saved (as serve). */
const liveService = (learnerFor?: LiveHandlersDeps['learnerFor']): LiveService =>
  createLiveHandlers({
    dataDir: dir,
    db,
    bars: new BarsRepository(db),
    executor: new InProcessExecutor(),
    events,
    secrets: new MemorySecretStore(),
    env: { REGIMEN_BOT_SECRET: SECRET },
    settings,
    ...(learnerFor === undefined ? {} : { learnerFor }),
  });

beforeEach(async () => {
  fed = 0;
  settingsReads = 0;
  settingsSession = 'regular';
  dir = mkdtempSync(join(tmpdir(), 'regimen-regime-updates-'));
  db = await Database.open(join(dir, 'cache.duckdb'));
  runner = new LiveRunner({ catalogue: STRATEGIES, capacity: bars.t.length, heartbeat: HEARTBEAT });
  server = await startBotServer({ runner, secret: SECRET, symbol: 'TEST', heartbeat: HEARTBEAT });
  events = new EventBus();
  live = liveService({
    version: async () => 3,
    load: async () => ({ learner: fastPeriodLearner(), version: 3 }),
  });
  await call('live:bot-add', { name: 'replay', url: server.url });
  // A person pushes the first set and lets the policy act within the search space.
  const first = sealParameterSet({
    schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
    strategy: { name: 'sma-cross', version: '1' },
    parameters: { fast: 20, slow: 60 },
    limits: LIMITS,
    provenance: { kind: 'manual', note: 'first set', engineVersion: 'test' },
  });
  await auditOf(async (audit) => {
    const desk = { audit, client: (url: string) => new BotClient(url, SECRET) };
    const proposal = await propose(desk, server.url, first, 'trader', 'first set');
    await approve(desk, proposal.approvalId, {
      approver: 'trader',
      note: 'first set',
      typed: proposal.confirmation,
    });
    await push(desk, proposal.approvalId, { actor: 'trader', policy: 'keep', approversRequired: 1 });
    await setApprovalPolicy(
      desk,
      server.url,
      {
        bounds: { fast: { min: 1, max: 500, maxStep: 500 }, slow: { min: 1, max: 500, maxStep: 500 } },
        maxChangesPerDay: 50,
        minConfidence: 0.2,
        // The ledger's learner's skill is not measured: without this its sets wait for a person.
        approveUnmeasuredSkill: true,
      },
      'trader',
      'regime updates within the search space',
    );
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await live.close();
  await server.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('off (the default), a replay bot gets no regime-driven proposal; on, a regime change is auto-approved, pushed and audited', async () => {
  await feed(300);
  expect(await call('live:regime-updates', { bot: server.url })).toMatchObject({
    settings: { enabled: false },
    last: null,
  });
  expect((await auditOf((a) => a.of('proposal', server.url))).map((p) => p.actor)).toEqual(['trader']);

  expect(settingsReads).toBe(0);
  const on = { enabled: true, detector: 'rules', axis: 'both', threshold: 0.2, minDwellHours: 20 * 24 };
  expect(await call('live:regime-updates-set', { bot: server.url, settings: on })).toMatchObject({
    settings: on,
    last: null,
  });
  const announced: unknown[] = [];
  events.subscribe((channel, payload) => {
    if (channel === 'live:approval') announced.push(payload);
  });
  await feed(150);
  const view = (await call('live:regime-updates', { bot: server.url })) as RegimeUpdatesView;
  // Its candidates were scored at the costs Settings give a backtest of the bot's bars.
  expect(settingsReads).toBeGreaterThan(0);
  const proposals = await auditOf((a) => a.of('proposal', server.url));
  const byUpdates = proposals.filter((p) => p.actor === 'regime-updates');
  expect(byUpdates.length).toBeGreaterThan(0);
  expect(byUpdates[0]!.reason).toMatch(
    /^(regime \S+ -> |daily check in )\w+\/\w+; model sma-cross learner v3, confidence 0\.\d{3}; the ledger's learner, [\d,]+ results learned; skill not measured: it proposed on confidence alone$/,
  );
  const approvals = await auditOf((a) => a.of('approval', server.url));
  expect(approvals.filter((a) => a.actor === 'policy').length).toBeGreaterThan(0);
  expect(view.last).not.toBeNull();
  expect((await new BotClient(server.url, SECRET).status()).acceptedVersion).toBeGreaterThan(1);
  // What the view and `live regime-updates show` tell: the last regime change, the last proposal and
  // what became of it, as the server recorded them (a CLI in another process reads the same record).
  const lastByUpdates = JSON.parse(byUpdates.at(-1)!.detail) as { approvalId: string };
  const pushes = await auditOf((a) => a.of('push', server.url));
  const wasPushed = pushes.some((p) => p.detail.includes(lastByUpdates.approvalId));
  const action = wasPushed ? 'pushed' : 'proposed';
  expect(view.lastProposal).toMatchObject({ approvalId: lastByUpdates.approvalId, action });
  // Each proposal it made left the app once: auto-approved (and pushed) or waiting for a person.
  expect(announced).toHaveLength(byUpdates.length);
  expect(announced.at(-1)).toEqual({
    kind: wasPushed ? 'auto-approved' : 'approval-waiting',
    bot: server.url,
    name: 'replay',
    approvalId: lastByUpdates.approvalId,
    message: `regime update: ${view.lastProposal!.detail}`,
    at: expect.any(Number),
  });
  expect(view.lastRegimeChange).toMatchObject({ regime: expect.stringMatching(/^\w+\/\w+$/) });
  // The daily check by default: 09:00 New York, before the open, on the exchange's trading days.
  expect(view.settings).toMatchObject({
    dailyAt: '09:00',
    timeZone: 'America/New_York',
    tradingDaysOnly: true,
  });
  const io = captureIO();
  const show = ['live', 'regime-updates', 'show', '--bot', server.url, '--data-dir', dir];
  expect(await main([...show, '--tz', 'Asia/Tokyo'], io)).toBe(0);
  // In --tz, as every other command's times.
  const tokyo = (at: number): string => `${timeFormat('Asia/Tokyo').dateTime(at)} Asia/Tokyo`;
  expect(io.stdout).toContain(`  last check: ${tokyo(view.last!.at)}`);
  expect(io.stdout).toContain(
    `  last regime change: ${tokyo(view.lastRegimeChange!.at)} ${view.lastRegimeChange!.from ?? '(start)'} -> ${view.lastRegimeChange!.regime}`,
  );
  expect(io.stdout).toContain(
    `  last proposal: ${tokyo(view.lastProposal!.at)} ${wasPushed ? 'pushed' : 'waits for a person'}: ${view.lastProposal!.detail}`,
  );
  const utc = captureIO();
  expect(await main([...show, '--tz', 'utc'], utc)).toBe(0);
  expect(utc.stdout).toContain(`  last check: ${timeFormat('UTC').dateTime(view.last!.at)} UTC`);
});

it('settings are checked field by field, kept beside the bot and dropped with it', async () => {
  await expect(
    call('live:regime-updates-set', { bot: server.url, settings: { enabled: true, threshold: 2 } }),
  ).rejects.toThrow(/threshold.*must be in \[0, 1\]/);
  await expect(
    call('live:regime-updates-set', { bot: server.url, settings: { enabled: true, detector: 'magic' } }),
  ).rejects.toThrow(/detector.*must be one of rules, hmm, jump, bocpd/);
  await expect(
    call('live:regime-updates-set', { bot: server.url, settings: { enabled: true, dailyAt: '9am' } }),
  ).rejects.toThrow(/dailyAt.*must be a time of day HH:MM \(24 h\), e\.g\. 09:00/);
  await expect(
    call('live:regime-updates-set', {
      bot: server.url,
      settings: { enabled: true, timeZone: 'Mars/Olympus' },
    }),
  ).rejects.toThrow(/timeZone.*must be an IANA time zone/);
  // The CLI edits the daily check as the Live view does; flags not given keep their value.
  const io = captureIO();
  const set = ['live', 'regime-updates', 'set', '--bot', server.url, '--data-dir', dir, '--on'];
  expect(await main([...set, '--daily-at', '08:30', '--time-zone', 'Europe/London', '--every-day'], io)).toBe(
    0,
  );
  expect(io.stdout).toContain('daily check at 08:30 Europe/London every day');
  expect(await main([...set, '--daily-at', '25:00'], captureIO())).not.toBe(0);
  expect(
    ((await call('live:regime-updates', { bot: server.url })) as RegimeUpdatesView).settings,
  ).toMatchObject({
    dailyAt: '08:30',
    timeZone: 'Europe/London',
    tradingDaysOnly: false,
  });
  await call('live:regime-updates-set', { bot: server.url, settings: { enabled: true, axis: 'trend' } });
  // A second service over the same folder (the server restarted) reads the same setting.
  const again = createLiveHandlers({
    dataDir: dir,
    db,
    bars: new BarsRepository(db),
    executor: new InProcessExecutor(),
    events: new EventBus(),
    secrets: new MemorySecretStore(),
    env: {},
    settings,
  });
  expect(await again.handlers['live:regime-updates']({ bot: server.url })).toMatchObject({
    settings: { enabled: true, axis: 'trend', detector: 'rules', threshold: 0.5, minDwellHours: 24 },
  });
  await again.close();
  await call('live:bot-remove', { bot: server.url });
  await call('live:bot-add', { name: 'replay', url: server.url });
  expect(await call('live:regime-updates', { bot: server.url })).toMatchObject({
    settings: { enabled: false },
  });
});

it("with the real learner (the strategy's, as the ledger saved it) a check on the replay keeps or proposes, with the reason", async () => {
  // The service as serve builds it: no stub, the learner loaded from this folder's results ledger.
  await live.close();
  live = liveService();
  await feed(300);
  expect(settingsReads).toBe(0);
  const on = { enabled: true, detector: 'rules', axis: 'both', threshold: 0.2, minDwellHours: 20 * 24 };
  await call('live:regime-updates-set', { bot: server.url, settings: on });
  await feed(150);
  // Nothing learned yet: each check keeps the bot's set and says why.
  const untrained = (await call('live:regime-updates', { bot: server.url })) as RegimeUpdatesView;
  expect(untrained.last).toMatchObject({
    action: 'keep',
    detail: "confidence 0.00 is below the threshold 0.2: the ledger's learner has learned nothing yet",
  });
  expect(untrained.lastProposal).toBeNull();
  // Results recorded since (a planted relation: the faster the better), the learner brought up to date.
  const ledger = new LedgerRepository(db);
  await ledger.append(
    Array.from({ length: 400 }, (_, i) => {
      const fast = 2 + (i % 40);
      const slow = 50 + ((i * 7) % 100);
      return {
        kind: 'window-test' as const,
        sourceId: `run-${Math.floor(i / 20)}`,
        item: i % 20,
        symbol: 'TEST',
        timeframe: '1d',
        strategy: 'sma-cross',
        startTime: i * DAY,
        endTime: (i + 1) * DAY,
        params: { fast, slow },
        features: { 'param.fast': fast, 'param.slow': slow },
        outcomes: { sharpeRatio: 1 - fast / 20 },
        score: 1 - fast / 20,
        regime: ['sideways/normal', 'sideways/low', 'up/normal', 'down/high'][i % 4]!,
        session: null,
        recordedAt: i,
      };
    }),
  );
  expect((await new LedgerLearner(ledger).update('sma-cross')).version).toBe(1);
  // Updates restart on the new setting and load the learner as saved: version 1 now recommends.
  await call('live:regime-updates-set', { bot: server.url, settings: { ...on, threshold: 0.05 } });
  await feed(150);
  const trained = (await call('live:regime-updates', { bot: server.url })) as RegimeUpdatesView;
  expect(trained.lastProposal?.detail).toMatch(
    /^(proposal \S+: regime \S+ -> \S+|pushed version \d+ ).*model sma-cross learner v1, confidence 0\.\d{3}/,
  );
  const made = (await auditOf((a) => a.of('proposal', server.url))).filter(
    (p) => p.actor === 'regime-updates',
  );
  expect(made.length).toBeGreaterThan(0);
  for (const proposal of made)
    expect(JSON.parse(proposal.detail)).toMatchObject({
      set: {
        provenance: {
          kind: 'learner',
          modelVersion: 'sma-cross learner v1',
          learner: { name: "the ledger's learner", learned: 400, skill: null },
        },
      },
    });
});

it("a regime update left for a person shows its learner's unmeasured skill and is approved only with an acknowledgement, in the app and the CLI", async () => {
  // The policy now approves nothing: each regime update waits for a person.
  await auditOf((audit) =>
    setApprovalPolicy(
      { audit, client: (url) => new BotClient(url, SECRET) },
      server.url,
      { bounds: { fast: { min: 1, max: 500 } }, maxChangesPerDay: 0 },
      'trader',
      'people approve from now on',
    ),
  );
  await feed(300);
  const on = { enabled: true, detector: 'rules', axis: 'both', threshold: 0.2, minDwellHours: 20 * 24 };
  await call('live:regime-updates-set', { bot: server.url, settings: on });
  await feed(150);
  const waiting = ((await call('live:proposals', { bot: server.url })) as LiveProposal[]).find(
    (p) => p.proposer === 'regime-updates',
  );
  expect(waiting?.policy?.approved).toBe(false);
  // Through the contract: the set's provenance names its learner and says its skill is not measured.
  expect(waiting!.set.provenance).toMatchObject({
    kind: 'learner',
    learner: { name: "the ledger's learner", learned: fastPeriodLearner().count, skill: null },
  });
  expect(waiting!.reason).toContain('skill not measured: it proposed on confidence alone');
  const approval = { approvalId: waiting!.approvalId, typed: waiting!.confirmation, note: 'regime turned' };
  await expect(call('live:approve', { ...approval, approver: 'ana' })).rejects.toMatchObject({
    field: 'acknowledgeUnmeasuredSkill',
  });
  const approved = (await call('live:approve', {
    ...approval,
    approver: 'ana',
    acknowledgeUnmeasuredSkill: true,
  })) as LiveProposal;
  expect(approved.approvers).toEqual(['ana']);

  // The CLI's second approver is shown the learner's basis and refused without the flag, which names it.
  const cosign = ['live', 'cosign', '--approval', waiting!.approvalId, '--note', 'seen', '--as', 'ben'];
  const base = [...cosign, '--confirm', waiting!.confirmation, '--data-dir', dir];
  const refused = captureIO();
  expect(await main(base, refused)).toBe(2);
  expect(refused.stderr).toContain(
    `  from the ledger's learner, ${fastPeriodLearner().count.toLocaleString('en-US')} results learned; skill not measured`,
  );
  expect(refused.stderr).toContain('--acknowledge-unmeasured-skill: set ');
  const signed = captureIO();
  expect(await main([...base, '--acknowledge-unmeasured-skill'], signed)).toBe(0);
  // The audit lists what the approvals rested on and that each approver knew it.
  const listed = captureIO();
  expect(await main(['live', 'audit', '--data-dir', dir], listed)).toBe(0);
  const lines = listed.stdout.split('\n');
  expect(lines.find((l) => l.includes(' proposal  regime-updates'))).toContain('skill not measured');
  expect(lines.filter((l) => l.includes(' approval ') && l.includes('on confidence alone'))).toHaveLength(2);
});

/**
 * Walk-forward windows over the strategy's whole space (15 sets each): a set scores by how near its fast
 * period is to the middle of its range, which no weight on the parameters can say and where a candidate
 * stands among the ledger's sets near it does.
 */
const plantedWindows = (count: number) => {
  const space = learnerSpace('sma-cross');
  return Array.from({ length: count }, (_, w) =>
    Array.from({ length: 15 }, (_, k) => {
      const fast = 2 + ((w * 37 + k * 53) % 199);
      const slow = fast + 1 + ((w * 29 + k * 71) % (500 - fast));
      const score = 1 - ((fast - 100) / 50) ** 2;
      const startTime = bars.t[0]! + w * 5 * DAY;
      return {
        kind: 'window-test' as const,
        sourceId: `run-${w}`,
        item: k,
        symbol: 'TEST',
        timeframe: '1d',
        strategy: 'sma-cross',
        startTime,
        endTime: startTime + 4 * DAY,
        params: { fast, slow },
        features: spaceFeatures({ fast, slow }, space),
        outcomes: { sharpeRatio: score },
        score,
        regime: 'up/normal',
        session: null,
        recordedAt: w,
      };
    }),
  );
};

/** Records windows as the recorder records them (each row with its standing among the earlier ones). */
async function record(windows: ReturnType<typeof plantedWindows>): Promise<void> {
  const ledger = new LedgerRepository(db);
  for (const window of windows) await ledger.append(await withStanding(ledger, window));
}

/** The regime-updates proposal the last check made, as the contract shows it (none: the test fails). */
async function lastRegimeProposal(): Promise<{ at: number; proposal: LiveProposal }> {
  const { lastProposal } = (await call('live:regime-updates', { bot: server.url })) as RegimeUpdatesView;
  expect(lastProposal).not.toBeNull();
  const proposal = ((await call('live:proposals', { bot: server.url })) as LiveProposal[]).find(
    (p) => p.approvalId === lastProposal!.approvalId,
  )!;
  return { at: lastProposal!.at, proposal };
}

/**
 * The Learner view's ledger answer for the bars the bot had reported by `at`, with the trials (16) and
 * seed a regime update's check asks with, from the learner the ledger saved last.
 */
async function learnerViewAnswer(at: number, threshold: number) {
  const checked = bars.t.indexOf(at);
  await new BarsRepository(db).write('TEST', '1d', sliceBars(bars, 0, checked + 1), 'test');
  const learnerView = createLearnerHandlers({
    db,
    bars: new BarsRepository(db),
    pool: new InProcessExecutor(),
    jobs: { events },
    settings,
  });
  const answer = (await dispatch(learnerView as unknown as Requests, 'learner:recommend', {
    symbol: 'TEST',
    timeframe: '1d',
    learnFrom: 'ledger',
    trials: 16,
    threshold,
    regimes: 1,
    seed: 1,
  })) as LearnerRecommendations;
  return answer.recommendations.find((r) => r.current)!;
}

it("a regime update's candidates stand among the ledger's scored sets of the bot's symbol and timeframe: its proposal is the Learner view's ledger answer for the same bars", async () => {
  await record(plantedWindows(30));
  expect((await new LedgerLearner(new LedgerRepository(db)).update('sma-cross')).version).toBe(1);
  // The service as serve builds it: the learner as the ledger saved it, the population the ledger holds.
  await live.close();
  live = liveService();
  await feed(300);
  const on = { enabled: true, detector: 'rules', axis: 'both', threshold: 0.05, minDwellHours: 20 * 24 };
  await call('live:regime-updates-set', { bot: server.url, settings: on });
  await feed(150);
  const { at, proposal } = await lastRegimeProposal();
  // The Learner view asked about the bars the bot had reported by the check, with the same trials,
  // threshold and seed, from the same learner.
  expect(bars.t.indexOf(at)).toBeGreaterThan(300);
  const now = await learnerViewAnswer(at, on.threshold);
  expect(now).toMatchObject({ action: 'switch', asOf: at });
  expect(proposal.set.parameters).toEqual(now.params);
  expect(proposal.set.provenance).toMatchObject({
    kind: 'learner',
    confidence: now.confidence,
    expected: { score: now.score },
  });
});

it("a check asks the ledger's newest learner: one saved while updates run is the next proposal's, as the Learner view's answer is", async () => {
  const windows = plantedWindows(30);
  await record(windows.slice(0, 10));
  const learners = new LedgerLearner(new LedgerRepository(db));
  const first = await learners.update('sma-cross');
  expect(first.version).toBe(1);
  // Read now: the loader's learner goes on learning in place.
  const learnedFirst = first.learner.count;
  await live.close();
  live = liveService();
  await feed(300);
  const on = { enabled: true, detector: 'rules', axis: 'both', threshold: 0.05, minDwellHours: 20 * 24 };
  await call('live:regime-updates-set', { bot: server.url, settings: on });
  const made = async () =>
    (await auditOf((a) => a.of('proposal', server.url)))
      .filter((p) => p.actor === 'regime-updates')
      .map((p) => (JSON.parse(p.detail) as { set: ParameterSet }).set.provenance);
  // Updates start on version 1 and propose from it.
  while ((await made()).length === 0 && fed < 600) await feed(1);
  expect(await made()).toMatchObject([
    { modelVersion: 'sma-cross learner v1', learner: { learned: learnedFirst } },
  ]);
  // Trials finish while the bot runs: the ledger's learner learns them and saves version 2.
  await record(windows.slice(10));
  const second = await learners.update('sma-cross');
  expect(second.version).toBe(2);
  expect(second.learner.count).toBeGreaterThan(learnedFirst);
  // The next check's proposal comes from version 2.
  while ((await made()).length === 1 && fed < bars.t.length) await feed(1);
  const { at, proposal } = await lastRegimeProposal();
  expect(proposal.set.provenance).toMatchObject({
    kind: 'learner',
    modelVersion: 'sma-cross learner v2',
    learner: { name: "the ledger's learner", learned: second.learner.count, skill: null },
  });
  expect(proposal.reason).toContain('model sma-cross learner v2');
  // It is the Learner view's answer for the bars the bot had reported by that check.
  const now = await learnerViewAnswer(at, on.threshold);
  expect(now).toMatchObject({ action: 'switch', asOf: at });
  expect(proposal.set.parameters).toEqual(now.params);
  expect(proposal.set.provenance).toMatchObject({
    confidence: now.confidence,
    expected: { score: now.score },
  });
});

it('a newer learner that fails to load leaves the bot on the one it had: checks go on and their record says so', async () => {
  let saved = 3;
  await live.close();
  live = liveService({
    version: async () => saved,
    load: async () => {
      if (saved !== 3) throw new Error('state version 4 is not valid JSON');
      return { learner: fastPeriodLearner(), version: 3 };
    },
  });
  await feed(300);
  const on = { enabled: true, detector: 'rules', axis: 'both', threshold: 0.2, minDwellHours: 20 * 24 };
  await call('live:regime-updates-set', { bot: server.url, settings: on });
  // Updates start on version 3; version 4 is saved and cannot be loaded.
  await feed(1);
  saved = 4;
  await feed(149);
  const view = (await call('live:regime-updates', { bot: server.url })) as RegimeUpdatesView;
  expect(view.last?.action).not.toBe('failed');
  expect(view.last?.detail).toContain(
    "the sma-cross learner's newest version (v4) could not be loaded (state version 4 is not valid JSON): this check asked v3",
  );
  const made = (await auditOf((a) => a.of('proposal', server.url))).filter(
    (p) => p.actor === 'regime-updates',
  );
  expect(made.length).toBeGreaterThan(0);
  for (const proposal of made) expect(proposal.reason).toContain('model sma-cross learner v3');
});

/** Hourly bars (intraday: the ledger files and reads them by session), 29 days from a Tuesday on. */
const intraday = randomWalkBars(700, 8, { stepMs: 3_600_000 });

/** The test's bot served again at its URL, its status reporting `session` (none: as bots before it). */
async function serveAgain(session?: Settings['session']): Promise<void> {
  const port = server.port;
  await server.close();
  server = await startBotServer({
    runner,
    secret: SECRET,
    symbol: 'TEST',
    heartbeat: HEARTBEAT,
    port,
    ...(session === undefined ? {} : { session }),
  });
}

it("a bot's candidates stand among the ledger's sets of the session its status reports, not Settings'; a bot that reports none, Settings', and the desk says which", async () => {
  const reads = vi.spyOn(LedgerRepository.prototype, 'referencePopulation');
  /** The sessions the population reads of the next checks asked for, feeding `step` bars at a time. */
  const nextChecks = async (step: number, last: number): Promise<Set<unknown>> => {
    reads.mockClear();
    while (reads.mock.calls.length === 0 && fed + step <= last) await feed(step, intraday);
    return new Set(reads.mock.calls.map(([of]) => of.session));
  };
  /** What the desk shows of the bot's session. */
  const shown = async () => {
    const { session } = (await call('live:bot', { bot: server.url })) as LiveBotView;
    return { session, text: session === null ? null : deskSessionText(session) };
  };
  await serveAgain('extended');
  await feed(100, intraday);
  const on = { enabled: true, detector: 'rules', axis: 'both', threshold: 0.2, minDwellHours: 1 };
  await call('live:regime-updates-set', { bot: server.url, settings: on });
  // The detector names its first regime of these bars at bar 527; checks follow from there.
  expect(await nextChecks(10, 620)).toEqual(new Set(['extended']));
  expect(await shown()).toEqual({
    session: { session: 'extended', from: 'bot', settings: 'regular' },
    text: "The bot trades extended hours, Settings name regular: its candidates are read in the bot's extended hours.",
  });

  // The bot restarts without saying (an older build): Settings' session, and the desk says so.
  await serveAgain();
  expect(await nextChecks(5, intraday.t.length)).toEqual(new Set(['regular']));
  expect(await shown()).toEqual({
    session: { session: 'regular', from: 'settings', settings: 'regular' },
    text: "The bot does not report its trading session: its candidates are read in Settings' session (regular hours).",
  });
});

it("a check's population read takes the database's priority lane: ahead of the reads waiting behind a long write", async () => {
  await feed(300);
  const on = { enabled: true, detector: 'rules', axis: 'both', threshold: 0.2, minDwellHours: 20 * 24 };
  await call('live:regime-updates-set', { bot: server.url, settings: on });
  const order: string[] = [];
  const readPopulation = LedgerRepository.prototype.referencePopulation;
  vi.spyOn(LedgerRepository.prototype, 'referencePopulation').mockImplementation(async function (
    this: LedgerRepository,
    ...args
  ) {
    const population = await readPopulation.apply(this, args);
    order.push('population');
    return population;
  });
  // A long write (a study saving its trials) holds the connection; an Optimize view's read waits behind it.
  let releaseWrite = (): void => undefined;
  const writing = db.exclusive(() => new Promise<void>((resolve) => (releaseWrite = resolve)));
  const reading = db.exclusive(async () => {
    order.push('read');
  }, 'read');
  // The write ends once the check has asked for the database (its population read, the only thing
  // a check with a stubbed learner reads there), so both wait for the connection together.
  const queue = db.exclusive.bind(db);
  vi.spyOn(db, 'exclusive').mockImplementation((work, lane) => {
    setImmediate(releaseWrite);
    return queue(work, lane);
  });
  while (!order.includes('population') && fed < 450) await feed(1);
  releaseWrite();
  await Promise.all([writing, reading]);
  // In the read lane it would have waited its turn behind the Optimize view's read.
  expect(order).toEqual(['population', 'read', ...order.slice(2)]);
  expect(order.slice(2).every((step) => step === 'population')).toBe(true);
});
