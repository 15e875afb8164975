import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureIO as capture } from '../../../test/support/captureIO.ts';
import { main } from './main.ts';

describe('regimen CLI', () => {
  it('lists its commands with --help and exits 0', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/Usage: regimen <command>/);
    for (const name of ['demo', 'serve', 'backtest']) expect(io.stdout).toContain(`  ${name}`);
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

  it('runs from a fresh clone through the bin script without a build', () => {
    const bin = fileURLToPath(new URL('../../../bin/regimen.js', import.meta.url));
    const output = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(output).toContain('Usage: regimen <command>');
  });
});
