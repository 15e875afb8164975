import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIO } from '../../../../test/support/captureIO.ts';
import { matchBotChanges, recordedBotChange } from '../../../core/live/audit.ts';
import { randomWalkBars } from '../../../core/engine/random-walk.ts';
import { smaCrossSet } from '../../../core/live/manualSet.test-util.ts';
import type { RampPlan } from '../../../core/live/ramp.ts';
import { LiveRunner, type LiveRunnerOptions } from '../../../core/live/runner.ts';
import { STRATEGIES } from '../../../core/strategy/registry.ts';
import { main } from '../../cli/main.ts';
import { AuditLog, auditLogPath } from '../../livebot/auditLog.ts';
import { BotClient } from '../../livebot/botClient.ts';
import { startBotServer, type BotServer } from '../../livebot/botServer.ts';
import { approve, propose, push, type LiveDesk } from '../../livebot/liveDesk.ts';
import type { BotChangesView } from '../../../shared/liveContract.ts';
import { MemorySecretStore } from '../../secrets/secretStore.ts';
import { dispatch } from '../dispatch.ts';
import { EventBus } from '../events.ts';
import { createServices } from '../services.ts';
import { LiveWatcher } from './watcher.ts';
import { liveBarAt } from '../../../core/live/liveBar.test-util.ts';

const SECRET = 'bot-changes-secret-7d1e0b55a2';
const HEARTBEAT = { timeoutMs: 30_000, mode: 'no-new-entries' } as const;
const bars = randomWalkBars(600, 17, { volatility: 0.006 });
const LOOSE = { maxDrawdown: 0.9, maxLoss: 0.9, maxSlippageBps: 1e6 };

let dir = '';
let clock = 0;
let runner: LiveRunner;
let server: BotServer;
let fed = 0;
const saved = process.env['REGIMEN_BOT_SECRET'];

const runnerOptions: LiveRunnerOptions = {
  catalogue: STRATEGIES,
  capacity: bars.t.length,
  heartbeat: HEARTBEAT,
  now: () => clock,
};
const feed = (n: number): void => {
  for (const end = fed + n; fed < end; fed++) runner.onBar(liveBarAt(bars, fed));
};
const serve = async (port?: number): Promise<void> => {
  server = await startBotServer({ runner, secret: SECRET, symbol: 'TEST', heartbeat: HEARTBEAT, port });
};

/** The workstation as serve runs it: the audit opened per operation, a watcher polling the bot. */
const withDesk = async <T>(work: (desk: LiveDesk) => Promise<T>): Promise<T> => {
  const audit = await AuditLog.open(auditLogPath(dir));
  try {
    return await work({ audit, client: (url) => new BotClient(url, SECRET), now: () => clock });
  } finally {
    audit.close();
  }
};
const watcher = (): LiveWatcher =>
  new LiveWatcher({
    bots: () => [{ name: 'paper', url: server.url, autoPause: false }],
    withDesk,
    events: new EventBus(),
    settingsSession: () => 'regular',
  });
const poll = (w: LiveWatcher) => w.look({ name: 'paper', url: server.url, autoPause: false });

async function approvedPush(fast: number, ramp?: RampPlan): Promise<void> {
  await withDesk(async (desk) => {
    const set = smaCrossSet(fast, 30);
    const proposal = await propose(desk, server.url, set, 'ana', 'manual: test');
    await approve(desk, proposal.approvalId, { approver: 'ana', note: 'ok', typed: proposal.confirmation });
    await push(desk, proposal.approvalId, { actor: 'ana', policy: 'adopt', approversRequired: 1, ramp });
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'regimen-bot-changes-'));
  process.env['REGIMEN_BOT_SECRET'] = SECRET;
  clock = 0;
  fed = 0;
  runner = new LiveRunner(runnerOptions);
  await serve();
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env['REGIMEN_BOT_SECRET'];
  else process.env['REGIMEN_BOT_SECRET'] = saved;
});

describe("the bot's own state changes in the workstation's audit", () => {
  it('each ramp step, completion, guardrail rollback and heartbeat halt is one entry, across polls and restarts of serve and of the bot', async () => {
    let desk = watcher();
    await approvedPush(10);
    feed(100);
    await approvedPush(4, { steps: [0.1, 0.5, 1], barsPerStep: 5, guardrails: LOOSE });
    feed(8);
    await poll(desk);
    await poll(desk);
    // serve restarts: a new watcher, the same audit file.
    desk = watcher();
    await poll(desk);
    feed(10);
    // The bot restarts from its saved state, on the same address.
    const port = server.port;
    await server.close();
    runner = new LiveRunner({ ...runnerOptions, state: runner.snapshot() });
    await serve(port);
    await poll(desk);
    await approvedPush(6, { steps: [0.5, 1], barsPerStep: 50, guardrails: { ...LOOSE, maxDrawdown: 1e-6 } });
    while (runner.state.ramp?.phase !== 'rolled-back' && fed < 500) feed(1);
    feed(1);
    await poll(desk);
    clock = 31_000;
    feed(1);
    await poll(desk);
    await poll(watcher());

    const changes = runner.state.changes!;
    expect(changes.map((c) => c.kind)).toEqual(['ramp-step', 'ramp-complete', 'rollback', 'halt']);
    const entries = await withDesk((d) => d.audit.entries());
    const recorded = entries.filter((e) => recordedBotChange(e) !== undefined);
    expect(recorded.map((e) => [e.kind, e.actor, e.version, recordedBotChange(e)!.id])).toEqual(
      changes.map((c) => [c.kind === 'ramp-complete' ? 'ramp-step' : c.kind, 'bot', c.version, c.id]),
    );
    expect(matchBotChanges(server.url, changes, entries)).toMatchObject({ ok: true, matched: 4 });

    // The CLI's check and the Live view's, both ways: intact, then an entry the bot never reported.
    const verify = async () => {
      const io = captureIO();
      const code = await main(['live', 'audit', '--verify', '--bot', server.url, '--data-dir', dir], io);
      return { code, out: io.stdout };
    };
    const services = await createServices({
      dataDir: dir,
      host: 'http',
      skipDemo: true,
      threads: 1,
      secrets: new MemorySecretStore(),
      env: { REGIMEN_BOT_SECRET: SECRET },
    });
    const viewCheck = async () => {
      await dispatch(services.handlers, 'live:bot-add', { name: 'paper', url: server.url });
      return (await dispatch(services.handlers, 'live:audit-bot-changes', {
        bot: server.url,
      })) as BotChangesView;
    };
    const intact = `${server.url}: each of its 4 reported state changes has exactly one entry`;
    expect(await verify()).toEqual({
      code: 0,
      out: `Audit chain intact: ${entries.length} entries\n${intact}\n`,
    });
    expect(await viewCheck()).toEqual({
      bot: server.url,
      ok: true,
      matched: 4,
      missing: [],
      repeated: [],
      unreported: [],
      older: 0,
      text: intact,
    });
    await withDesk((d) =>
      d.audit.append({
        ...recorded[0],
        detail: recorded[0].detail.replace('ramp-step:1', 'ramp-step:9'),
      }),
    );
    const broken = await verify();
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('STATE CHANGES DO NOT MATCH THE AUDIT');
    expect(broken.out).toMatch(/ramp-step:9: in the audit, not reported by the bot/);
    const inView = await viewCheck();
    await services.close();
    expect(inView).toMatchObject({
      ok: false,
      matched: 4,
      unreported: [expect.stringMatching(/ramp-step:9$/)],
    });
    expect(inView.text).toBe(broken.out.split('\n').slice(1).join('\n').trimEnd());
  });
});
