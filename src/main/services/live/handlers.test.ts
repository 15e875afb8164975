import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomWalkBars } from '../../../core/engine/random-walk.ts';
import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  strategyIdentity,
} from '../../../core/live/parameterSet.ts';
import { LiveRunner } from '../../../core/live/runner.ts';
import { getStrategy, STRATEGIES } from '../../../core/strategy/registry.ts';
import type { EventChannel } from '../../../shared/contract.ts';
import { datasetFingerprint } from '../../compute/fingerprint.ts';
import { BOT_PATHS } from '../../../shared/botProtocol.ts';
import { BotClient } from '../../livebot/botClient.ts';
import { startSilentBot } from '../../livebot/silentBot.test-util.ts';
import { startBotServer, type BotServer } from '../../livebot/botServer.ts';
import {
  openLiveStudies,
  STUDY_SYMBOL as SYMBOL,
  type LiveStudies,
} from '../../livebot/liveStudy.test-util.ts';
import { studyRecords } from '../optimize/studyRecords.ts';
import { StudiesRepository } from '../../store/studiesRepository.ts';
import type { Services } from '../services.ts';
import { DEFAULT_LIMITS, ENGINE_VERSION, studyFingerprint } from './studyProposal.ts';
import { liveBarAt } from '../../../core/live/liveBar.test-util.ts';

const SECRET = 'live-handlers-secret-5f3a9c0e71';
const HEARTBEAT = { timeoutMs: 600_000, mode: 'no-new-entries' } as const;
const botBars = randomWalkBars(900, 5, { volatility: 0.006, stepMs: 3_600_000 });

let studies: LiveStudies;
let services: Services;
let runner: LiveRunner;
let server: BotServer;
let fed = 0;
/** Everything that crossed the contract towards a renderer: answers and events. */
const wire: string[] = [];
const events: Array<{ channel: EventChannel; payload: unknown }> = [];

const call: LiveStudies['call'] = (channel, input) => studies.call(channel, input);
const finishedStudy: LiveStudies['finishedStudy'] = (strategy, space) =>
  studies.finishedStudy(strategy, space);
const feed = (bars: number): void => {
  for (const end = fed + bars; fed < end; fed++) runner.onBar(liveBarAt(botBars, fed));
};

beforeAll(async () => {
  runner = new LiveRunner({ catalogue: STRATEGIES, capacity: botBars.t.length, heartbeat: HEARTBEAT });
  server = await startBotServer({ runner, secret: SECRET, symbol: 'TEST', heartbeat: HEARTBEAT });
  studies = await openLiveStudies({
    prefix: 'regimen-live-handlers-',
    secret: SECRET,
    onAnswer: (answer) => wire.push(JSON.stringify(answer)),
    onEvent: (channel, payload) => {
      events.push({ channel, payload });
      wire.push(JSON.stringify(payload));
    },
  });
  services = studies.services;
  feed(60);
});

afterAll(async () => {
  await studies?.close();
  await server?.close();
});

