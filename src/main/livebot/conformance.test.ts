import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import { MAX_REPORT_FILLS } from '../../shared/botProtocol.ts';
import { strategyIdentity } from '../../core/live/parameterSet.ts';
import { BotClient } from './botClient.ts';
import { loadBotStrategies } from './botStrategies.ts';
import { runConformance } from './conformance.ts';
import { startReferenceBot, type ReferenceBot } from './referenceBot.ts';

const SECRET = 'conformance-secret-0123456789abcdef';
const OPTIONS = {
  strategy: { name: 'sma-cross', version: '1' },
  parameters: [
    { fast: 10, slow: 30 },
    { fast: 5, slow: 20 },
  ],
} as const;

let bot: ReferenceBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

describe('bot conformance suite', () => {
  it('the reference bot passes every check', async () => {
    // One-minute bars at 30,000x: a bar every 2 ms, so bar boundaries come while the suite runs.
    bot = await startReferenceBot({
      bars: randomWalkBars(20_000, 4, { volatility: 0.004 }),
      symbol: 'TEST',
      speed: 30_000,
      secret: SECRET,
      heartbeat: { timeoutMs: 60_000, mode: 'no-new-entries' },
    });
    const checks = await runConformance(new BotClient(bot.url, SECRET), OPTIONS);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.id)).toEqual([
      'status-shape',
      'refuses-unsigned',
      'refuses-forged',
      'refuses-altered-body',
      'refuses-stale-timestamp',
      'refuses-replayed-nonce',
      'refuses-malformed-apply',
      'refusals-change-nothing',
      'apply-accepted',
      'apply-idempotent',
      'older-version-refused',
      'tampered-set-refused',
      'lists-strategies',
      'unknown-strategy-refused',
      'applies-at-bar-boundary',
      'halt-no-new-entries',
      'halt-reduce-only',
      'halt-flatten',
      'reports-paged',
      'heartbeat',
    ]);
  });

  it("a reference bot running the trader's own strategy passes with it, listed with its source hash", async () => {
    const folder = new URL('../../../examples/strategies', import.meta.url).pathname;
    const { strategies } = await loadBotStrategies(folder);
    bot = await startReferenceBot({
      bars: randomWalkBars(20_000, 4, { volatility: 0.004 }),
      strategies,
      symbol: 'TEST',
      speed: 30_000,
      secret: SECRET,
      heartbeat: { timeoutMs: 60_000, mode: 'no-new-entries' },
    });
    const own = strategyIdentity(strategies['rsi-reversion']!);
    const params = { period: 8, oversold: 35, overbought: 65, exit: 50, stop_pct: 0 };
    const checks = await runConformance(new BotClient(bot.url, SECRET), {
      strategy: own,
      parameters: [params, { ...params, period: 12 }],
    });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.find((c) => c.id === 'lists-strategies')?.detail).toContain(
      `rsi-reversion (source ${own.sourceHash!.slice(0, 12)})`,
    );
  });

  it('a bot whose reports send every fill at once fails reports-paged', async () => {
    const fills = Array.from({ length: MAX_REPORT_FILLS + 1 }, () => FILL);
    const checks = await conformanceOf({ fills, nextFill: fills.length, equity: [], barsSeen: 0 });
    expect(checks.find((c) => c.id === 'reports-paged')).toMatchObject({
      ok: false,
      detail: `one answer carried ${MAX_REPORT_FILLS + 1} fills and 0 bars (at most ${MAX_REPORT_FILLS} and 5000)`,
    });
  });

  it('a bot whose reports misnumber their first fill fails reports-paged', async () => {
    // Three fills from 7 on, said to start at 0: a watcher numbering by firstFill would misplace them.
    const checks = await conformanceOf({
      fills: [FILL, FILL, FILL],
      nextFill: 10,
      firstFill: 0,
      equity: [],
      barsSeen: 0,
    });
    expect(checks.find((c) => c.id === 'reports-paged')).toMatchObject({
      ok: false,
      detail: 'firstFill 0 and 3 fills do not end at nextFill 10',
    });
  });

  it('a bot whose reports send bars that are not its equity’s bars fails reports-paged', async () => {
    const bar = { time: 2, o: 1, h: 1, l: 1, c: 1, v: 1, version: 0 };
    const checks = await conformanceOf({
      fills: [],
      nextFill: 0,
      firstFill: 0,
      firstBar: 0,
      equity: [{ time: 1, equity: 1 }],
      bars: [bar],
      barsSeen: 1,
    });
    expect(checks.find((c) => c.id === 'reports-paged')).toMatchObject({
      ok: false,
      detail: 'page 1: its bars and equity are not the same bars',
    });
  });

  it('a bot that answers everything with 200 fails the signature and delivery checks', async () => {
    const checks = await conformanceOf({ result: 'accepted', version: 1, effective: 'next-bar' });
    const failed = checks.filter((c) => !c.ok).map((c) => c.id);
    expect(failed).toEqual(
      expect.arrayContaining(['status-shape', 'refuses-unsigned', 'refuses-forged', 'apply-idempotent']),
    );
  });
});

const FILL = { time: 1, side: 'buy', units: 1, price: 1, kind: 'entry', version: 1, reason: 'Signal' };

/** The suite run against a bot that answers every request with `answer`. */
async function conformanceOf(answer: unknown): Promise<Awaited<ReturnType<typeof runConformance>>> {
  const fake = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    return await runConformance(new BotClient(url, SECRET), { ...OPTIONS, barWaitMs: 200 });
  } finally {
    fake.closeAllConnections();
    await new Promise((resolve) => fake.close(resolve));
  }
}
