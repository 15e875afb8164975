import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startKitBot, type KitBot } from '../../examples/kit-bot/bot.ts';
import { randomWalkBars } from '../../src/core/engine/random-walk.ts';
import { liveBarAt } from '../../src/core/live/liveBar.test-util.ts';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet } from '../../src/core/live/parameterSet.ts';
import { BotClient } from '../../src/main/livebot/botClient.ts';
import { runConformance } from '../../src/main/livebot/conformance.ts';

const SECRET = 'kit-bot-secret-0123456789abcdef';
const HEARTBEAT = { timeoutMs: 60_000, mode: 'no-new-entries' } as const;

let bot: KitBot | undefined;
let feeding = false;
afterEach(async () => {
  feeding = false;
  await bot?.close();
  bot = undefined;
});

describe('the kit example: a trader’s own bot built with the kit alone', () => {
  it('passes the conformance suite with windows that dropped old bars and fills', async () => {
    // Small windows, so by the time the suite reads it the bot has dropped bars and fills it never sent.
    bot = await startKitBot({
      secret: SECRET,
      symbol: 'TEST',
      session: 'regular',
      heartbeat: HEARTBEAT,
      capacity: 400,
      fillWindow: 20,
    });
    const bars = randomWalkBars(40_000, 11, { volatility: 0.004 });
    const first = sealParameterSet({
      schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
      strategy: { name: 'sma-cross', version: '1' },
      parameters: { fast: 2, slow: 5 },
      limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 10_000 },
      provenance: { kind: 'manual', note: 'an earlier push', engineVersion: 'test' },
    });
    bot.runner.apply({ changeId: 'earlier', version: 1, hash: first.hash, set: first, policy: 'keep' });
    let fed = 0;
    for (; fed < 2_000; fed++) bot.onBar(liveBarAt(bars, fed));
    feeding = true;
    // Bars keep closing while the suite runs (it waits for bar boundaries and for flat).
    const feed = (async () => {
      for (; feeding && fed < bars.t.length; fed++) {
        bot!.onBar(liveBarAt(bars, fed));
        await sleep(1);
      }
    })();

    const client = new BotClient(bot.url, SECRET);
    const page = await client.reports(0, 0);
    expect(page.firstFill).toBeGreaterThan(0);
    expect(page.firstBar).toBeGreaterThan(0);
    const checks = await runConformance(client, {
      strategy: { name: 'sma-cross', version: '1' },
      parameters: [
        { fast: 10, slow: 30 },
        { fast: 5, slow: 20 },
      ],
    });
    feeding = false;
    await feed;
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.find((c) => c.id === 'reports-paged')?.detail).toMatch(/pages walked from 0 in order/);
    expect(checks).toHaveLength(20);
  });
});
