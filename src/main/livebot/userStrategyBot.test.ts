import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import { liveBarAt } from '../../core/live/liveBar.test-util.ts';
import { liveExpectation } from '../../core/live/expectation.ts';
import { ownStrategy, strategyIdentity } from '../../core/live/parameterSet.ts';
import { LiveRunner } from '../../core/live/runner.ts';
import { STRATEGIES } from '../../core/strategy/registry.ts';
import { BotClient } from './botClient.ts';
import { loadBotStrategies } from './botStrategies.ts';
import {
  EXAMPLE_STRATEGY as EXAMPLE,
  openLiveStudies,
  pacedReferenceBot,
  rsiReversionSet,
  type LiveStudies,
  type PacedBot,
} from './liveStudy.test-util.ts';
import type { ReferenceBot } from './referenceBot.ts';

const SECRET = 'user-strategy-bot-secret-7c1e40a9';
const HEARTBEAT = { timeoutMs: 600_000, mode: 'no-new-entries' } as const;
const botBars = randomWalkBars(700, 11, { volatility: 0.008, stepMs: 3_600_000 });
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let studies: LiveStudies;
let dir: string;
const bots: ReferenceBot[] = [];

const call: LiveStudies['call'] = (channel, input) => studies.call(channel, input);

async function pacedBot(strategyFolder: string): Promise<PacedBot> {
  const { strategies } = await loadBotStrategies(strategyFolder);
  const paced = await pacedReferenceBot({ bars: botBars, strategies, secret: SECRET, heartbeat: HEARTBEAT });
  bots.push(paced.bot);
  return paced;
}

const finishedStudy = (): Promise<string> =>
  studies.finishedStudy('rsi-reversion', [
    { kind: 'int', name: 'period', low: 5, high: 12 },
    { kind: 'float', name: 'oversold', low: 30, high: 40 },
    { kind: 'float', name: 'overbought', low: 60, high: 70 },
    { kind: 'float', name: 'exit', low: 45, high: 55 },
    { kind: 'float', name: 'stop_pct', low: 0.5, high: 3 },
  ]);

beforeAll(async () => {
  studies = await openLiveStudies({ prefix: 'regimen-user-bot-', secret: SECRET });
  dir = studies.dir;
});

afterAll(async () => {
  await studies?.close();
  for (const bot of bots) await bot.close();
});

