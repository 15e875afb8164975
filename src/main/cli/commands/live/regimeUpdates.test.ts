import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { captureIO } from '../../../../../test/support/captureIO.ts';
import { BotRegistry, botRegistryPath } from '../../../services/live/botRegistry.ts';
import { main } from '../../main.ts';

const BOT = 'http://127.0.0.1:9999';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'regimen-cli-regime-updates-'));
  new BotRegistry(botRegistryPath(dir)).add({ name: 'paper', url: BOT, autoPause: false });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['live', 'regime-updates', ...argv, '--data-dir', dir], io);
  return { code, out: io.stdout, err: io.stderr };
}

it('sets and shows a bot regime updates, keeps what is not given, and refuses bad values naming the field', async () => {
  expect((await run('show', '--bot', BOT)).out).toContain(`${BOT}: regime updates off`);
  const on = await run('set', '--bot', `${BOT}/`, '--on', '--axis', 'trend', '--threshold', '0.3');
  expect(on.code).toBe(0);
  expect((await run('set', '--bot', BOT, '--on', '--min-dwell-hours', '48')).code).toBe(0);
  expect((await run('show', '--bot', BOT)).out).toContain(
    `${BOT}: regime updates on: rules detector, trend axis, confidence at least 0.3, 48 h between changes`,
  );
  const bad = await run('set', '--bot', BOT, '--on', '--threshold', '1.5');
  expect(bad.code).not.toBe(0);
  expect(bad.err).toMatch(/threshold.*must be in \[0, 1\]/);
  expect(new BotRegistry(botRegistryPath(dir)).regimeUpdates(BOT)).toMatchObject({ threshold: 0.3 });
  expect((await run('set', '--bot', 'http://elsewhere:1', '--off')).err).toContain('no such bot');
});
