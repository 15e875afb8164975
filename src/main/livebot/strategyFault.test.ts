/**
 * A trader's own strategy that throws inside the reference bot. In onBar: the bot halts new entries
 * naming the strategy, its file and line and the bar's time, keeps serving the protocol, and takes
 * another version of the set. In create or init, for the parameters of a pushed set: the bot refuses the
 * apply naming the strategy, its file and line and the phase, and the previous set goes on trading.
 */
import { createHash } from 'node:crypto';
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

const dirs: string[] = [];
const bots: ReferenceBot[] = [];
afterAll(async () => {
  for (const bot of bots) await bot.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A paced reference bot whose strategies folder holds the example as `edit` rewrites it. */
async function botOnExample(edit: (source: string) => string) {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-strategy-fault-'));
  dirs.push(dir);
  const folder = join(dir, 'strategies');
  mkdirSync(folder);
  const source = edit(readFileSync(EXAMPLE, 'utf8'));
  writeFileSync(join(folder, 'rsi-reversion.ts'), source);
  const { strategies } = await loadBotStrategies(folder);
  const paced = await pacedReferenceBot({
    bars,
    strategies,
    secret: SECRET,
    heartbeat: { timeoutMs: 600_000, mode: 'no-new-entries' },
  });
  bots.push(paced.bot);
  const set = (period: number) => rsiReversionSet(strategies['rsi-reversion']!, period);
  /** The file's line (1-based) that holds `text`. */
  const lineOf = (text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1;
  return { paced, client: new BotClient(paced.bot.url, SECRET), set, lineOf };
}

const approval = { id: 'a', approvedBy: ['ana'], at: 0, note: '' };

describe('a user strategy that throws in onBar inside the reference bot', () => {
  it('halts new entries naming the strategy, file, line and bar time, and keeps serving the protocol', async () => {
    // The example, throwing at its FAIL_AT-th decision when its period is 8 (version 2 uses 9).
    const { paced, client, set, lineOf } = await botOnExample((source) => {
      const edited = source.replace(
        '  onBar(i: number): void {\n',
        `  private calls = 0;\n\n  onBar(i: number): void {\n    if (++this.calls === ${FAIL_AT} && this.initial.period === 8) throw new Error('no data for bar ' + i);\n`,
      );
      expect(edited).toContain('no data for bar');
      return edited;
    });
    const bot = paced.bot;
    const line = lineOf('no data for bar');
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

describe('a user strategy that throws in create or init for a pushed set', () => {
  it('is refused at apply naming the strategy, file:line and phase; the previous set trades on', async () => {
    // The example, throwing in create at period 9 and in init at period 10 (any other period runs).
    const { paced, client, set, lineOf } = await botOnExample((source) => {
      const edited = source
        .replace(
          '  create: (params: StrategyParams) => new RsiReversion(params),',
          "  create: (params: StrategyParams) => {\n    if (params.period === 9) throw new Error('no model for period 9');\n    return new RsiReversion(params);\n  },",
        )
        .replace(
          '  init(context: StrategyContext): number {\n',
          "  init(context: StrategyContext): number {\n    if (this.initial.period === 10) throw new Error('period 10 needs a warm cache');\n",
        );
      expect(edited).toContain('no model for period 9');
      expect(edited).toContain('period 10 needs a warm cache');
      return edited;
    });
    const bot = paced.bot;
    expect(
      await client.apply({ changeId: 'c1', version: 1, set: set(8), policy: 'keep', approval }),
    ).toMatchObject({ result: 'accepted' });
    await paced.feed(60);
    const before = await client.status();
    expect(before.active?.version).toBe(1);

    for (const [period, phase, text] of [
      [9, 'create', 'no model for period 9'],
      [10, 'init', 'period 10 needs a warm cache'],
    ] as const) {
      const refused = client.apply({
        changeId: `c2-${period}`,
        version: 2,
        set: set(period),
        policy: 'keep',
        approval,
      });
      await expect(refused).rejects.toMatchObject({ status: 409, code: 'invalid-set' });
      const message = (await refused.catch((error: Error) => error.message)) as string;
      for (const part of [
        'strategy rsi-reversion',
        `rsi-reversion.ts:${lineOf(text)}`,
        `${phase} threw`,
        text,
      ])
        expect(message).toContain(part);
    }

    // Nothing was taken: version 1 runs on, unhalted, and decides on the bars that follow.
    const decided = bot.runner.fillRecord.total;
    await paced.feed(120);
    const after = await client.status();
    expect(after).toMatchObject({ active: before.active, pending: null, halt: null, acceptedVersion: 1 });
    expect(after.barsSeen).toBe(before.barsSeen + 120);
    expect(bot.runner.fillRecord.since(decided).length).toBeGreaterThan(0);
    expect(bot.runner.fillRecord.since(decided).every((f) => f.version === 1)).toBe(true);

    // A set the strategy can build is taken as version 2 at the next bar.
    expect(
      await client.apply({ changeId: 'c2', version: 2, set: set(12), policy: 'keep', approval }),
    ).toMatchObject({ result: 'accepted' });
    await paced.feed(1);
    expect(bot.runner.state.active?.version).toBe(2);
  }, 60_000);
});

describe("a user strategy file changed between an apply and the bot's restart", () => {
  it('is never traded: the bot halts at start naming the version, strategy and why, feeds on, and resumes the set once the file is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-strategy-restart-'));
    dirs.push(dir);
    const folder = join(dir, 'strategies');
    mkdirSync(folder);
    const file = join(folder, 'rsi-reversion.ts');
    const statePath = join(dir, 'bots', 'TEST.json');
    // The approved file: its init throws while a process-wide switch is on (a model file it reads, say).
    const approved = readFileSync(EXAMPLE, 'utf8').replace(
      '  init(context: StrategyContext): number {\n',
      "  init(context: StrategyContext): number {\n    if ((globalThis as Record<string, unknown>).regimenModelGone) throw new Error('the model file is gone');\n",
    );
    expect(approved).toContain('the model file is gone');
    const lineOf = (text: string, needle: string) =>
      text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    let running: ReferenceBot | undefined;
    /** The bot restarted on its state file with the folder's file as `text`. */
    const restart = async (text: string) => {
      await running?.close();
      writeFileSync(file, text);
      const { strategies, problems } = await loadBotStrategies(folder);
      const paced = await pacedReferenceBot({
        bars,
        strategies,
        strategyProblems: problems,
        statePath,
        secret: SECRET,
        heartbeat: { timeoutMs: 600_000, mode: 'no-new-entries' },
      });
      running = paced.bot;
      return { paced, client: new BotClient(paced.bot.url, SECRET), strategies };
    };
    /** Entries the bot made since its (re)start. */
    const entries = (bot: ReferenceBot) => bot.runner.fillRecord.since(0).filter((f) => f.kind === 'entry');
    try {
      const first = await restart(approved);
      const set = rsiReversionSet(first.strategies['rsi-reversion']!, 8);
      expect(
        await first.client.apply({ changeId: 'c1', version: 1, set, policy: 'keep', approval }),
      ).toMatchObject({ result: 'accepted' });
      await first.paced.feed(80);
      expect(entries(first.paced.bot).length).toBeGreaterThan(0);

      // Edited: create now throws for every set. The set was approved on the other source: not built.
      const edited = approved.replace(
        '  create: (params: StrategyParams) => new RsiReversion(params),',
        "  create: (params: StrategyParams) => {\n    throw new Error('rewritten: no model yet');\n  },",
      );
      expect(edited).toContain('rewritten: no model yet');
      const second = await restart(edited);
      const halted = await second.client.status();
      expect(halted.active?.version).toBe(1);
      expect(halted.halt?.mode).toBe('no-new-entries');
      for (const part of [
        'v1 (rsi-reversion) is not traded: after the restart',
        `approved on source ${sha256(approved)}`,
        `runs source ${sha256(edited)}`,
      ])
        expect(halted.halt?.reason).toContain(part);
      expect(halted.changes?.at(-1)).toMatchObject({
        kind: 'halt',
        version: 1,
        reason: expect.stringContaining(sha256(edited)),
      });
      // Its feed goes on (the 80 bars it saw are skipped as repeats), with no entry.
      await second.paced.feed(120);
      expect((await second.client.status()).barsSeen).toBe(120);
      expect(entries(second.paced.bot)).toEqual([]);

      // No longer compiling: the strategy is missing, and the file, line and phase are named.
      const broken = `${approved}\nconst broken = ;\n`;
      const third = await restart(broken);
      const missing = (await third.client.status()).halt?.reason ?? '';
      for (const part of [
        'v1 (rsi-reversion) is not traded: after the restart',
        'lacks strategy rsi-reversion',
        `strategies/rsi-reversion.ts:${lineOf(broken, 'const broken')}`,
        'does not compile',
      ])
        expect(missing).toContain(part);
      await third.paced.feed(140);
      expect((await third.client.status()).barsSeen).toBe(140);
      expect(entries(third.paced.bot)).toEqual([]);

      // The approved file back, but its init throws here now: named by file, line and phase.
      (globalThis as Record<string, unknown>).regimenModelGone = true;
      const fourth = await restart(approved);
      const thrown = (await fourth.client.status()).halt?.reason ?? '';
      for (const part of [
        'v1 (rsi-reversion) is not traded: after the restart',
        `rsi-reversion.ts:${lineOf(approved, 'the model file is gone')}`,
        'init threw',
        'the model file is gone',
      ])
        expect(thrown).toContain(part);
      await fourth.paced.feed(160);
      expect(entries(fourth.paced.bot)).toEqual([]);

      // Nothing was lost: with the file as approved and its model back, v1 resumes once resumed.
      delete (globalThis as Record<string, unknown>).regimenModelGone;
      const fifth = await restart(approved);
      const resumed = await fifth.client.status();
      expect(resumed).toMatchObject({ active: { version: 1 }, barsSeen: 160 });
      expect(resumed.halt?.reason).toContain('the model file is gone');
      expect((await fifth.client.resume('model restored')).halt).toBeNull();
      await fifth.paced.feed(bars.t.length);
      expect(entries(fifth.paced.bot).length).toBeGreaterThan(0);
      expect(entries(fifth.paced.bot).every((f) => f.version === 1)).toBe(true);
    } finally {
      delete (globalThis as Record<string, unknown>).regimenModelGone;
      await running?.close();
    }
  }, 120_000);
});
