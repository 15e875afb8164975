/**
 * A command on cached symbols without --timeframe reads the finest timeframe the cache holds for them
 * (for several, the finest all of them hold) and says so. A fixed 1m default was refused for a symbol
 * stored at 1d alone, such as an imported GOOG.csv: `regimen backtest --symbol GOOG` failed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { runCli } from '../support/runCli.ts';
import { serve } from '../support/serveProcess.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-default-timeframe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const d = ['--data-dir', dir];

beforeAll(async () => {
  const csv = join(dir, 'WAVE.csv');
  writeFileSync(csv, dailyWaveCsv());
  expect((await runCli(['data', 'import', csv, ...d])).code).toBe(0);
  expect((await runCli(['data', 'import', csv, '--symbol', 'TWIN', ...d])).code).toBe(0);
});

describe('cached symbols read without --timeframe', () => {
  it('read the finest timeframe the symbol is stored as and say so; a typed --timeframe is refused as it was', async () => {
    const backtest = ['backtest', '--symbol', 'WAVE', '--strategy', 'sma-cross', ...d];
    const untyped = await runCli(backtest);
    expect(untyped.code, untyped.stderr).toBe(0);
    expect(untyped.stderr.split('\n')[0]).toBe('timeframe 1d: the finest cached for WAVE');
    expect(untyped.stdout).toContain('sma-cross on WAVE 1d');
    const typed = await runCli([...backtest, '--timeframe', '1m']);
    expect(typed.code).toBe(2);
    expect(typed.stderr.split('\n')[0]).toBe(
      'regimen backtest: --timeframe: Symbol "WAVE" is stored as 1d only; 1m cannot be derived from it',
    );
    const regimes = await runCli(['regimes', '--symbol', 'WAVE', '--detector', 'rules', ...d]);
    expect(regimes.code, regimes.stderr).toBe(0);
    expect(regimes.stderr).toContain('timeframe 1d: the finest cached for WAVE');
  });

  it('read the finest all of several symbols hold, and name a symbol not cached', async () => {
    const optimize = ['optimize', '--symbol', 'WAVE,TWIN', '--strategy', 'sma-cross', '--trials', '2'];
    const run = await runCli([...optimize, ...d]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('timeframe 1d: the finest cached for all of WAVE, TWIN');
    const none = await runCli(['walk-forward', '--symbol', 'WAVE,NONE', '--strategy', 'sma-cross', ...d]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--symbol: no bars of NONE are cached');
  });

  it("read it from the folder's owner when one runs, as the study then does", async () => {
    const cleanups: (() => unknown)[] = [];
    try {
      await serve(dir, cleanups);
      const run = await runCli([
        'optimize',
        '--symbol',
        'WAVE',
        '--strategy',
        'sma-cross',
        '--trials',
        '2',
        ...d,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('timeframe 1d: the finest cached for WAVE');
      expect(run.stderr).toContain('running in the Regimen server');
      expect(run.stdout).toContain('(sma-cross WAVE 1d): complete');
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  });
});
