/**
 * A command on a cached symbol reads 1m bars unless --timeframe names others. On a symbol stored at 1d
 * alone the refusal named --timeframe, a flag the trader had not typed, without saying 1m was the default.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { runCli } from '../support/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-default-timeframe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a cached symbol read without --timeframe', () => {
  it('says that 1m was read by default when the symbol cannot give it; a typed --timeframe is refused as it was', async () => {
    const csv = join(dir, 'WAVE.csv');
    writeFileSync(csv, dailyWaveCsv());
    const d = ['--data-dir', dir];
    expect((await runCli(['data', 'import', csv, ...d])).code).toBe(0);
    const backtest = ['backtest', '--symbol', 'WAVE', '--strategy', 'sma-cross', ...d];
    const untyped = await runCli(backtest);
    expect(untyped.code).toBe(2);
    expect(untyped.stderr.split('\n')[0]).toBe(
      'regimen backtest: --timeframe: Symbol "WAVE" is stored as 1d only; 1m cannot be derived from it ' +
        '(without --timeframe, 1m bars are read)',
    );
    const typed = await runCli([...backtest, '--timeframe', '1m']);
    expect(typed.code).toBe(2);
    expect(typed.stderr.split('\n')[0]).toBe(
      'regimen backtest: --timeframe: Symbol "WAVE" is stored as 1d only; 1m cannot be derived from it',
    );
    expect((await runCli([...backtest, '--timeframe', '1d'])).code).toBe(0);
  });
});
