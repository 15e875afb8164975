/**
 * Strategy files are run first on worker threads, never in main: a file that never returns or that ends
 * its thread is reported like one that does not compile or throws, and the services start regardless. A
 * reload reads the folder again: the next backtest gets the edited file, while work started on the old
 * version (a study's remaining trials) keeps running that version.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import {
  defaultParams,
  getStrategy,
  resolveStrategyDefinition,
  strategyRef,
} from '../../src/core/strategy/index.ts';
import type { BacktestOutput } from '../../src/main/compute/tasks.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { Services } from '../../src/main/services/services.ts';
import type { BacktestResult, StrategyInfo } from '../../src/shared/backtestContract.ts';
import type { EventPayload } from '../../src/shared/contract.ts';
import { tempDir } from '../marketdata/helpers.ts';
import { testServices } from '../support/serviceHost.ts';

const EXAMPLE = new URL('../../examples/strategies/rsi-reversion.ts', import.meta.url).pathname;
const bars = createSyntheticMarket({
  seed: 7,
  start: Date.UTC(2024, 0, 2),
  end: Date.UTC(2024, 1, 1),
  symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === 'SYNX'),
}).generate(0).bars;

/** The example edited: RSI period 9 by default, and it never sells short. */
const EDITED = readFileSync(EXAMPLE, 'utf8')
  .replace('default: 14,', 'default: 9,')
  .replace('rsi > this.overbought && !this.longOnly', 'rsi > this.overbought && false');

/** The generous limit the feature itself sets: a file still running its top level after it is broken. */
const LOAD_LIMIT_MS = 3_000;

describe('user strategy files load off the main thread and reload', () => {
  const dir = tempDir('regimen-user-strategy-reload-');
  const folder = join(dir.path, 'strategies');
  let services: Services;
  const changes: EventPayload<'strategies:changed'>[] = [];
  const request = (channel: string, input: unknown) => dispatch(services.handlers, channel, input);
  const backtest = async (strategy: string, params: Record<string, number>) =>
    (await request('backtest:run', {
      symbol: 'SYNX',
      timeframe: '1m',
      strategy,
      params,
      cash: 10_000,
    })) as BacktestResult;

  beforeAll(async () => {
    mkdirSync(folder);
    copyFileSync(EXAMPLE, join(folder, 'rsi-reversion.ts'));
    writeFileSync(join(folder, 'syntax.ts'), 'export default {\n  name: "syntax",\n  params: [\n');
    writeFileSync(join(folder, 'throws.ts'), "// a comment\nthrow new Error('no config');\n");
    writeFileSync(join(folder, 'hangs.ts'), 'while (true) {}\nexport default {};\n');
    writeFileSync(join(folder, 'exits.ts'), 'process.exit(3);\n');
    services = await testServices(dir.path, { strategyLoadTimeoutMs: LOAD_LIMIT_MS });
    services.events.subscribe((channel, payload) => {
      if (channel === 'strategies:changed') changes.push(payload as EventPayload<'strategies:changed'>);
    });
    await services.bars.write('SYNX', '1m', bars, 'test');
  });
  afterAll(async () => {
    await services.close();
    dir.remove();
  });

  it('starts with the good file listed and each broken one named with its reason; built-ins run', async () => {
    const list = (await request('strategies:list', {})) as StrategyInfo[];
    expect(list.filter((s) => s.file !== undefined).map((s) => s.name)).toEqual(['rsi-reversion']);
    expect(await request('strategies:problems', {})).toEqual([
      {
        file: 'strategies/exits.ts',
        message: expect.stringMatching(/^stopped its thread while loading: /),
      },
      {
        file: 'strategies/hangs.ts',
        message: `did not finish loading within ${LOAD_LIMIT_MS / 1000} s (does its top-level code loop forever?)`,
      },
      {
        file: 'strategies/syntax.ts',
        line: 4,
        column: 1,
        message: expect.stringMatching(/^does not compile: /),
      },
      { file: 'strategies/throws.ts', line: 2, message: 'threw while loading: no config' },
    ]);
    const builtIn = await backtest('sma-cross', defaultParams(getStrategy('sma-cross')));
    expect(builtIn.trades.length).toBeGreaterThan(0);
    const user = await backtest('rsi-reversion', defaultParams(getStrategy('rsi-reversion')));
    expect(user.trades.some((t) => t.size < 0)).toBe(true);
    // The report's chart comes from a worker's instance: the built-in's lines, and the first bar the
    // user's strategy trades (its init says period + 1).
    expect(builtIn.indicators.plots.length).toBeGreaterThan(0);
    expect(user.range?.tradingFrom).toBe(bars.t[15]);
  });

  it('a reload gives the edited file to the next backtest; work started on the old version keeps it', async () => {
    const params = { ...defaultParams(getStrategy('rsi-reversion')), period: 14 };
    const before = getStrategy('rsi-reversion');
    const oldRef = strategyRef(before, params);
    const oldRun = (await services.pool.run({
      kind: 'backtest',
      dataset: { id: 'synx', bars },
      strategy: oldRef,
      options: { cash: 10_000 },
    })) as BacktestOutput;

    writeFileSync(join(folder, 'rsi-reversion.ts'), EDITED);
    writeFileSync(
      join(folder, 'syntax.ts'),
      readFileSync(EXAMPLE, 'utf8').replace("'rsi-reversion'", "'fixed'"),
    );
    const state = (await request('strategies:reload', {})) as EventPayload<'strategies:changed'>;

    expect(changes).toEqual([state]);
    const edited = state.strategies.find((s) => s.name === 'rsi-reversion')!;
    expect(edited.version).not.toBe(before.version);
    expect(edited.params.find((p) => p.name === 'period')?.default).toBe(9);
    expect(state.strategies.find((s) => s.name === 'fixed')?.file).toBe('strategies/syntax.ts');
    expect(state.problems.map((p) => p.file)).toEqual([
      'strategies/exits.ts',
      'strategies/hangs.ts',
      'strategies/throws.ts',
    ]);

    const after = await backtest('rsi-reversion', params);
    expect(after.trades.length).toBeGreaterThan(0);
    expect(after.trades.some((t) => t.size < 0)).toBe(false);

    // A study started before the reload names the old version: main still resolves it, and a task for it
    // runs the old code on the workers, trade for trade.
    expect(resolveStrategyDefinition(oldRef).version).toBe(before.version);
    const kept = (await services.pool.run({
      kind: 'backtest',
      dataset: { id: 'synx', bars },
      strategy: oldRef,
      options: { cash: 10_000 },
    })) as BacktestOutput;
    expect(kept.trades).toEqual(oldRun.trades);
    expect(kept.trades.some((t) => t.size < 0)).toBe(true);
  });
});
