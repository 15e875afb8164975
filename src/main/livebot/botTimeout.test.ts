import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { smaCrossSet } from '../../core/live/manualSet.test-util.ts';
import type { ParameterSet } from '../../core/live/parameterSet.ts';
import { BOT_PATHS } from '../../shared/botProtocol.ts';
import { EventBus } from '../services/events.ts';
import { LiveWatcher } from '../services/live/watcher.ts';
import type { AuditLog } from './auditLog.ts';
import { BotClient, BotUnreachableError } from './botClient.ts';
import {
  approve,
  checkedStatus,
  halt,
  lastApprovedHash,
  propose,
  push,
  resume,
  rollback,
  switchOutcomeText,
  type LiveDesk,
} from './liveDesk.ts';
import { openDeskFixture, type DeskFixture } from './liveDesk.test-util.ts';
import { startSilentBot, type SilentBot } from './silentBot.test-util.ts';

const SECRET = 'timeout-secret-0123456789abcdef';
/** A push waits 0.3 s here; reads get longer, so a loaded machine does not fail the reads around it. */
const PUSH_MS = 300;

let fixture: DeskFixture;
let silent: SilentBot;
let audit: AuditLog;
let desk: LiveDesk;
let url: string;

beforeEach(async () => {
  fixture = await openDeskFixture(SECRET, { timeoutMs: 600_000, mode: 'no-new-entries' });
  silent = await startSilentBot(fixture.bot.url);
  url = silent.url;
  audit = fixture.audit;
  desk = {
    audit,
    client: (bot) => new BotClient(bot, SECRET, { timeouts: { pushMs: PUSH_MS, readMs: 10_000 } }),
  };
});

afterEach(async () => {
  await silent.close();
  await fixture.close();
});

