import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { captureIO as capture } from '../../../test/support/captureIO.ts';
import { main } from './main.ts';

// Records which command modules were imported (they pull in DuckDB, the Alpaca client, the pool).
const loaded = vi.hoisted(() => new Set<string>());
vi.mock('./commands/data/data.ts', async (importOriginal) => {
  loaded.add('data');
  return importOriginal();
});
vi.mock('./commands/optimize/optimize.ts', async (importOriginal) => {
  loaded.add('optimize');
  return importOriginal();
});

describe('regimen CLI', () => {
  it('lists its commands with --help and exits 0', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/Usage: regimen <command>/);
    for (const name of ['demo', 'serve', 'backtest']) expect(io.stdout).toContain(`  ${name}`);
  });

  it('imports a command module only when that command runs', async () => {
    expect(await main(['--help'], capture())).toBe(0);
    expect(await main(['frobnicate'], capture())).toBe(2);
    expect([...loaded]).toEqual([]);
    const io = capture();
    expect(await main(['data', 'list', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('Usage: regimen data list');
    expect([...loaded]).toEqual(['data']);
  });

  it('refuses an unknown command with one line and the usage, exit 2', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.stderr.split('\n')[0]).toBe('regimen: unknown command "frobnicate"');
    expect(io.stderr).toContain('Usage: regimen <command>');
  });

  it('refuses an unknown option with one line naming it and the command usage, exit 2', async () => {
    const io = capture();
    expect(await main(['serve', '--prot', '80'], io)).toBe(2);
    const [first, ...rest] = io.stderr.split('\n');
    expect(first).toMatch(/^regimen serve: .*--prot/);
    expect(rest.join('\n')).toContain('Usage: regimen serve');
  });

  it('refuses a value flag given twice before running, naming it and its values; a boolean twice is taken', async () => {
    const io = capture();
    expect(
      await main(['backtest', '--symbol', 'AAA', '--strategy', 'sma-cross', '--symbol', 'BBB'], io),
    ).toBe(2);
    const [first, ...rest] = io.stderr.split('\n');
    expect(first).toBe('regimen backtest: --symbol was given 2 times (AAA, BBB): give it once');
    expect(rest.join('\n')).toContain('Usage: regimen backtest');
    expect(io.stdout).toBe('');
    const help = capture();
    expect(await main(['backtest', '--help', '--help'], help)).toBe(0);
    expect(help.stdout).toContain('Usage: regimen backtest');
  });

  it('runs from a fresh clone through the bin script without a build', () => {
    const bin = fileURLToPath(new URL('../../../bin/regimen.js', import.meta.url));
    const output = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(output).toContain('Usage: regimen <command>');
  });

  // Without a Secret Service (this machine's case unless a test session bus is set up) the keychain
  // throws AccessDenied; the command must still say how to give keys.
  it('data fetch without keys says how to give them, not a keychain error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-cli-keys-'));
    vi.stubEnv('APCA_API_KEY_ID', undefined);
    vi.stubEnv('APCA_API_SECRET_KEY', undefined);
    try {
      const io = capture();
      const code = await main(
        [
          'data',
          'fetch',
          '--symbols',
          'AAPL',
          '--start',
          '2024-01-02',
          '--end',
          '2024-01-05',
          '--data-dir',
          dir,
        ],
        io,
      );
      expect(code).not.toBe(0);
      expect(io.stderr).toMatch(/No Alpaca API keys: .*APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
      expect(io.stderr).not.toMatch(/AccessDenied|platform storage/);
    } finally {
      vi.unstubAllEnvs();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
