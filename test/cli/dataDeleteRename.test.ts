/** `regimen data rename` and `data delete` (issue 10 item 5): every timeframe of the symbol, nothing else. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-delete-rename-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dataDir = ['--data-dir', join(dir, 'data')];

function daysCsv(name: string): string {
  const rows = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < 10; i++) rows.push(`2024-01-${String(i + 2).padStart(2, '0')},10,11,9,10.5,100`);
  const path = join(dir, name);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

const symbols = async (): Promise<string[]> =>
  (JSON.parse((await runCli(['data', 'list', '--json', ...dataDir])).stdout) as { symbol: string }[]).map(
    (r) => r.symbol,
  );

it('renames a symbol, refuses a name in use, deletes it, and says which symbol is unknown', async () => {
  expect((await runCli(['data', 'import', daysCsv('aaa.csv'), '--symbol', 'AAA', ...dataDir])).code).toBe(0);
  expect((await runCli(['data', 'import', daysCsv('bbb.csv'), '--symbol', 'BBB', ...dataDir])).code).toBe(0);
  const renamed = await runCli(['data', 'rename', 'aaa', 'ccc', ...dataDir]);
  expect(renamed.stdout).toBe('Renamed AAA to CCC (10 bars)\n');
  expect(await symbols()).toEqual(['BBB', 'CCC']);
  const taken = await runCli(['data', 'rename', 'CCC', 'BBB', ...dataDir]);
  expect(taken.code).not.toBe(0);
  // The new name is an argument of the command, not a flag: the refusal names no --to.
  expect(taken.stderr.split('\n')[0]).toBe(
    'regimen data rename: "BBB" is already stored: delete it first or choose another name',
  );
  expect(await symbols()).toEqual(['BBB', 'CCC']);
  const deleted = await runCli(['data', 'delete', 'CCC', ...dataDir]);
  expect(deleted.stdout).toBe('Deleted CCC: 10 bars of every timeframe\n');
  expect(await symbols()).toEqual(['BBB']);
  const unknown = await runCli(['data', 'delete', 'CCC', ...dataDir]);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr.split('\n')[0]).toBe('regimen data delete: No bars stored for symbol "CCC"');
});

// The table named each row's source (a file imported, the demo, Alpaca); --json left it out.
it('data list --json carries each row its source, as the table does', async () => {
  const d = ['--data-dir', join(dir, 'listed')];
  expect((await runCli(['data', 'import', daysCsv('ddd.csv'), '--symbol', 'DDD', ...d])).code).toBe(0);
  const listed = JSON.parse((await runCli(['data', 'list', '--json', ...d])).stdout) as object[];
  expect(listed).toEqual([
    expect.objectContaining({ symbol: 'DDD', timeframe: '1d', source: 'import:ddd.csv' }),
  ]);
  expect((await runCli(['data', 'list', ...d])).stdout).toContain('import:ddd.csv');
});