const until = async (done: () => Promise<boolean>): Promise<void> => {
  for (let k = 0; k < 500; k++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('never happened');
};
const runs = (version: number) => async () =>
  (await fixture.desk.client(fixture.bot.url).status()).active?.version === version;

async function approved(set: ParameterSet, note: string): Promise<string> {
  const proposal = await propose(desk, url, set, 'ana', `manual: ${note}`);
  await approve(desk, proposal.approvalId, { approver: 'ana', note, typed: proposal.confirmation });
  return proposal.approvalId;
}

const pushOf = (approvalId: string) =>
  push(desk, approvalId, { actor: 'ana', policy: 'keep', approversRequired: 1 });
const lastAck = async () => {
  const ack = (await audit.of('ack', url)).at(-1)!;
  return { ...ack, detail: JSON.parse(ack.detail) as Record<string, unknown> };
};
const silence = `the bot at ${'URL'} accepted the connection but did not answer within 0.3 s`;
const silenceAt = () => silence.replace('URL', url);

describe('a bot that accepts the connection and never answers', () => {
  it('fails a push within its bound, records the outcome as unknown, and the next status read records that it was not applied', async () => {
    const first = await approved(smaCrossSet(10, 30), 'first set');
    silent.silence(BOT_PATHS.apply, 'hang');
    const started = performance.now();
    const error = await pushOf(first).then(
      () => null,
      (e: unknown) => e,
    );
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(BotUnreachableError);
    expect((error as Error).message).toBe(
      `${silenceAt()}; whether it took version 1 is not known until the desk next reads its status`,
    );
    // Bounded: the push's 0.3 s, not fetch's five minutes (the status read before it answered at once).
    expect(waited).toBeGreaterThanOrEqual(PUSH_MS);
    expect(waited).toBeLessThan(PUSH_MS + 3_000);
    expect(await lastAck()).toMatchObject({
      version: 1,
      reason: `unknown: ${(error as Error).message}`,
      detail: { result: 'unknown' },
    });
    // Neither accepted nor refused: nothing is taken as what the bot must run.
    expect(lastApprovedHash(await audit.of('ack', url))).toBeNull();

    silent.silence(BOT_PATHS.apply, 'answer');
    const { status } = await checkedStatus(desk, url);
    expect(status.acceptedVersion).toBe(0);
    expect(await lastAck()).toMatchObject({
      version: 1,
      reason:
        'not applied: the bot did not answer the push, and its status shows it never took version 1 (it runs none); push again to send it',
      detail: { result: 'not-applied', settled: 'status' },
    });
    // Read again, nothing more is recorded: it is settled.
    const entries = (await audit.entries()).length;
    await checkedStatus(desk, url);
    expect((await audit.entries()).length).toBe(entries);
    // Pushed again, it is sent (as the next version) and taken.
    expect(await pushOf(first)).toMatchObject({ version: 2, answer: { result: 'accepted' } });
  });

  it("a push the bot took without answering is settled as accepted at the watcher's next look, and is not sent twice", async () => {
    await pushOf(await approved(smaCrossSet(10, 30), 'first set'));
    await until(runs(1));
    const faster = smaCrossSet(5, 30);
    const second = await approved(faster, 'faster');
    silent.silence(BOT_PATHS.apply, 'swallow');
    await expect(pushOf(second)).rejects.toThrow(silenceAt());
    expect(await lastAck()).toMatchObject({ version: 2, detail: { result: 'unknown' } });
    await until(runs(2));
    silent.silence(BOT_PATHS.apply, 'answer');

    const bot = { name: 'silent', url, autoPause: false };
    const watcher = new LiveWatcher({
      bots: () => [bot],
      withDesk: (work) => work(desk),
      events: new EventBus(),
      settingsSession: () => 'regular',
    });
    const view = await watcher.look(bot);
    expect(await lastAck()).toMatchObject({
      version: 2,
      toHash: faster.hash,
      reason:
        'accepted: the bot did not answer the push, and its status shows it took version 2 (it runs it)',
      detail: { result: 'accepted', settled: 'status' },
    });
    // The Live view settles to the truth: the bot runs the approved set.
    expect(view).toMatchObject({ error: null, approved: true, approvedHash: faster.hash });

    // Pushed again by a trader who saw only the error: the bot already has it, so nothing is sent.
    const applies = silent.received(BOT_PATHS.apply);
    expect(await pushOf(second)).toMatchObject({ version: 2, answer: { result: 'duplicate' } });
    expect(silent.received(BOT_PATHS.apply)).toBe(applies);
    expect((await lastAck()).reason).toBe(
      'duplicate: the bot already took version 2 though it did not answer its push; not sent again',
    );
    expect((await fixture.desk.client(fixture.bot.url).status()).acceptedVersion).toBe(2);
  });

  it('a rollback the bot took without answering is not sent again when the trader rolls back again', async () => {
    const slow = smaCrossSet(10, 30);
    await pushOf(await approved(slow, 'first set'));
    await until(runs(1));
    await pushOf(await approved(smaCrossSet(5, 30), 'faster'));
    await until(runs(2));
    silent.silence(BOT_PATHS.apply, 'swallow');
    await expect(rollback(desk, url, 'ana', 'too fast')).rejects.toThrow(silenceAt());
    await until(runs(3));
    silent.silence(BOT_PATHS.apply, 'answer');
    const applies = silent.received(BOT_PATHS.apply);

    // The second click: the bot runs the set rolled back to, so it is neither sent again nor rolled further.
    expect(await rollback(desk, url, 'ana', 'too fast')).toMatchObject({
      version: 3,
      answer: { result: 'duplicate' },
    });
    expect(silent.received(BOT_PATHS.apply)).toBe(applies);
    const status = await fixture.desk.client(fixture.bot.url).status();
    expect(status).toMatchObject({ acceptedVersion: 3, active: { version: 3, hash: slow.hash } });
    expect((await audit.of('ack', url)).map((a) => JSON.parse(a.detail).result)).toEqual([
      'accepted',
      'accepted',
      'unknown',
      'accepted',
      'duplicate',
    ]);
  });

  it('a bot that answers a read only after its bound fails the read naming the bound', async () => {
    silent.silence(BOT_PATHS.status, 'hang');
    const client = new BotClient(url, SECRET, { timeouts: { pushMs: 10_000, readMs: 200 } });
    await expect(client.status()).rejects.toThrow(
      `the bot at ${url} accepted the connection but did not answer within 0.2 s`,
    );
  });
});

describe('a halt or resume the bot does not answer', () => {
  const halts = async (kind: 'halt' | 'resume' = 'halt') =>
    (await audit.of(kind, url)).map((e) => ({
      actor: e.actor,
      reason: e.reason,
      detail: JSON.parse(e.detail) as Record<string, unknown>,
    }));
  const watcherOf = () =>
    new LiveWatcher({
      bots: () => [{ name: 'silent', url, autoPause: false }],
      withDesk: (work) => work(desk),
      events: new EventBus(),
      settingsSession: () => 'regular',
    });
  const botStatus = () => fixture.desk.client(fixture.bot.url).status();

  it('records a hung halt as unknown, and the next status read records that the bot did not halt', async () => {
    silent.silence(BOT_PATHS.halt, 'hang');
    const error = await halt(desk, url, 'ana', 'no-new-entries', 'news at 2pm').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BotUnreachableError);
    expect((error as Error).message).toBe(
      `${silenceAt()}; whether it halted (no-new-entries) is not known until the desk next reads its status`,
    );
    expect((await halts()).at(-1)).toMatchObject({ actor: 'bot', detail: { result: 'unknown' } });

    const { status } = await checkedStatus(desk, url);
    expect(status.halt).toBeNull();
    const settled = (await halts()).at(-1)!;
    expect(settled).toMatchObject({
      actor: 'bot',
      reason:
        'not halted: the bot did not answer the halt (no-new-entries), and its status shows it did not take it (it is not halted); send it again',
      detail: { result: 'not-applied', settled: 'status', mode: 'no-new-entries' },
    });
    expect(await switchOutcomeText(desk, url)).toBe(
      'Not halted: the bot did not answer the halt (no-new-entries), and its status shows it did not take it (it is not halted); send it again.',
    );
    // Settled once: another read records nothing.
    const entries = (await audit.entries()).length;
    await checkedStatus(desk, url);
    expect((await audit.entries()).length).toBe(entries);
  });

  it('a halt the bot took without answering is settled as halted, and is not sent again when the trader halts again', async () => {
    silent.silence(BOT_PATHS.halt, 'swallow');
    await expect(halt(desk, url, 'ana', 'reduce-only', 'news at 2pm')).rejects.toThrow(silenceAt());
    await until(async () => (await botStatus()).halt?.mode === 'reduce-only');
    silent.silence(BOT_PATHS.halt, 'answer');
    const sent = silent.received(BOT_PATHS.halt);

    // The second click: the status read first settles the first halt, and the bot is not sent it again.
    const status = await halt(desk, url, 'ana', 'reduce-only', 'news at 2pm');
    expect(status.halt).toMatchObject({ mode: 'reduce-only', reason: 'news at 2pm' });
    expect(silent.received(BOT_PATHS.halt)).toBe(sent);
    expect((await halts()).map((e) => [e.actor, e.detail['result'] ?? 'request'])).toEqual([
      ['ana', 'request'],
      ['bot', 'unknown'],
      ['bot', 'applied'],
      ['ana', 'duplicate'],
    ]);
    expect((await halts())[2]!.reason).toBe(
      'halted: the bot did not answer the halt (reduce-only), and its status shows it took it (it is halted (reduce-only: news at 2pm))',
    );
    expect((await halts())[3]!.reason).toBe(
      'manual: news at 2pm (not sent: the bot is already halted, reduce-only: news at 2pm)',
    );
  });

  it("a resume the bot took without answering is settled at the watcher's next look, which the Live view says in one sentence", async () => {
    await halt(desk, url, 'ana', 'no-new-entries', 'news at 2pm');
    silent.silence(BOT_PATHS.resume, 'swallow');
    await expect(resume(desk, url, 'ana', 'news is out')).rejects.toThrow(
      `${silenceAt()}; whether it resumed is not known until the desk next reads its status`,
    );
    await until(async () => (await botStatus()).halt === null);
    silent.silence(BOT_PATHS.resume, 'answer');

    const view = await watcherOf().look({ name: 'silent', url, autoPause: false });
    expect(view.switchOutcome).toBe(
      'Resumed: the bot did not answer the resume, and its status shows it took it (it is not halted).',
    );
    expect((await halts('resume')).at(-1)).toMatchObject({
      actor: 'bot',
      detail: { result: 'applied', settled: 'status' },
    });
  });
});

