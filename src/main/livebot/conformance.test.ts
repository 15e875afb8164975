import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import { BotClient } from './botClient.ts';
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
      'refusals-change-nothing',
      'apply-accepted',
      'apply-idempotent',
      'older-version-refused',
      'tampered-set-refused',
      'applies-at-bar-boundary',
      'halt-no-new-entries',
      'halt-reduce-only',
      'halt-flatten',
      'heartbeat',
    ]);
  });

  it('a bot that answers everything with 200 fails the signature and delivery checks', async () => {
    const lax = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"result":"accepted","version":1,"effective":"next-bar"}');
    });
    await new Promise<void>((resolve) => lax.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(lax.address() as AddressInfo).port}`;
      const checks = await runConformance(new BotClient(url, SECRET), { ...OPTIONS, barWaitMs: 200 });
      const failed = checks.filter((c) => !c.ok).map((c) => c.id);
      expect(failed).toEqual(
        expect.arrayContaining(['status-shape', 'refuses-unsigned', 'refuses-forged', 'apply-idempotent']),
      );
    } finally {
      lax.closeAllConnections();
      await new Promise((resolve) => lax.close(resolve));
    }
  });
});
