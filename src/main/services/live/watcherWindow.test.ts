import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../../core/engine/random-walk.ts';
import { smaCrossSet } from '../../../core/live/manualSet.test-util.ts';
import { LiveRunner } from '../../../core/live/runner.ts';
import { STRATEGIES } from '../../../core/strategy/registry.ts';
import { AuditLog, auditLogPath } from '../../livebot/auditLog.ts';
import { BotClient } from '../../livebot/botClient.ts';
import { startBotServer, type BotServer } from '../../livebot/botServer.ts';
import { approve, propose, push, type LiveDesk } from '../../livebot/liveDesk.ts';
import { EventBus } from '../events.ts';
import { LiveWatcher } from './watcher.ts';
import { liveBarAt } from '../../../core/live/liveBar.test-util.ts';

const SECRET = 'watcher-window-secret-3f9a1c77e0';
const HEARTBEAT = { timeoutMs: 1e12, mode: 'no-new-entries' } as const;
const bars = randomWalkBars(700, 23, { volatility: 0.006 });

let dir = '';
let runner: LiveRunner;
let server: BotServer;
let fed = 0;
const saved = process.env['REGIMEN_BOT_SECRET'];

const feed = (n: number): void => {
  for (const end = fed + n; fed < end; fed++) runner.onBar(liveBarAt(bars, fed));
};
const withDesk = async <T>(work: (desk: LiveDesk) => Promise<T>): Promise<T> => {
  const audit = await AuditLog.open(auditLogPath(dir));
  try {
    return await work({ audit, client: (url) => new BotClient(url, SECRET), now: () => 0 });
  } finally {
    audit.close();
  }
};
const entry = () => ({ name: 'windowed', url: server.url, autoPause: false });
const pushFirstSet = () =>
  withDesk(async (desk) => {
    const set = smaCrossSet(3, 12);
    const proposal = await propose(desk, server.url, set, 'ana', 'manual: test');
    await approve(desk, proposal.approvalId, { approver: 'ana', note: 'ok', typed: proposal.confirmation });
    await push(desk, proposal.approvalId, { actor: 'ana', policy: 'adopt', approversRequired: 1 });
  });
const newWatcher = () =>
  new LiveWatcher({
    bots: () => [entry()],
    withDesk,
    events: new EventBus(),
    settingsSession: () => 'regular',
  });
/** Looks at the bot after every `step` bars until the replay ends; the last view. */
const watchToEnd = async (watcher: LiveWatcher, step: number) => {
  let view = await watcher.look(entry());
  while (fed < bars.t.length) {
    feed(step);
    view = await watcher.look(entry());
  }
  return view;
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'regimen-watcher-window-'));
  process.env['REGIMEN_BOT_SECRET'] = SECRET;
  fed = 0;
  // A fill window of 4 keeps at most 8 fills: the bot drops most of its fills long before it is watched.
  runner = new LiveRunner({
    catalogue: STRATEGIES,
    capacity: bars.t.length,
    heartbeat: HEARTBEAT,
    fillWindow: 4,
    now: () => 0,
  });
  server = await startBotServer({ runner, secret: SECRET, symbol: 'TEST', heartbeat: HEARTBEAT });
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env['REGIMEN_BOT_SECRET'];
  else process.env['REGIMEN_BOT_SECRET'] = saved;
});

describe('a bot whose rolling window dropped old fills', () => {
  it('is watched by the numbers its reports carry and reconciled fill for fill on what it still holds', async () => {
    await pushFirstSet();
    feed(400);
    const first = runner.fillRecord.first;
    expect(first).toBeGreaterThan(0);
    const watcher = newWatcher();
    const seen = new Set<number>();
    let view = await watcher.look(entry());
    // Polled often enough that the window never drops a fill between two looks.
    while (fed < bars.t.length) {
      for (let k = runner.fillRecord.first; k < runner.fillRecord.total; k++) seen.add(k);
      feed(4);
      view = await watcher.look(entry());
    }
    const reconciliation = view.expectation!.reconciliation;
    expect(reconciliation.missed).toEqual([]);
    expect(reconciliation.extra).toEqual([]);
    // Every fill from the first the bot held when first watched, each matched once.
    expect(reconciliation.matched).toBe(runner.fillRecord.total - first);
    expect(runner.fillRecord.total - first).toBeGreaterThan(20);
  });
});

describe('a bot whose bar window dropped bars before it was watched', () => {
  it('is shadowed from its position at the first bar it still holds, not from flat', async () => {
    // Bars kept: 200. Watched first after 500, the bot holds bars 300 on, mid-position.
    await server.close();
    runner = new LiveRunner({ catalogue: STRATEGIES, capacity: 200, heartbeat: HEARTBEAT, now: () => 0 });
    server = await startBotServer({ runner, secret: SECRET, symbol: 'TEST', heartbeat: HEARTBEAT });
    await pushFirstSet();
    feed(500);
    expect(runner.bufferStart).toBeGreaterThan(0);
    expect(runner.positions[0]).not.toBe(0);
    const watcher = newWatcher();
    const view = await watchToEnd(watcher, 50);
    const { reconciliation, equity } = view.expectation!;
    expect({ missed: reconciliation.missed, extra: reconciliation.extra }).toEqual({ missed: [], extra: [] });
    expect(reconciliation.matched).toBeGreaterThan(10);
    for (const point of equity) expect(point.expected).toBeCloseTo(point.live, 6);
  });
});

describe('a long-only bot trading fractions (crypto at Alpaca)', () => {
  it('says so in its status, never sells short, and is shadowed alike: every fill matched, the equity too', async () => {
    await server.close();
    runner = new LiveRunner({
      catalogue: STRATEGIES,
      capacity: bars.t.length,
      heartbeat: HEARTBEAT,
      now: () => 0,
      backtest: { longOnly: true, fractional: true },
    });
    server = await startBotServer({ runner, secret: SECRET, symbol: 'TEST', heartbeat: HEARTBEAT });
    await pushFirstSet();
    const watcher = newWatcher();
    const view = await watchToEnd(watcher, 50);
    expect(view.status).toMatchObject({ shortSales: 'none', units: 'fractional' });
    expect(runner.positions.some((units) => !Number.isInteger(units))).toBe(true);
    expect(Math.min(...runner.positions)).toBe(0);
    expect(Math.max(...runner.positions)).toBeGreaterThan(0);
    // A shadow that could short would open one at every cross down, fills the bot never made; one in whole
    // units would size every fill apart from the bot's.
    const { reconciliation, equity } = view.expectation!;
    expect({ missed: reconciliation.missed, extra: reconciliation.extra }).toEqual({ missed: [], extra: [] });
    expect(reconciliation.matched).toBe(runner.fillRecord.total);
    for (const point of equity) expect(point.expected).toBeCloseTo(point.live, 6);
    expect(reconciliation.matched).toBeGreaterThan(10);
  });
});
