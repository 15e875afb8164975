import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIO } from '../../../../../test/support/captureIO.ts';
import { randomWalkBars } from '../../../../core/engine/random-walk.ts';
import { loadBotStrategies } from '../../../livebot/botStrategies.ts';
import { startReferenceBot, type ReferenceBot } from '../../../livebot/referenceBot.ts';
import { main } from '../../main.ts';

const EXAMPLE = new URL('../../../../../examples/strategies/rsi-reversion.ts', import.meta.url).pathname;
const SECRET = 'cli-user-strategy-secret-41d0c7e2';
const saved = process.env['REGIMEN_BOT_SECRET'];
let dir = '';
let withIt: ReferenceBot;
let without: ReferenceBot;

beforeAll(async () => {
  process.env['REGIMEN_BOT_SECRET'] = SECRET;
  dir = mkdtempSync(join(tmpdir(), 'regimen-live-user-cli-'));
  mkdirSync(join(dir, 'strategies'));
  copyFileSync(EXAMPLE, join(dir, 'strategies', 'rsi-reversion.ts'));
  const { strategies } = await loadBotStrategies(join(dir, 'strategies'));
  const bot = (own: typeof strategies) =>
    startReferenceBot({
      bars: randomWalkBars(50_000, 2, { volatility: 0.004 }),
      strategies: own,
      symbol: 'TEST',
      speed: 30_000,
      secret: SECRET,
      heartbeat: { timeoutMs: 60_000, mode: 'no-new-entries' },
    });
  withIt = await bot(strategies);
  without = await bot({});
});

afterAll(async () => {
  await withIt?.close();
  await without?.close();
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env['REGIMEN_BOT_SECRET'];
  else process.env['REGIMEN_BOT_SECRET'] = saved;
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main([...argv, '--data-dir', dir], io);
  return { code, out: io.stdout, err: io.stderr };
}

/** Approves a set of the data folder's own strategy for `url` (the confirmation read off the refusal). */
async function approve(url: string): Promise<string> {
  const params = ['period=8', 'oversold=35', 'overbought=65', 'exit=50', 'stop_pct=1'];
  const set = ['--bot', url, '--strategy', 'rsi-reversion', ...params.flatMap((p) => ['--param', p])];
  set.push('--note', 'own');
  const hash8 = /type ([0-9a-f]{8})/.exec((await run('live', 'approve', ...set, '--as', 'ana')).err)![1]!;
  const approved = await run('live', 'approve', ...set, '--confirm', hash8, '--as', 'ana', '--json');
  expect(approved.code).toBe(0);
  return (JSON.parse(approved.out) as { approvalId: string }).approvalId;
}

describe("regimen live with the trader's own strategy", () => {
  it('approves and pushes it to a bot that runs the same file; a bot without it is refused before anything is sent', async () => {
    const hash = createHash('sha256').update(readFileSync(EXAMPLE, 'utf8')).digest('hex');
    const pushed = await run('live', 'push', '--approval', await approve(withIt.url), '--as', 'ana');
    expect(pushed.err).toBe('');
    expect(pushed.out).toMatch(/^Version 1: accepted/);
    for (let k = 0; k < 200 && withIt.runner.state.active === null; k++)
      await new Promise((r) => setTimeout(r, 10));
    expect(withIt.runner.state.active?.set.strategy.sourceHash).toBe(hash);
    const status = await run('live', 'status', '--bot', withIt.url);
    expect(status.out).toContain(`TEST rsi-reversion active v1`);
    expect(status.out).toContain(`rsi-reversion 1+${hash.slice(0, 8)} (source ${hash})`);

    const refused = await run('live', 'push', '--approval', await approve(without.url), '--as', 'ana');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      `bot ${without.url} lacks strategy rsi-reversion (source ${hash}): it runs confluence, sma-cross, buy-and-hold; nothing was sent`,
    );
    expect(without.runner.state.ledger.version).toBe(0);
  });
});