describe('a push the bot takes after its status showed it had not', () => {
  it('adds that it was accepted late, keeping the "not applied" it was settled as', async () => {
    const set = smaCrossSet(10, 30);
    const approval = await approved(set, 'first set');
    silent.silence(BOT_PATHS.apply, 'hold');
    await expect(pushOf(approval)).rejects.toThrow(silenceAt());
    await checkedStatus(desk, url);
    expect(await lastAck()).toMatchObject({ version: 1, detail: { result: 'not-applied' } });
    expect(lastApprovedHash(await audit.of('ack', url))).toBeNull();

    // The held push reaches the bot now, after the desk recorded it as not applied.
    silent.release(BOT_PATHS.apply);
    await until(runs(1));
    const { approved: runsApproved } = await checkedStatus(desk, url);
    expect(await lastAck()).toMatchObject({
      version: 1,
      toHash: set.hash,
      reason: 'accepted late: the bot took version 1 after a status read had shown it had not (it runs it)',
      detail: { result: 'accepted', settled: 'status' },
    });
    expect((await audit.of('ack', url)).map((a) => JSON.parse(a.detail).result)).toEqual([
      'unknown',
      'not-applied',
      'accepted',
    ]);
    expect(lastApprovedHash(await audit.of('ack', url))).toBe(set.hash);
    expect(runsApproved).toBe(true);
  });
});
