/**
 * `regimen strategies`: what the app's strategy picker lists (strategies:list, strategies:problems), from
 * the CLI: the built-ins and the data folder's strategy files with their parameters and rules, a broken
 * file named with why it was left out, and --json the same answer as the requests give.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/services/dispatch.ts';
import { runCli } from '../support/runCli.ts';
import { tempDir } from '../marketdata/helpers.ts';
import { testServices } from '../support/serviceHost.ts';

const EXAMPLE = new URL('../../examples/strategies/rsi-reversion.ts', import.meta.url).pathname;

describe('regimen strategies', () => {
  const dir = tempDir('regimen-cli-strategies-');
  afterAll(() => dir.remove());

  it('lists the strategies as the picker does, with a broken file said on stderr', async () => {
    mkdirSync(join(dir.path, 'strategies'));
    copyFileSync(EXAMPLE, join(dir.path, 'strategies', 'rsi-reversion.ts'));
    writeFileSync(join(dir.path, 'strategies', 'broken.ts'), 'export default {\n  name: "broken",\n');
    const d = ['--data-dir', dir.path];

    const json = await runCli(['strategies', '--json', ...d]);
    expect(json.code, json.stderr).toBe(0);
    const listed = JSON.parse(json.stdout) as {
      strategies: { name: string; file?: string }[];
      problems: { file: string }[];
    };
    const services = await testServices(dir.path);
    try {
      expect(listed).toEqual({
        strategies: await dispatch(services.handlers, 'strategies:list', {}),
        problems: await dispatch(services.handlers, 'strategies:problems', {}),
      });
    } finally {
      await services.close();
    }
    expect(listed.strategies.map((s) => s.name)).toEqual(
      expect.arrayContaining(['sma-cross', 'buy-and-hold', 'rsi-reversion']),
    );
    expect(listed.problems.map((p) => p.file)).toEqual(['strategies/broken.ts']);

    // --reload reads the files again (the owner's, when one holds the folder): the same answer here.
    const reloaded = await runCli(['strategies', '--reload', '--json', ...d]);
    expect(JSON.parse(reloaded.stdout)).toEqual(listed);

    const text = await runCli(['strategies', ...d]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^sma-cross 1 \(built in\): /m);
    expect(text.stdout).toMatch(/^ {2}fast +int +10 +2\.\.200 step 1 +1\.\.10000 /m);
    expect(text.stdout).toContain('  rules: fast < slow');
    expect(text.stdout).toMatch(/^buy-and-hold 1 \(built in\): .*\n {2}no parameters$/m);
    expect(text.stdout).toMatch(/^rsi-reversion \S+ \(strategies\/rsi-reversion\.ts\): /m);
    expect(text.stderr).toContain('strategy file left out: strategies/broken.ts');
  }, 30_000);
});
