import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIO as capture } from '../../../../../test/support/captureIO.ts';
import { randomWalkBars } from '../../../../core/engine/random-walk.ts';
import { LiveRunner } from '../../../../core/live/runner.ts';
import { STRATEGIES } from '../../../../core/strategy/registry.ts';
import { startBotServer } from '../../../livebot/botServer.ts';
import { startReferenceBot, type ReferenceBot } from '../../../livebot/referenceBot.ts';
import { main } from '../../main.ts';
import { timeFormat } from '../../../../shared/timeZone.ts';

const SECRET = 'cli-live-secret-0123456789abcdef';
let dir = '';
let bot: ReferenceBot;
const saved = process.env['REGIMEN_BOT_SECRET'];

beforeAll(async () => {
  process.env['REGIMEN_BOT_SECRET'] = SECRET;
  dir = mkdtempSync(join(tmpdir(), 'regimen-live-cli-'));
  bot = await startReferenceBot({
    bars: randomWalkBars(50_000, 2, { volatility: 0.004 }),
    symbol: 'TEST',
    speed: 30_000,
    secret: SECRET,
    heartbeat: { timeoutMs: 60_000, mode: 'no-new-entries' },
  });
});

afterAll(async () => {
  await bot.close();
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env['REGIMEN_BOT_SECRET'];
  else process.env['REGIMEN_BOT_SECRET'] = saved;
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const who =
    ['status', 'audit', 'verify-provenance'].includes(argv[1]!) || argv[2] === 'show' ? [] : ['--as', 'ana'];
  const code = await main([...argv, '--data-dir', dir, ...who], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('regimen live', () => {
  it('approve, push, status, rollback, halt and a verified audit trail, on loopback', async () => {
    const url = bot.url;
    const set = (fast: string) => [
      '--bot',
      url,
      '--strategy',
      'sma-cross',
      '--param',
      `fast=${fast}`,
      '--param',
      'slow=30',
    ];
    const refused = await run('live', 'approve', ...set('10'), '--note', 'first', '--confirm', 'nope');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/confirmation "nope" does not match: type [0-9a-f]{8}/);
    const hash8 = /type ([0-9a-f]{8})/.exec(refused.err)![1];
    const first = await run('live', 'approve', ...set('10'), '--note', 'first', '--confirm', hash8, '--json');
    expect(first.code).toBe(0);
    expect(first.err).toContain('fast: - -> 10');
    const approvalId = (JSON.parse(first.out) as { approvalId: string }).approvalId;

    const pushed = await run('live', 'push', '--approval', approvalId, '--json');
    expect(pushed.code).toBe(0);
    expect(JSON.parse(pushed.out)).toMatchObject({ version: 1, answer: { result: 'accepted' } });
    for (let k = 0; k < 200 && bot.runner.state.active === null; k++)
      await new Promise((r) => setTimeout(r, 10));

    const second = await run('live', 'approve', ...set('5'), '--note', 'second', '--confirm', 'x');
    const hash8b = /type ([0-9a-f]{8})/.exec(second.err)![1];
    const approved = await run(
      'live',
      'approve',
      ...set('5'),
      '--note',
      'second',
      '--confirm',
      hash8b,
      '--json',
    );
    expect(approved.err).toContain('fast: 10 -> 5');
    const id2 = (JSON.parse(approved.out) as { approvalId: string }).approvalId;
    expect(
      (await run('live', 'push', '--approval', id2, '--ramp', '10,25,50,100', '--bars-per-step', '100000'))
        .out,
    ).toMatch(/^Version 2: accepted/);
    for (let k = 0; k < 200 && bot.runner.state.active?.version !== 2; k++)
      await new Promise((r) => setTimeout(r, 10));
    const status = await run('live', 'status', '--bot', url);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/active v2 .*\n.*\nramp ramping 10 %/);

    expect((await run('live', 'rollback', '--bot', url, '--reason', 'test')).out).toBe(
      'Rolled back: version 3 accepted\n',
    );
    expect((await run('live', 'halt', '--bot', url, '--mode', 'reduce-only', '--reason', 'test')).out).toBe(
      'Halted: reduce-only\n',
    );
    const verified = await run('live', 'audit', '--verify');
    expect(verified).toMatchObject({ code: 0, out: 'Audit chain intact: 12 entries\n' });
    const csv = await run('live', 'audit', '--format', 'csv');
    expect(csv.out.split('\r\n')[0]).toBe(
      'seq,at,kind,actor,bot,fromHash,toHash,version,reason,detail,prevHash,hash',
    );
    expect(csv.out + verified.out + status.out).not.toContain(SECRET);

    // The listing's times are in --tz, as every other command's; JSON keeps the instant.
    const entries = JSON.parse((await run('live', 'audit', '--json')).out) as { seq: number; at: number }[];
    for (const zone of ['Asia/Tokyo', 'UTC']) {
      const lines = (await run('live', 'audit', '--tz', zone)).out.trimEnd().split('\n');
      expect(lines[0]).toBe(`times in ${zone}`);
      expect(lines.slice(1).map((line) => line.split('  ').slice(0, 2))).toEqual(
        entries.map((e) => [String(e.seq), timeFormat(zone).dateTime(e.at)]),
      );
    }
  });

  it('a bot that is down is named with why it did not answer, and nothing is recorded', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    const origin = new URL(url).origin;
    const before = await run('live', 'audit', '--json');
    for (const argv of [
      ['live', 'status', '--bot', url],
      ['live', 'rollback', '--bot', url, '--reason', 'bot down'],
    ]) {
      const result = await run(...argv);
      expect(result.code).not.toBe(0);
      expect(result.err).toContain(
        `the bot at ${origin} did not answer: nothing listens there (connection refused)`,
      );
    }
    expect((await run('live', 'audit', '--json')).out).toBe(before.out);
  });

  it('status says in one sentence when the bot trades other hours than Settings name, or reports none', async () => {
    const heartbeat = { timeoutMs: 60_000, mode: 'no-new-entries' } as const;
    const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: 10, heartbeat });
    const extended = await startBotServer({
      runner,
      secret: SECRET,
      symbol: 'TEST',
      heartbeat,
      session: 'extended',
    });
    try {
      const differs = await run('live', 'status', '--bot', extended.url);
      expect(differs.code).toBe(0);
      expect(differs.out.trimEnd().split('\n').at(-1)).toBe(
        "The bot trades extended hours, Settings name regular: its candidates are read in the bot's extended hours.",
      );
      expect(JSON.parse((await run('live', 'status', '--bot', extended.url, '--json')).out)).toMatchObject({
        session: 'extended',
        deskSession: { session: 'extended', from: 'bot', settings: 'regular' },
      });
      // The same hours as Settings: nothing to say.
      const same = await run('live', 'status', '--bot', extended.url, '--session', 'extended');
      expect(same.out).not.toMatch(/hours|session/);
    } finally {
      await extended.close();
    }
    // The reference bot of this file reports none, as a bot written before the protocol had it.
    const older = await run('live', 'status', '--bot', bot.url, '--session', 'extended');
    expect(older.code).toBe(0);
    expect(older.out.trimEnd().split('\n').at(-1)).toBe(
      "The bot does not report its trading session: its candidates are read in Settings' session (extended hours).",
    );
  });

  it('policy set validates the whole policy, naming the field, and show reads the version back', async () => {
    const url = 'http://127.0.0.1:8799';
    const bad = await run(
      'live',
      'policy',
      'set',
      '--bot',
      url,
      '--bound',
      'fast=20..5',
      '--per-day',
      '2',
      '--reason',
      'x',
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('policy: bounds.fast.max: must not be below min');
    const noCap = await run('live', 'policy', 'set', '--bot', url, '--bound', 'fast=5..20', '--reason', 'x');
    expect(noCap.err).toMatch(/policy: maxChangesPerDay: .*number/);
    const malformed = await run(
      'live',
      'policy',
      'set',
      '--bot',
      url,
      '--bound',
      'fast=5-20',
      '--reason',
      'x',
    );
    expect(malformed.err).toContain('--bound expects name=min..max');
    expect((await run('live', 'policy', 'show', '--bot', url)).out).toContain('no policy (version 0)');

    const set = await run(
      'live',
      'policy',
      'set',
      '--bot',
      url,
      '--bound',
      'fast=5..20',
      '--step',
      'fast=3',
      '--bound',
      'slow=..60',
      '--per-day',
      '2',
      '--min-confidence',
      '0.7',
      '--reason',
      'nightly tuning',
    );
    expect(set.code).toBe(0);
    const shown = await run('live', 'policy', 'show', '--bot', url, '--json');
    expect(JSON.parse(shown.out)).toMatchObject({
      version: 1,
      setBy: 'ana',
      reason: 'manual: nightly tuning',
      policy: {
        bounds: { fast: { min: 5, max: 20, maxStep: 3 }, slow: { max: 60 } },
        maxChangesPerDay: 2,
        minConfidence: 0.7,
      },
    });
    const text = (await run('live', 'policy', 'show', '--bot', url)).out;
    expect(text).toContain('fast: [5, 20], step at most 3');
    expect(text).toContain("a learner's set whose skill is not measured waits for a person");
    // When it was set, in --tz.
    const { setAt } = JSON.parse(shown.out) as { setAt: number };
    expect((await run('live', 'policy', 'show', '--bot', url, '--tz', 'Asia/Tokyo')).out).toContain(
      `set by ana at ${timeFormat('Asia/Tokyo').dateTime(setAt)} Asia/Tokyo (manual: nightly tuning)`,
    );
    // Approving a learner's unmeasured sets is an explicit flag, recorded as the policy's next version.
    const laxer = await run(
      'live',
      'policy',
      'set',
      '--bot',
      url,
      '--bound',
      'fast=5..20',
      '--per-day',
      '2',
      '--approve-unmeasured-skill',
      '--reason',
      'the learner is trusted on confidence',
    );
    expect(laxer.out).toContain(
      "approves a learner's set whose skill is not measured (on confidence alone): approveUnmeasuredSkill",
    );
    expect(JSON.parse((await run('live', 'policy', 'show', '--bot', url, '--json')).out)).toMatchObject({
      version: 2,
      policy: { approveUnmeasuredSkill: true },
    });
  });

  it('verify-provenance takes a set file or a recorded hash, and refuses what it cannot re-run in words', async () => {
    expect((await run('live', 'verify-provenance', 'nothing-here')).err).toContain(
      'nothing-here is neither a file nor a set hash',
    );
    expect((await run('live', 'verify-provenance', 'abcdef0123')).err).toContain(
      'no set abcdef0123 in the audit trail',
    );
    const hash = JSON.parse((await run('live', 'audit', '--format', 'json')).out).find(
      (e: { kind: string }) => e.kind === 'proposal',
    ).toHash as string;
    const manual = await run('live', 'verify-provenance', hash.slice(0, 10));
    expect(manual.code).toBe(2);
    expect(manual.err).toContain("the set's provenance is manual: only a study trial's set can be re-run");
  });
});
