/**
 * A user strategy file in the data folder runs through the services exactly as a built-in does: a
 * backtest, a study and a walk-forward, and trials on the pool's worker threads; a broken file beside it
 * is reported (strategies:problems) and harms nothing.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import { defaultParams, getStrategy, strategyRef } from '../../src/core/strategy/index.ts';
import type { BacktestOutput, TrialsOutput } from '../../src/main/compute/tasks.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { Services } from '../../src/main/services/services.ts';
import type { BacktestResult } from '../../src/shared/backtestContract.ts';
import type { StudyDetail, WalkForwardResult } from '../../src/shared/optimizeContract.ts';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';
import { tempDir } from '../marketdata/helpers.ts';
import { testServices } from '../support/serviceHost.ts';

const EXAMPLE = new URL('../../examples/strategies/rsi-reversion.ts', import.meta.url).pathname;
const START = Date.UTC(2024, 0, 2);
const END = Date.UTC(2024, 1, 1);
const bars = createSyntheticMarket({
  seed: 7,
  start: START,
  end: END,
  symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === 'SYNX'),
}).generate(0).bars;

describe('a user strategy file through the services', () => {
  const dir = tempDir('regimen-user-strategy-services-');
  let services: Services;
  const request = (channel: string, input: unknown) => dispatch(services.handlers, channel, input);

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'strategies'));
    copyFileSync(EXAMPLE, join(dir.path, 'strategies', 'rsi-reversion.ts'));
    writeFileSync(
      join(dir.path, 'strategies', 'broken.ts'),
      'export default {\n  name: "broken",\n  params: [\n',
    );
    // Valid, but its onBar calls `fail`, which throws on line 5, once the RSI exists.
    writeFileSync(
      join(dir.path, 'strategies', 'late.ts'),
      [
        '// line 1',
        '// line 2',
        '// line 3',
        'const fail = (): never => {',
        "  throw new Error('no data feed');",
        '};',
        readFileSync(EXAMPLE, 'utf8')
          .replace("name: 'rsi-reversion'", "name: 'late'")
          .replace('if (Number.isNaN(rsi)) return;', 'if (Number.isNaN(rsi)) return;\n    fail();'),
      ].join('\n'),
    );
    services = await testServices(dir.path);
    await services.bars.write('SYNX', '1m', bars, 'test');
  });
  afterAll(async () => {
    await services.close();
    dir.remove();
  });

  it('lists it beside the built-ins, and the broken file with its line', async () => {
    const list = (await request('strategies:list', {})) as { name: string; file?: string }[];
    expect(list.find((s) => s.name === 'rsi-reversion')?.file).toBe('strategies/rsi-reversion.ts');
    expect(list.map((s) => s.name)).toContain('sma-cross');
    expect(await request('strategies:problems', {})).toEqual([
      {
        file: 'strategies/broken.ts',
        line: 4,
        column: 1,
        message: expect.stringMatching(/^does not compile: /),
      },
    ]);
  });

  it('backtests on the pool, trading as the engine does without costs', async () => {
    const params = defaultParams(getStrategy('rsi-reversion'));
    const result = (await request('backtest:run', {
      symbol: 'SYNX',
      timeframe: '1m',
      strategy: 'rsi-reversion',
      params,
      cash: 10_000,
    })) as BacktestResult;
    const bare = (await services.pool.run({
      kind: 'backtest',
      dataset: { id: 'bare', bars },
      strategy: strategyRef(getStrategy('rsi-reversion'), params),
      options: { cash: 10_000 },
    })) as BacktestOutput;
    // The services add the asset class's costs, which move prices but not the RSI's signals.
    expect(result.trades.length).toBeGreaterThan(10);
    expect(result.trades.map((t) => t.entryTime)).toEqual(bare.trades.map((t) => t.entryTime));
  });

  it("runs trials on the pool's worker threads", async () => {
    const output = (await services.pool.run({
      kind: 'trials',
      dataset: { id: 'pool', bars },
      strategy: strategyRef(getStrategy('rsi-reversion'), {}),
      paramSets: [14, 7].map((period) => ({ ...defaultParams(getStrategy('rsi-reversion')), period })),
      options: { cash: 10_000 },
    })) as TrialsOutput;
    expect(output.outcomes.map((o) => o.ok)).toEqual([true, true]);
  });

  it('a strategy that throws fails its backtest and its trials with the file and line, nothing else', async () => {
    await expect(
      request('backtest:run', {
        symbol: 'SYNX',
        timeframe: '1m',
        strategy: 'late',
        params: defaultParams(getStrategy('late')),
        cash: 10_000,
      }),
    ).rejects.toThrow('strategy late (strategies/late.ts:5): onBar at bar 15 threw: no data feed');
    const output = (await services.pool.run({
      kind: 'trials',
      dataset: { id: 'pool', bars },
      strategy: strategyRef(getStrategy('late'), {}),
      paramSets: [defaultParams(getStrategy('late'))],
      options: { cash: 10_000 },
    })) as TrialsOutput;
    expect(output.outcomes).toEqual([{ ok: false, error: expect.stringContaining('late.ts:5') }]);
  });

  it('is named by the CLI, which reports the broken file once and runs the command', async () => {
    const io = captureIO();
    const csv = join(dir.path, 'synx.csv');
    writeFileSync(
      csv,
      [
        'time,open,high,low,close,volume',
        ...Array.from(bars.t.slice(0, 3000), (t, i) =>
          [new Date(t).toISOString(), bars.o[i], bars.h[i], bars.l[i], bars.c[i], bars.v[i]].join(','),
        ),
      ].join('\n'),
    );
    const code = await main(
      ['backtest', '--csv', csv, '--strategy', 'rsi-reversion', '--data-dir', dir.path, '--json'],
      io,
    );
    expect(io.stderr).toMatch(
      /^regimen: strategy file left out: strategies\/broken\.ts:4:1: does not compile: /,
    );
    expect(code).toBe(0);
    expect((JSON.parse(io.stdout) as { strategy: string }).strategy).toBe('rsi-reversion');
  });

  it('optimises it in a study', async () => {
    const { studyId } = (await request('optimize:start', {
      strategy: 'rsi-reversion',
      data: { symbol: 'SYNX', timeframes: ['1m'] },
      sampler: 'random',
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 8,
      seed: 3,
      cash: 10_000,
    })) as { studyId: string };
    await expect
      .poll(async () => ((await request('optimize:get', { studyId })) as StudyDetail).summary.state, {
        timeout: 30_000,
      })
      .toBe('complete');
    const detail = (await request('optimize:get', { studyId })) as StudyDetail;
    expect(detail.trials).toHaveLength(8);
    expect(detail.trials.every((t) => t.status === 'complete')).toBe(true);
    expect(new Set(detail.trials.map((t) => t.params['period'])).size).toBeGreaterThan(1);
  });

  it('walks it forward', async () => {
    const result = (await request('walkforward:run', {
      strategy: 'rsi-reversion',
      data: { symbol: 'SYNX', timeframe: '1m' },
      windows: { unit: 'bars', train: 3000, test: 1000, step: 1000 },
      sampler: 'random',
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 4,
      seed: 3,
      cash: 10_000,
    })) as WalkForwardResult;
    expect(result.windows.length).toBeGreaterThanOrEqual(3);
    for (const window of result.windows) expect(window.params['period']).toBeGreaterThanOrEqual(2);
  });
});