describe('live channels: from a study trial to the bot and back, through the contract', () => {
  it('proposes with provenance, approves by typed hash, pushes, ramps, watches, rolls back, halts, audits', async () => {
    const bot = server.url;
    await call('live:bot-add', { name: 'paper', url: `${bot}/` });
    const listed = await call('live:bots', {});
    expect(listed.secret).toEqual({ configured: true, source: 'env', problem: null });
    expect(listed.bots).toMatchObject([{ name: 'paper', url: bot, error: null, approved: null }]);

    const studyId = await finishedStudy();
    const detail = await call('optimize:get', { studyId });
    const [first, second] = detail.trials.filter(
      (t) => t.status === 'complete' && (t.metrics.numTrades ?? 0) > 0,
    );
    expect(second).toBeDefined();
    const proposal = await call('live:propose', { bot, studyId, trialNumber: first.number, actor: 'ana' });
    const studyBars = await services.bars.read(SYMBOL, '1h');
    expect(proposal.set.provenance).toMatchObject({
      kind: 'study',
      studyId,
      trial: first.number,
      seed: first.seed,
      dataFingerprint: datasetFingerprint(studyBars),
      engineVersion: expect.stringMatching(/^regimen \d/),
      expected: Object.fromEntries(
        Object.entries(first.metrics as Record<string, number | null>).filter(([, v]) => v !== null),
      ),
    });
    const provenance = proposal.set.provenance;
    expect(provenance.kind === 'study' && Object.keys(provenance.spread ?? {})).toContain('totalReturn');
    expect(proposal.set.parameters).toEqual(first.params);
    expect(proposal.diff.map((c: { name: string }) => c.name).sort()).toEqual(
      Object.keys(first.params).sort(),
    );
    expect(proposal).toMatchObject({ proposer: 'ana', approvers: [], pushedVersion: null });
    // No auto-approval policy yet: the proposal waits for a person, and says so outside the app.
    expect(events.filter((e) => e.channel === 'live:approval').map((e) => e.payload)).toEqual([
      {
        kind: 'approval-waiting',
        bot,
        name: 'paper',
        approvalId: proposal.approvalId,
        message: expect.stringMatching(
          new RegExp(`^study ${studyId} trial ${first.number} waits for approval \\(.+\\)$`),
        ),
        at: expect.any(Number),
      },
    ]);

    await expect(call('live:push', { approvalId: proposal.approvalId, actor: 'ana' })).rejects.toThrow(
      '0 approver(s)',
    );
    await expect(
      call('live:approve', {
        approvalId: proposal.approvalId,
        typed: '00000000',
        note: 'go',
        approver: 'ana',
      }),
    ).rejects.toThrow(`type ${proposal.confirmation}`);
    const approved = await call('live:approve', {
      approvalId: proposal.approvalId,
      typed: proposal.confirmation,
      note: 'best sharpe, stable neighbours',
      approver: 'ana',
    });
    expect(approved.approvers).toEqual(['ana']);
    // adopt: the new set takes over the open position, as the shadow backtest's reparameterize does.
    expect(
      await call('live:push', { approvalId: proposal.approvalId, policy: 'adopt', actor: 'ana' }),
    ).toEqual({
      version: 1,
      result: 'accepted',
    });
    feed(200);

    const next = await call('live:propose', { bot, studyId, trialNumber: second.number, actor: 'ana' });
    expect(await call('live:diff', { approvalId: next.approvalId })).toEqual(
      Object.keys(second.params)
        .filter((name) => second.params[name] !== first.params[name])
        .sort()
        .map((name) => ({ name, from: first.params[name], to: second.params[name] })),
    );
    await call('live:approve', {
      approvalId: next.approvalId,
      typed: next.confirmation,
      note: 'a',
      approver: 'ana',
    });
    await call('live:approve', {
      approvalId: next.approvalId,
      typed: next.confirmation,
      note: 'b',
      approver: 'ben',
    });
    const ramp = {
      steps: [0.25, 1],
      barsPerStep: 100_000,
      guardrails: { maxDrawdown: 0.9, maxLoss: 0.9, maxSlippageBps: 1e6 },
    };
    const pushed = await call('live:push', {
      approvalId: next.approvalId,
      policy: 'adopt',
      ramp,
      approversRequired: 2,
      actor: 'ana',
    });
    expect(pushed.version).toBe(2);
    feed(300);

    const watched = await call('live:bot', { bot });
    expect(watched).toMatchObject({
      approved: true,
      approvedHash: next.set.hash,
      status: { active: { version: 2 }, ramp: { phase: 'ramping', budget: 0.25 } },
    });
    // A ramp at a quarter of the budget may leave the return bands; it is never a version or drift alarm.
    const kinds = watched.alarms.map((a: { kind: string }) => a.kind);
    expect(kinds).not.toContain('unapproved-version');
    expect(kinds).not.toContain('drift');
    const expectation = watched.expectation!;
    expect(expectation.from).toBe(botBars.t[60]);
    expect(expectation.reconciliation.matched).toBe(runner.fills.length);
    expect(expectation.reconciliation.missed).toEqual([]);
    expect(expectation.reconciliation.extra).toEqual([]);
    expect(expectation.equity.length).toBeLessThanOrEqual(301);
    expect(events.some((e) => e.channel === 'live:status')).toBe(true);

    expect(await call('live:rollback', { bot, reason: 'ramp looks wrong', actor: 'ana' })).toEqual({
      version: 3,
      result: 'accepted',
    });
    // The Live view reads the watcher's last look: each action's own state shows at once, not a poll later.
    const shown = async () => (await call('live:bots', {})).bots.find((b) => b.url === bot)!.status!;
    expect((await shown()).pending?.version).toBe(3);
    feed(1);
    expect(runner.state.active?.hash).toBe(proposal.set.hash);
    expect(
      (await call('live:halt', { bot, mode: 'flatten', reason: 'end of day', actor: 'ana' })).halt,
    ).toMatchObject({ mode: 'flatten' });
    expect((await shown()).halt).toMatchObject({ mode: 'flatten' });
    expect((await call('live:resume', { bot, reason: 'next day', actor: 'ana' })).halt).toBeNull();
    expect((await shown()).halt).toBeNull();

    const audit = await call('live:audit', { bot });
    expect(audit.verdict).toEqual({ ok: true, entries: audit.entries.length });
    expect(audit.entries.map((e: { kind: string }) => e.kind)).toEqual([
      'proposal',
      'approval',
      'push',
      'ack',
      'proposal',
      'approval',
      'approval',
      'push',
      'ack',
      'rollback',
      'push',
      'ack',
      'halt',
      'resume',
    ]);
    const csv = await call('live:audit-export', { format: 'csv' });
    expect(csv.text.split('\r\n')[0]).toBe(
      'seq,at,kind,actor,bot,fromHash,toHash,version,reason,detail,prevHash,hash',
    );
    expect(csv.fileName).toMatch(/^live-audit-\d{4}-\d\d-\d\d\.csv$/);

    // A set that reached the bot without an approval: the very next look alarms, naming both hashes.
    const rogue = sealParameterSet({
      schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
      strategy: { name: 'sma-cross', version: STRATEGIES['sma-cross'].version },
      parameters: { fast: 3, slow: 9 },
      limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 100 },
      provenance: { kind: 'manual', note: 'out of band', engineVersion: 'test' },
    });
    await new BotClient(bot, SECRET).apply({
      changeId: 'rogue',
      version: 9,
      set: rogue,
      policy: 'adopt',
      approval: { id: 'none', approvedBy: ['mallory'], at: 0, note: '' },
    });
    feed(1);
    const alarmed = await call('live:bot', { bot });
    expect(alarmed.approved).toBe(false);
    expect(alarmed.alarms.map((a: { kind: string }) => a.kind)).toContain('unapproved-version');
    expect(events.filter((e) => e.channel === 'live:alarm').map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ kind: 'unapproved-version', bot, name: 'paper' }),
    );

    expect(wire.length).toBeGreaterThan(20);
    for (const payload of wire) expect(payload).not.toContain(SECRET);
  });

  it('refuses a bot that is not registered and a malformed address, naming the field', async () => {
    await expect(
      call('live:halt', { bot: 'http://127.0.0.1:1', mode: 'flatten', reason: 'x' }),
    ).rejects.toThrow('no bot http://127.0.0.1:1 is registered');
    await expect(call('live:bot-add', { name: 'x', url: 'ftp://bot' })).rejects.toThrow('url');
  });

  it('an unreachable bot is a view with the reason and an alarm, never a failed request', async () => {
    await call('live:bot-add', { name: 'gone', url: 'http://127.0.0.1:9' });
    const view = await call('live:bot', { bot: 'http://127.0.0.1:9' });
    expect(view.status).toBeNull();
    expect(view.error).toMatch(/did not answer/);
    expect(view.alarms.map((a: { kind: string }) => a.kind)).toEqual(['unreachable']);
    await call('live:bot-remove', { bot: 'http://127.0.0.1:9' });
  });

  it('waits for a bot within the bounds set through the contract, refusing bounds out of range by field', async () => {
    await expect(call('live:bot-timeouts-set', { pushSeconds: 0, readSeconds: 5 })).rejects.toThrow(
      'Bot timeouts not saved: pushSeconds: must be at least 0.1 s',
    );
    expect((await call('live:bots', {})).timeouts).toEqual({ pushSeconds: 10, readSeconds: 5 });
    const silent = await startSilentBot(server.url);
    try {
      silent.silence(BOT_PATHS.heartbeat, 'hang');
      await call('live:bot-add', { name: 'hung', url: silent.url });
      expect(await call('live:bot-timeouts-set', { pushSeconds: 10, readSeconds: 0.2 })).toEqual({
        pushSeconds: 10,
        readSeconds: 0.2,
      });
      const view = await call('live:bot', { bot: silent.url });
      expect(view.error).toBe(
        `the bot at ${silent.url} accepted the connection but did not answer within 0.2 s`,
      );
      expect(view.alarms.map((a: { kind: string }) => a.kind)).toEqual(['unreachable']);
    } finally {
      await call('live:bot-remove', { bot: silent.url });
      await call('live:bot-timeouts-set', { pushSeconds: 10, readSeconds: 5 });
      await silent.close();
    }
  });

  it("re-runs a set's provenance: reproduced to 1e-9, or exactly what differs (metrics, engine, data)", async () => {
    await call('live:bot-add', { name: 'paper', url: server.url });
    const studyId = await finishedStudy();
    const detail = await call('optimize:get', { studyId });
    const trial = detail.trials.find((t) => t.status === 'complete' && (t.metrics.numTrades ?? 0) > 0)!;
    const { set } = await call('live:propose', { bot: server.url, studyId, trialNumber: trial.number });
    const same = await call('live:verify-provenance', { set });
    expect(same.differences).toEqual([]);
    expect(same.ok).toBe(true);
    expect(same.metrics.length).toBe(
      Object.keys(set.provenance.kind === 'study' ? set.provenance.expected : {}).length,
    );
    expect(
      same.metrics.every(
        (m) => m.matches && Math.abs(m.difference!) <= 1e-9 * Math.max(1, Math.abs(m.recorded)),
      ),
    ).toBe(true);

    const body = { ...set, hash: undefined };
    const provenance = set.provenance as Extract<typeof set.provenance, { kind: 'study' }>;
    const edited = sealParameterSet({
      ...body,
      provenance: {
        ...provenance,
        engineVersion: 'regimen 0.0.0',
        expected: { ...provenance.expected, sharpeRatio: provenance.expected['sharpeRatio']! + 1e-6 },
      },
    });
    const altered = await call('live:verify-provenance', { set: edited });
    expect(altered.ok).toBe(false);
    expect(altered.differences).toEqual([
      expect.stringMatching(/^engine version: recorded regimen 0\.0\.0, this is regimen \d/),
      expect.stringMatching(
        /^metric sharpeRatio: recorded -?[\d.]+, reproduced -?[\d.]+ \(difference -[\d.e-]+\)$/,
      ),
    ]);

    const sharpe = altered.metrics.find((m) => m.name === 'sharpeRatio')!;
    expect(sharpe.matches).toBe(false);
    expect(sharpe.difference! / -1e-6).toBeCloseTo(1, 6);

    // A set that drops one of the trial's parameters says which.
    const [dropped, droppedValue] = Object.entries(trial.params)[0]!;
    const partial = sealParameterSet({
      ...body,
      parameters: Object.fromEntries(Object.entries(set.parameters).filter(([name]) => name !== dropped)),
    });
    const missing = await call('live:verify-provenance', { set: partial });
    expect(missing.ok).toBe(false);
    expect(missing.differences).toContain(
      `parameter ${dropped}: the set has none, trial ${trial.number} ran ${String(droppedValue)}`,
    );

    // The study's bars change under it: both fingerprints, and the metrics that moved.
    const bars = await services.bars.read(SYMBOL, '1m');
    const k = Math.floor(bars.t.length / 2);
    const c = Float64Array.from(bars.c);
    const h = Float64Array.from(bars.h);
    c[k] *= 1.05;
    h[k] = Math.max(h[k], c[k]);
    await services.bars.write(SYMBOL, '1m', { ...bars, c, h }, 'test');
    const moved = await call('live:verify-provenance', { set });
    expect(moved.ok).toBe(false);
    expect(moved.dataFingerprint.now).not.toBe(moved.dataFingerprint.recorded);
    expect(moved.differences[0]).toBe(
      `data changed: recorded fingerprint ${moved.dataFingerprint.recorded}, now ${moved.dataFingerprint.now}`,
    );
    // A proposal made after the change still names the bars the trials ran on: the study recorded their
    // fingerprint as it started, so approving reads no bar (it re-read them all, seconds under load).
    const again = await call('live:propose', { bot: server.url, studyId, trialNumber: trial.number });
    expect(again.set.provenance).toMatchObject({ dataFingerprint: moved.dataFingerprint.recorded });

    const manual = sealParameterSet({
      ...body,
      provenance: { kind: 'manual', note: 'x', engineVersion: 'x' },
    });
    await expect(call('live:verify-provenance', { set: manual })).rejects.toThrow(
      "the set's provenance is manual: only a study trial's set can be re-run",
    );
  });

  it('live:propose reads the study and its trials ahead of the slow reads queued before it (a person waits)', async () => {
    await call('live:bot-add', { name: 'paper', url: server.url });
    const studyId = await finishedStudy();
    const trial = (await call('optimize:get', { studyId })).trials.find((t) => t.status === 'complete')!;
    const done: string[] = [];
    const loadTrials = StudiesRepository.prototype.loadTrials;
    const spy = vi.spyOn(StudiesRepository.prototype, 'loadTrials').mockImplementation(async function (
      this: StudiesRepository<unknown, unknown>,
      id: string,
    ) {
      const trials = await loadTrials.call(this, id);
      done.push('trials');
      return trials;
    });
    try {
      // Ten reads of tens of ms each (a sum over 20 million rows), as the Optimize view queues its bars.
      const reads = Array.from({ length: 10 }, (_, k) =>
        services.db
          .all(`SELECT sum(i)::DOUBLE + ${k} AS total FROM range(20000000) t(i)`)
          .then(() => done.push(`r${k}`)),
      );
      const proposed = call('live:propose', { bot: server.url, studyId, trialNumber: trial.number }).then(
        (proposal) => {
          done.push('propose');
          return proposal;
        },
      );
      const [proposal] = await Promise.all([proposed, ...reads]);
      expect(proposal.set.parameters).toEqual(trial.params);
      // Its study reads came right after the read holding the connection, and the answer before the
      // last read (its bot and audit work does not use this database).
      expect(done.indexOf('trials')).toBe(1);
      expect(done.indexOf('propose')).toBeLessThan(done.indexOf('r9'));
    } finally {
      spy.mockRestore();
    }
  });

  it("re-runs a user strategy's study trial on the workers (main never runs the file) and reproduces it", async () => {
    const studyId = await finishedStudy('rsi-reversion', [
      { kind: 'int', name: 'period', low: 5, high: 20 },
      { kind: 'float', name: 'oversold', low: 25, high: 35 },
      { kind: 'float', name: 'overbought', low: 65, high: 75 },
      { kind: 'float', name: 'exit', low: 45, high: 55 },
      { kind: 'float', name: 'stop_pct', low: 0, high: 5 },
    ]);
    const detail = await call('optimize:get', { studyId });
    const trial = detail.trials.find((t) => t.status === 'complete' && (t.metrics.numTrades ?? 0) > 0)!;
    const study = await studyRecords(services.db).get(studyId);
    const set = sealParameterSet({
      schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
      strategy: strategyIdentity(getStrategy('rsi-reversion')),
      parameters: trial.params as Record<string, number>,
      limits: DEFAULT_LIMITS,
      provenance: {
        kind: 'study',
        studyId,
        trial: trial.number,
        seed: trial.seed,
        dataFingerprint: await studyFingerprint(study.data.definition, services.bars),
        engineVersion: ENGINE_VERSION,
        expected: { sharpeRatio: trial.metrics.sharpeRatio!, numTrades: trial.metrics.numTrades! },
        spread: {},
      },
    });
    const verdict = await call('live:verify-provenance', { set });
    expect(verdict.differences).toEqual([]);
    expect(verdict.metrics.map((m) => [m.name, m.matches])).toEqual([
      ['numTrades', true],
      ['sharpeRatio', true],
    ]);
  });
});
