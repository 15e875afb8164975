/** `regimen data rename` and `data delete` (issue 10 item 5): every timeframe of the symbol, nothing else. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-delete-rename-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIO();
  const code = await main([...args, '--data-dir', join(dir, 'data')], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

function daysCsv(name: string): string {
  const rows = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < 10; i++) rows.push(`2024-01-${String(i + 2).padStart(2, '0')},10,11,9,10.5,100`);
  const path = join(dir, name);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

const symbols = async (): Promise<string[]> =>
  (JSON.parse((await cli(['data', 'list', '--json'])).stdout) as { symbol: string }[]).map((r) => r.symbol);

it('renames a symbol, refuses a name in use, deletes it, and says which symbol is unknown', async () => {
  expect((await cli(['data', 'import', daysCsv('aaa.csv'), '--symbol', 'AAA'])).code).toBe(0);
  expect((await cli(['data', 'import', daysCsv('bbb.csv'), '--symbol', 'BBB'])).code).toBe(0);
  const renamed = await cli(['data', 'rename', 'aaa', 'ccc']);
  expect(renamed.stdout).toBe('Renamed AAA to CCC (10 bars)\n');
  expect(await symbols()).toEqual(['BBB', 'CCC']);
  const taken = await cli(['data', 'rename', 'CCC', 'BBB']);
  expect(taken.code).not.toBe(0);
  expect(taken.stderr).toContain('"BBB" is already stored');
  expect(await symbols()).toEqual(['BBB', 'CCC']);
  const deleted = await cli(['data', 'delete', 'CCC']);
  expect(deleted.stdout).toBe('Deleted CCC: 10 bars of every timeframe\n');
  expect(await symbols()).toEqual(['BBB']);
  const unknown = await cli(['data', 'delete', 'CCC']);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('No bars stored for symbol "CCC"');
});