describe("the trader's own strategy, from a study trial to a reference bot", () => {
  it('is proposed with its source hash, pushed, applied at a bar boundary and traded as the shadow trades it; a bot with another source or without it refuses', async () => {
    const source = readFileSync(EXAMPLE, 'utf8');
    const same = await pacedBot(join(dir, 'strategies'));
    // Another copy of the file, one comment longer: the same name and declared version, other code.
    const otherFolder = join(dir, 'other', 'strategies');
    mkdirSync(otherFolder, { recursive: true });
    writeFileSync(join(otherFolder, 'rsi-reversion.ts'), `${source}\n// tuned by hand\n`);
    const edited = await pacedBot(otherFolder);
    const without = await pacedBot(join(dir, 'no-strategies'));
    for (const [name, { bot }] of Object.entries({ same, edited, without }))
      await call('live:bot-add', { name, url: bot.url });

    const studyId = await finishedStudy();
    const all = (await call('optimize:get', { studyId })).trials;
    const trial = all.find((t) => t.status === 'complete' && (t.metrics.numTrades ?? 0) > 0)!;
    const proposal = await call('live:propose', {
      bot: same.bot.url,
      studyId,
      trialNumber: trial.number,
      actor: 'ana',
    });
    expect(proposal.set.strategy).toEqual({
      name: 'rsi-reversion',
      version: `1+${sha256(source).slice(0, 8)}`,
      sourceHash: sha256(source),
    });
    expect(proposal.set.parameters).toEqual(trial.params);
    // The artifact re-hashes to itself and its provenance re-runs on the workers.
    const verdict = await call('live:verify-provenance', { set: proposal.set });
    expect(verdict.differences).toEqual([]);

    // The status says what each bot runs, before anything is pushed.
    const listed = (await call('live:bot', { bot: same.bot.url })).status!.strategies!;
    expect(listed).toContainEqual(proposal.set.strategy);
    expect(listed).toContainEqual({ name: 'sma-cross', version: expect.any(String) });

    await same.feed(60);
    await call('live:approve', {
      approvalId: proposal.approvalId,
      typed: proposal.confirmation,
      note: 'own rsi',
      approver: 'ana',
    });
    expect(await call('live:push', { approvalId: proposal.approvalId, actor: 'ana' })).toEqual({
      version: 1,
      result: 'accepted',
    });
    // Taken at the next bar's boundary, not between bars.
    expect(same.bot.runner.state.active).toBeNull();
    await same.feed(1);
    expect(same.bot.runner.state.active?.hash).toBe(proposal.set.hash);
    await same.feed(botBars.t.length - 61);
    const fills = same.bot.runner.fillRecord.since(0);
    expect(fills.length).toBeGreaterThan(4);
    expect(new Set(fills.map((f) => f.version))).toEqual(new Set([1]));

    const watched = await call('live:bot', { bot: same.bot.url });
    expect(watched.approved).toBe(true);
    const reconciliation = watched.expectation!.reconciliation;
    expect(reconciliation.matched).toBe(fills.length);
    expect(reconciliation.missed).toEqual([]);
    expect(reconciliation.extra).toEqual([]);

    const hash = sha256(source);
    const editedHash = sha256(`${source}\n// tuned by hand\n`);
    const refusals: Record<string, (holder: string) => string> = {
      edited: (holder) =>
        `strategy rsi-reversion: the set was approved on source ${hash}, ${holder} runs source ${editedHash}`,
      without: (holder) => `${holder} lacks strategy rsi-reversion (source ${hash}): it runs confluence,`,
    };
    for (const [name, { bot }] of Object.entries({ edited, without })) {
      const next = await call('live:propose', {
        bot: bot.url,
        studyId,
        trialNumber: trial.number,
        actor: 'ana',
      });
      await call('live:approve', {
        approvalId: next.approvalId,
        typed: next.confirmation,
        note: 'try',
        approver: 'ana',
      });
      // The workstation reads the bot's status and sends nothing it cannot run...
      await expect(call('live:push', { approvalId: next.approvalId, actor: 'ana' })).rejects.toThrow(
        refusals[name]!(`bot ${bot.url}`),
      );
      expect(bot.runner.state.ledger.version).toBe(0);
      // ...and the bot itself refuses it, naming the same.
      await expect(
        new BotClient(bot.url, SECRET).apply({
          changeId: `direct-${name}`,
          version: 1,
          set: next.set,
          policy: 'keep',
          approval: { id: next.approvalId, approvedBy: ['ana'], at: 0, note: '' },
        }),
      ).rejects.toThrow(refusals[name]!('the bot'));
      expect(bot.runner.state.ledger.version).toBe(0);
    }
  });

  it("names a broken file of the bot's folder and runs the good ones", async () => {
    const folder = join(dir, 'mixed');
    mkdirSync(folder);
    copyFileSync(EXAMPLE, join(folder, 'rsi-reversion.ts'));
    writeFileSync(join(folder, 'broken.ts'), 'export default {\n  name: "broken",\n  oops(\n};\n');
    const { strategies, problems } = await loadBotStrategies(folder);
    expect(Object.keys(strategies)).toEqual(['rsi-reversion']);
    const text = readFileSync(EXAMPLE, 'utf8');
    expect(strategies['rsi-reversion']!.sourceHash).toBe(sha256(text));
    // A kit bot that imports the file itself declares it as the loader does.
    expect(strategyIdentity(ownStrategy({ name: 'rsi-reversion', version: '1' }, text))).toEqual(
      strategyIdentity(strategies['rsi-reversion']!),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'mixed/broken.ts',
        line: 4,
        message: expect.stringMatching(/^does not compile/),
      }),
    ]);
  });

  it('reports the entry of a position opened and stopped out inside one bar: the shadow matches fill for fill', async () => {
    const { strategies } = await loadBotStrategies(dirname(EXAMPLE));
    const catalogue = { ...STRATEGIES, ...strategies };
    const set = rsiReversionSet(strategies['rsi-reversion']!, 8);
    const runner = new LiveRunner({ catalogue, capacity: botBars.t.length });
    runner.apply({ changeId: 'c1', version: 1, hash: set.hash, set, policy: 'keep' });
    for (let i = 0; i < botBars.t.length; i++) runner.onBar(liveBarAt(botBars, i));
    const fills = runner.fillRecord.since(0);
    // Before, such an entry was missing (19 of the shadow's fills on these bars), its stop reported alone.
    const inside = fills.filter((f, k) => f.kind === 'entry' && fills[k + 1]?.time === f.time);
    expect(inside.length).toBeGreaterThan(3);
    for (const entry of inside)
      expect(fills[fills.indexOf(entry) + 1]).toMatchObject({ reason: 'StopLoss', version: 1 });
    const { reconciliation } = liveExpectation(
      { bars: botBars, versions: runner.versions, equity: runner.equity, fills: runner.fills },
      { sets: new Map([[1, set]]), catalogue },
    );
    expect(reconciliation.matched.length).toBe(fills.length);
    expect(reconciliation.missed).toEqual([]);
    expect(reconciliation.extra).toEqual([]);
  });
});
