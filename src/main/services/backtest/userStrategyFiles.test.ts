import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../../core/data/synthetic.ts';
import {
  getStrategy,
  resolveStrategyDefinition,
  STRATEGIES,
  strategyRef,
} from '../../../core/strategy/index.ts';
import { TaskRunner, type BacktestOutput } from '../../compute/tasks.ts';
import {
  ensureUserStrategy,
  evaluateUserStrategy,
  userStrategySource,
} from '../../compute/userStrategies.ts';
import { trialChunkSchema, COMPUTE_PROTOCOL_VERSION } from '../../../shared/computeProtocol.ts';
import { loadUserStrategies, STRATEGIES_FOLDER } from './userStrategyFiles.ts';

const EXAMPLE = new URL('../../../../examples/strategies/rsi-reversion.ts', import.meta.url).pathname;

/** A valid definition with one parameter whose onBar is `body` (a line of its own: errors name it). */
function strategyFile(name: string, body = ''): string {
  return [
    `import { OrderType, Sizing } from 'regimen';`,
    `export default {`,
    `  name: '${name}', version: '2', description: 'test', constraints: [],`,
    `  params: [{ name: 'n', type: 'int', min: 1, max: 9, limits: { min: 1, max: 9 }, step: 1, default: 3, description: 'n' }],`,
    `  create: (params: Record<string, number>) => ({`,
    `    orders: null as null | { submit(...a: number[]): number },`,
    `    init(context: { orders: { submit(...a: number[]): number } }) { this.orders = context.orders; return params.n; },`,
    `    onBar(i: number) {`,
    `      ${body}`,
    `      if (i % 10 === 0) this.orders!.submit(i % 20 === 0 ? 1 : -1, OrderType.Market, Sizing.EquityFraction, 1);`,
    `    },`,
    `    reparameterize() {},`,
    `  }),`,
    `};`,
  ].join('\n');
}

const FILES: Record<string, string> = {
  'a-syntax.ts': `export default {\n  name: 'x',\n  params: [,\n};\n`,
  'b-spec.ts': strategyFile('bad-spec').replace('default: 3', 'default: 30'),
  'c-load.ts': `const table = [1, 2];\n\nthrow new Error('no table ' + table.length);\n`,
  'd-shadow.ts': strategyFile('sma-cross'),
  'e-import.ts': `import fs from 'node:fs';\nexport default fs;\n`,
  'f-runtime.ts': strategyFile('throws-late', `if (i === 40) throw new Error('bar 40 is too many');`),
  'g-twice.ts': strategyFile('throws-late'),
  'notes.md': 'not a strategy',
};

/** A month of the demo market's minutes: enough RSI swings for trades and stops. */
const bars = () =>
  createSyntheticMarket({
    seed: 3,
    start: Date.UTC(2024, 0, 2),
    end: Date.UTC(2024, 1, 1),
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.slice(0, 1),
  }).generate(0).bars;

describe('user strategy files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-user-strategies-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, STRATEGIES_FOLDER));
  copyFileSync(EXAMPLE, join(dir, STRATEGIES_FOLDER, 'rsi-reversion.ts'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, STRATEGIES_FOLDER, name), text);

  it('loads the good files and names each broken one with its line and what is wrong', async () => {
    const { loaded, problems } = await loadUserStrategies(dir);
    expect(loaded.map((l) => l.name)).toEqual(['throws-late', 'rsi-reversion']);
    const byFile = Object.fromEntries(problems.map((p) => [p.file, p]));
    expect(Object.keys(byFile).sort()).toEqual(
      ['a-syntax', 'b-spec', 'c-load', 'd-shadow', 'e-import', 'g-twice'].map((f) => `strategies/${f}.ts`),
    );
    expect(byFile['strategies/a-syntax.ts']).toMatchObject({
      line: 4,
      column: 1,
      message: expect.stringMatching(/^does not compile: /),
    });
    expect(byFile['strategies/b-spec.ts']!.message).toBe('params.0.default: 30 is outside the limits [1, 9]');
    expect(byFile['strategies/c-load.ts']).toEqual({
      file: 'strategies/c-load.ts',
      line: 3,
      message: 'threw while loading: no table 2',
    });
    expect(byFile['strategies/d-shadow.ts']!.message).toMatch(/"sma-cross" is a built-in strategy's/);
    expect(byFile['strategies/e-import.ts']!.message).toMatch(
      /cannot import "node:fs": a strategy file may import only 'regimen'/,
    );
    expect(byFile['strategies/g-twice.ts']!.message).toMatch(/already strategies\/f-runtime\.ts's/);
    // Nothing broken reached the catalogue, and the built-in kept its name.
    expect(getStrategy('sma-cross')).toBe(STRATEGIES['sma-cross']);
    expect(() => getStrategy('bad-spec')).toThrow(/unknown strategy "bad-spec"/);
  });

  it('runs the example like a built-in, its version tied to the file content', async () => {
    await loadUserStrategies(dir);
    // This thread acts as a pool worker handed a task that names the strategy.
    ensureUserStrategy(userStrategySource('rsi-reversion')!);
    const definition = getStrategy('rsi-reversion');
    expect(definition.version).toMatch(/^1\+[0-9a-f]{8}$/);
    expect(() => resolveStrategyDefinition({ name: 'rsi-reversion', version: '1' })).toThrow(
      /version "1" requested/,
    );
    const run = new TaskRunner().run({
      kind: 'backtest',
      dataset: { id: 'synthetic', bars: bars() },
      strategy: strategyRef(definition, {
        period: 14,
        oversold: 30,
        overbought: 70,
        exit: 50,
        stop_pct: 0.1,
      }),
      options: { cash: 10_000 },
    }) as BacktestOutput;
    expect(run.trades.length).toBeGreaterThan(5);
    expect(run.trades.some((t) => t.exitReason === 'StopLoss')).toBe(true);
  });

  it('a strategy that throws mid-run fails its run with the file, the line and the bar', async () => {
    await loadUserStrategies(dir);
    ensureUserStrategy(userStrategySource('throws-late')!);
    const definition = getStrategy('throws-late');
    const run = () =>
      new TaskRunner().run({
        kind: 'backtest',
        dataset: { id: 'synthetic', bars: bars() },
        strategy: strategyRef(definition, { n: 3 }),
        options: { cash: 10_000 },
      });
    expect(run).toThrow(
      'strategy throws-late (strategies/f-runtime.ts:9): onBar at bar 40 threw: bar 40 is too many',
    );
  });

  it('refuses an export that is not a strategy, naming the field', () => {
    const source = {
      file: 'strategies/x.ts',
      code: 'module.exports.default = { name: "X" }',
      mappings: '',
      hash: '00000000',
    };
    expect(() => evaluateUserStrategy(source)).toThrow(/^name: must be lower-case letters/);
  });

  it('a remote chunk carries the compiled file', async () => {
    await loadUserStrategies(dir);
    const definition = getStrategy('rsi-reversion');
    const chunk = {
      version: COMPUTE_PROTOCOL_VERSION,
      studyKey: 's',
      datasets: ['0'.repeat(64)],
      strategy: strategyRef(definition, {}),
      options: {},
      trials: [{ number: 0, params: {} }],
      trialTimeLimitMs: 1000,
      userStrategy: { file: 'strategies/x.ts', code: 'x', mappings: '', hash: 'zz' },
    };
    expect(trialChunkSchema.safeParse(chunk).error?.issues[0]?.path).toEqual(['userStrategy', 'hash']);
  });
});
