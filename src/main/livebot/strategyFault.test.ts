/**
 * A trader's own strategy that throws in onBar inside the reference bot: the bot halts new entries
 * naming the strategy, its file and line and the bar's time, keeps serving the protocol, and takes
 * another version of the set.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import { BotClient } from './botClient.ts';
import { loadBotStrategies } from './botStrategies.ts';
import { EXAMPLE_STRATEGY as EXAMPLE, pacedReferenceBot, rsiReversionSet } from './liveStudy.test-util.ts';
import type { ReferenceBot } from './referenceBot.ts';

const SECRET = 'strategy-fault-bot-secret-51d0c7ee';
const bars = randomWalkBars(300, 11, { volatility: 0.008, stepMs: 3_600_000 });
const FAIL_AT = 40;

let dir: string | undefined;
let bot: ReferenceBot | undefined;
afterAll(async () => {
  await bot?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('a user strategy that throws in onBar inside the reference bot', () => {
  it('halts new entries naming the strategy, file, line and bar time, and keeps serving the protocol', async () => {
    dir = mkdtempSync(join(tmpdir(), 'regimen-strategy-fault-'));
    const folder = join(dir, 'strategies');
    mkdirSync(folder);
    // The example, throwing at its FAIL_AT-th decision when its period is 8 (version 2 uses 9).
    const source = readFileSync(EXAMPLE, 'utf8').replace(
      '  onBar(i: number): void {\n',
      `  private calls = 0;\n\n  onBar(i: number): void {\n    if (++this.calls === ${FAIL_AT} && this.initial.period === 8) throw new Error('no data for bar ' + i);\n`,
    );
    expect(source).toContain('no data for bar');
    writeFileSync(join(folder, 'rsi-reversion.ts'), source);
    const line = source.split('\n').findIndex((l) => l.includes('no data for bar')) + 1;
    const { strategies } = await loadBotStrategies(folder);
    const paced = await pacedReferenceBot({
      bars,
      strategies,
      secret: SECRET,
      heartbeat: { timeoutMs: 600_000, mode: 'no-new-entries' },
    });
    bot = paced.bot;
    const client = new BotClient(bot.url, SECRET);
    const set = (period: number) => rsiReversionSet(strategies['rsi-reversion']!, period);
    const approval = { id: 'a', approvedBy: ['ana'], at: 0, note: '' };
    const first = await client.apply({ changeId: 'c1', version: 1, set: set(8), policy: 'keep', approval });
    expect(first).toMatchObject({ result: 'accepted' });
    const { feed } = paced;
    // Applied at the first bar; its first decision is at bar period + 1 = 9, so call FAIL_AT is bar 48.
    const failing = 8 + FAIL_AT;
    await feed(failing + 20);
    const status = await client.status();
    const when = new Date(bars.t[failing]!).toISOString();
    expect(status.halt?.mode).toBe('no-new-entries');
    for (const part of ['strategy rsi-reversion', `rsi-reversion.ts:${line}`, 'no data for bar', when])
      expect(status.halt?.reason).toContain(part);
    expect(status.changes?.at(-1)).toMatchObject({ kind: 'halt', reason: expect.stringContaining(when) });
    // No entry after the failing bar while halted, and the feed went on past it.
    const entries = bot.runner.fillRecord.since(0).filter((f) => f.kind === 'entry');
    expect(entries.every((f) => f.time <= bars.t[failing + 1]!)).toBe(true);
    expect(bot.runner.state.active?.version).toBe(1);

    // Another version is taken at the next bar; resumed, it trades.
    const second = await client.apply({ changeId: 'c2', version: 2, set: set(9), policy: 'keep', approval });
    expect(second).toMatchObject({ result: 'accepted' });
    await feed(1);
    expect(bot.runner.state.active?.version).toBe(2);
    expect((await client.resume('version 2 fixed')).halt).toBeNull();
    await feed(bars.t.length - paced.fed);
    expect((await client.status()).halt).toBeNull();
    expect(bot.runner.fillRecord.since(0).some((f) => f.version === 2)).toBe(true);
  }, 60_000);
});
