import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { captureIO } from '../../../../../test/support/captureIO.ts';
import { main } from '../../main.ts';

const SECRET = 'webhook-cli-secret-0123456789';
let dir: string;
let saved: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'regimen-cli-webhook-'));
  saved = process.env['REGIMEN_WEBHOOK_SECRET'];
});
afterEach(() => {
  if (saved === undefined) delete process.env['REGIMEN_WEBHOOK_SECRET'];
  else process.env['REGIMEN_WEBHOOK_SECRET'] = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['live', 'webhook', ...argv, '--data-dir', dir], io);
  return { code, out: io.stdout, err: io.stderr };
}

it('sets, shows and clears the alarm webhook; refuses plain http elsewhere; never prints the secret', async () => {
  process.env['REGIMEN_WEBHOOK_SECRET'] = SECRET;
  const bad = await run('set', '--url', 'http://hooks.example.com/x');
  expect(bad.code).not.toBe(0);
  expect(bad.err).toContain('must be https://');
  const set = await run('set', '--url', 'https://hooks.example.com/regimen');
  expect(set.code).toBe(0);
  const shown = await run('show');
  expect(shown.out).toContain('alarm webhook: https://hooks.example.com/regimen (signing secret set');
  expect(set.out + shown.out + (await run('show', '--json')).out).not.toContain(SECRET);
  expect((await run('clear')).out).toContain('no alarm webhook');
  expect((await run('show')).out).toContain('no alarm webhook');
});
