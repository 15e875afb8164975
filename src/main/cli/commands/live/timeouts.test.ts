import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { captureIO as capture } from '../../../../../test/support/captureIO.ts';
import { randomWalkBars } from '../../../../core/engine/random-walk.ts';
import { BOT_PATHS } from '../../../../shared/botProtocol.ts';
import { startReferenceBot, type ReferenceBot } from '../../../livebot/referenceBot.ts';
import { startSilentBot, type SilentBot } from '../../../livebot/silentBot.test-util.ts';
import { botRegistryPath } from '../../../services/live/botRegistry.ts';
import { main } from '../../main.ts';

const SECRET = 'cli-timeout-secret-0123456789abcdef';
let dir = '';
let bot: ReferenceBot;
let silent: SilentBot;
const saved = process.env['REGIMEN_BOT_SECRET'];

beforeAll(async () => {
  process.env['REGIMEN_BOT_SECRET'] = SECRET;
  dir = mkdtempSync(join(tmpdir(), 'regimen-live-timeouts-'));
  bot = await startReferenceBot({
    bars: randomWalkBars(50_000, 3, { volatility: 0.004 }),
    symbol: 'TEST',
    speed: 30_000,
    secret: SECRET,
    heartbeat: { timeoutMs: 600_000, mode: 'no-new-entries' },
  });
  silent = await startSilentBot(bot.url);
});

afterAll(async () => {
  await silent.close();
  await bot.close();
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env['REGIMEN_BOT_SECRET'];
  else process.env['REGIMEN_BOT_SECRET'] = saved;
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main([...argv, '--data-dir', dir], io);
  return { code, out: io.stdout, err: io.stderr };
}

it('live timeouts set validates the bounds; a push to a bot that never answers fails within it, audited as unknown until `live status` reads the bot', async () => {
  expect((await run('live', 'timeouts', 'show')).out).toBe(
    "A bot's answer is awaited at most 10 s for a push, halt or resume and 5 s for a read\n",
  );
  const refused = await run('live', 'timeouts', 'set', '--push-seconds', '0', '--read-seconds', 'soon');
  expect(refused.code).toBe(2);
  expect(refused.err).toContain('timeouts: pushSeconds: must be at least 0.1 s; readSeconds: ');
  expect((await run('live', 'timeouts', 'set', '--push-seconds', '0.3', '--json')).out).toBe(
    `${JSON.stringify({ pushSeconds: 0.3, readSeconds: 5 }, null, 2)}\n`,
  );

  const url = silent.url;
  const set = ['--bot', url, '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30'];
  const hash8 = /type ([0-9a-f]{8})/.exec(
    (await run('live', 'approve', ...set, '--note', 'first', '--confirm', 'x', '--as', 'ana')).err,
  )![1];
  const approved = await run(
    'live',
    'approve',
    ...set,
    '--note',
    'first',
    '--confirm',
    hash8!,
    '--as',
    'ana',
    '--json',
  );
  const approvalId = (JSON.parse(approved.out) as { approvalId: string }).approvalId;

  silent.silence(BOT_PATHS.apply, 'hang');
  const started = performance.now();
  const pushed = await run('live', 'push', '--approval', approvalId, '--as', 'ana');
  const waited = performance.now() - started;
  expect(pushed.code).toBe(1);
  expect(pushed.err).toContain(
    `the bot at ${url} accepted the connection but did not answer within 0.3 s; whether it took version 1 is not known`,
  );
  expect(waited).toBeLessThan(300 + 3_000);
  type Entry = { kind: string; reason: string; detail: string };
  const acks = async () =>
    (JSON.parse((await run('live', 'audit', '--format', 'json')).out) as Entry[]).filter(
      (e) => e.kind === 'ack',
    );
  expect((await acks()).map((e) => JSON.parse(e.detail).result)).toEqual(['unknown']);

  silent.silence(BOT_PATHS.apply, 'answer');
  expect((await run('live', 'status', '--bot', url)).code).toBe(0);
  const settled = await acks();
  expect(settled.map((e) => JSON.parse(e.detail).result)).toEqual(['unknown', 'not-applied']);
  expect(settled[1]!.reason).toContain('its status shows it never took version 1');

  // A hand-edited registry out of bounds is refused naming the file and the field.
  writeFileSync(
    botRegistryPath(dir),
    JSON.stringify({ bots: [], botTimeouts: { pushSeconds: 500, readSeconds: 5 } }),
  );
  const broken = await run('live', 'status', '--bot', url);
  expect(broken.code).not.toBe(0);
  expect(broken.err).toContain(`${botRegistryPath(dir)}: botTimeouts.pushSeconds: must be at most 120 s`);
});

it('a halt the bot never answers fails within its bound, and `live status` says in one sentence that the bot did not halt', async () => {
  writeFileSync(
    botRegistryPath(dir),
    JSON.stringify({ bots: [], botTimeouts: { pushSeconds: 0.3, readSeconds: 5 } }),
  );
  const url = silent.url;
  silent.silence(BOT_PATHS.halt, 'hang');
  const halted = await run(
    'live',
    'halt',
    '--bot',
    url,
    '--mode',
    'flatten',
    '--reason',
    'news',
    '--as',
    'ana',
  );
  expect(halted.code).toBe(1);
  expect(halted.err).toContain(
    `the bot at ${url} accepted the connection but did not answer within 0.3 s; whether it halted (flatten) is not known until the desk next reads its status`,
  );
  silent.silence(BOT_PATHS.halt, 'answer');
  const status = await run('live', 'status', '--bot', url);
  expect(status.code).toBe(0);
  expect(status.out.trimEnd().split('\n').at(-1)).toBe(
    'Not halted: the bot did not answer the halt (flatten), and its status shows it did not take it (it is not halted); send it again.',
  );
  expect(JSON.parse((await run('live', 'status', '--bot', url, '--json')).out)).toMatchObject({
    halt: null,
    switchOutcome:
      'Not halted: the bot did not answer the halt (flatten), and its status shows it did not take it (it is not halted); send it again.',
  });
});
