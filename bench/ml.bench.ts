/**
 * Learner figures (issue 12): the cost of one `learnOne` for the River-style models on the learner's own
 * features (about 45 per result), next to the standard scaler's in the same run; the learner's memory
 * after 100,000 ledger results; the drift figures on a planted shift and on a stationary stream; and the
 * delayed prequential figures on GOOG daily, SPY 1-minute and the demo market (SYNX 15m), whatever they
 * are. Run: `npm run bench -- ml`.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Bars } from '../src/core/data/bars.ts';
import { parseBarsCsv } from '../src/core/data/csv/read.ts';
import { resampleBars } from '../src/core/data/resample.ts';
import { createSyntheticMarket } from '../src/core/data/synthetic.ts';
import { createRng } from '../src/core/math/random.ts';
import type { Features } from '../src/core/ml/base.ts';
import { AdaptiveRandomForestRegressor } from '../src/core/ml/ensemble/adaptiveRandomForest.ts';
import { BayesianLinearRegression } from '../src/core/ml/linear/bayesianLinearRegression.ts';
import { LinearRegression } from '../src/core/ml/linear/linearRegression.ts';
import { windowPanel, type PanelWindow } from '../src/core/ml/learner/panel.ts';
import { ParameterLearner } from '../src/core/ml/learner/parameterLearner.ts';
import { plantedShiftErrors } from '../src/core/ml/learner/planted.test-util.ts';
import { evaluatePrequential } from '../src/core/ml/learner/prequential.ts';
import { GaussianNB } from '../src/core/ml/naiveBayes/gaussianNB.ts';
import { StandardScaler } from '../src/core/ml/preprocessing/standardScaler.ts';
import { parseSpace } from '../src/core/optimize/space.ts';
import { evaluationTable } from '../src/main/cli/commands/ml/learner.ts';
import { DEMO_MARKET } from '../src/main/services/demoMarket.ts';
import { LedgerRepository } from '../src/main/store/ledgerRepository.ts';
import { optimizeHarness, smaCrossDefinition } from '../test/support/studies.ts';
import { randomWalkBars } from '../src/core/engine/random-walk.ts';
import { SHARED_DATA_DIR } from '../test/support/sharedData.ts';
import { settingsBacktestTerms } from '../src/main/services/costs.ts';
import { DEFAULT_SETTINGS } from '../src/shared/settingsContract.ts';

const SPACE = parseSpace(['fast=2:50', 'slow=5:200'], ['fast<slow']);

const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/**
 * The panel of 50 random sets, each run at the cash and costs a backtest of the bars pays at the default
 * settings (the asset class's costs, judged from the bars' timestamps) and scored over their risk-free
 * rate, as `regimen learner evaluate` in a fresh data folder runs them.
 */
async function panelOf(
  bars: Bars,
  windowBars: number,
  timeframe: string,
  file: string,
): Promise<PanelWindow[]> {
  const terms = await settingsBacktestTerms({}, DEFAULT_SETTINGS, { kind: 'file', path: file }, null, bars.t);
  return windowPanel(bars, {
    strategy: 'sma-cross',
    space: SPACE,
    sets: 50,
    seed: 1,
    windowBars,
    timeframe,
    session: 'regular',
    backtest: terms.account,
    riskFreeRate: terms.riskFreeRate,
  });
}

function csvBars(name: string): Bars | null {
  try {
    return parseBarsCsv(readFileSync(`${SHARED_DATA_DIR}${name}`, 'utf8'), { source: name }).bars;
  } catch {
    return null;
  }
}

/** Mean microseconds per call of `learn` over the rows, after a warm-up pass of a fresh model. */
function perCall(
  rows: readonly { x: Features; y: number }[],
  learn: (x: Features, y: number) => void,
): number {
  const started = performance.now();
  for (const { x, y } of rows) learn(x, y);
  return ((performance.now() - started) * 1000) / rows.length;
}

function speed(log: (line: string) => void, rows: readonly { x: Features; y: number }[]): void {
  const scaled = (() => {
    const scaler = new StandardScaler();
    for (const { x } of rows) scaler.learnOne(x);
    return rows.map(({ x, y }) => ({ x: scaler.transformOne(x), y }));
  })();
  const label = (y: number): string => (y > 0 ? 'up' : 'down');
  const figures: [string, number, number | null][] = [];
  const scaler = new StandardScaler();
  figures.push(['StandardScaler.learnOne (baseline)', perCall(rows, (x) => scaler.learnOne(x)), null]);
  const linear = new LinearRegression({ learningRate: 0.001 });
  figures.push(['LinearRegression.learnOne', perCall(scaled, (x, y) => linear.learnOne(x, y)), 1000]);
  const blr = new BayesianLinearRegression();
  figures.push(['BayesianLinearRegression.learnOne', perCall(scaled, (x, y) => blr.learnOne(x, y)), 1000]);
  const bayes = new GaussianNB();
  figures.push(['GaussianNB.learnOne', perCall(scaled, (x, y) => bayes.learnOne(x, label(y))), 1000]);
  const forest = new AdaptiveRandomForestRegressor({ seed: 1 });
  const forestRows = scaled.slice(0, 3000);
  figures.push([
    'ARFRegressor.learnOne (10 trees)',
    perCall(forestRows, (x, y) => forest.learnOne(x, y)),
    5000,
  ]);
  const pipeline = new ParameterLearner({ seed: 1 });
  figures.push([
    'ParameterLearner.learn (linear: scaler, 2 models, NB, 1000-point memory, conformal, ADWIN)',
    perCall(rows, (x, y) => pipeline.learn(x, { score: y })),
    null,
  ]);
  const forestPipeline = new ParameterLearner({ seed: 1, model: 'forest' });
  figures.push([
    'ParameterLearner.learn (forest)',
    perCall(forestRows, (x, y) => forestPipeline.learn(x, { score: y })),
    null,
  ]);
  log(`learnOne on ${Object.keys(rows[0]!.x).length} features (GOOG panel results):`);
  for (const [name, us, goal] of figures)
    log(
      `  ${name.padEnd(92)} ${us.toFixed(1).padStart(8)} µs  ${goal === null ? '' : `< ${goal} µs: ${met(us < goal)}`}`,
    );
}

function memory(log: (line: string) => void, rows: readonly { x: Features; y: number }[]): void {
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const learner = new ParameterLearner({ seed: 1 });
  const rng = createRng(3);
  const started = performance.now();
  for (let i = 0; i < 100_000; i++) {
    const { x, y } = rows[rng.int(rows.length)]!;
    learner.learn(x, { score: y + 0.1 * rng.normal() });
  }
  const seconds = (performance.now() - started) / 1000;
  gc();
  const heap = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  const state = JSON.stringify(learner.toState()).length / 2 ** 20;
  log(
    `100,000 ledger results learned in ${seconds.toFixed(1)} s: learner heap ${heap.toFixed(1)} MB ` +
      `(goal < 50 MB: ${met(heap < 50)}), saved state ${state.toFixed(1)} MB of JSON, ${learner.resets} drift resets`,
  );
}

function drift(log: (line: string) => void): void {
  const recovery: number[] = [];
  for (let seed = 5; seed < 15; seed++) {
    const { errors } = plantedShiftErrors(seed, { driftReset: true, shiftAt: 3000, total: 4000 });
    const mean = (a: number, b: number): number => errors.slice(a, b).reduce((s, e) => s + e, 0) / (b - a);
    const pre = mean(2500, 3000);
    let k = 0;
    while (k < 1000 && mean(3000 + k, 3050 + k) > 1.2 * pre) k += 10;
    recovery.push(k + 50);
  }
  log(
    `planted abrupt shift: error back within 20 % of its pre-shift level after ${recovery.join(', ')} results ` +
      `(10 seeds; goal <= 200: ${met(recovery.every((k) => k <= 200))})`,
  );
  const rng = createRng(13);
  const learner = new ParameterLearner({ seed: 1, learningRate: 0.01 });
  for (let i = 0; i < 100_500; i++) {
    const x1 = rng.normal();
    const x2 = rng.normal();
    learner.learn({ x1, x2 }, { score: 1.5 * x1 - x2 + 0.3 * rng.normal() });
  }
  log(
    `stationary stream: ${learner.resets} resets over 100,500 results ` +
      `(goal: at most 1 per 10,000: ${met(learner.resets <= 10)})`,
  );
}

function prequential(log: (line: string) => void, name: string, panel: PanelWindow[]): void {
  const started = performance.now();
  const report = evaluatePrequential(panel);
  log(
    `\n${name}: ${report.windows} windows x 50 sets = ${report.predictions.toLocaleString('en-US')} predictions, ` +
      `evaluated in ${((performance.now() - started) / 1000).toFixed(1)} s (load ${loadavg()[0]!.toFixed(1)})`,
  );
  log(evaluationTable(report));
}

/**
 * The results-ledger hook's cost on a study: the same 1,000-trial sma-cross study (20,000 1-minute bars,
 * random sampler, one pool thread) without and with the hook, alternating three times so the load of a
 * shared machine falls on both alike; medians, with the load average beside each run. With the hook it
 * also gives the time until the ledger has stored and learned every trial (its queue drains once the
 * study has ended).
 */
async function hookCost(log: (line: string) => void): Promise<void> {
  const walk = randomWalkBars(20_000, 7, { volatility: 0.0008 });
  const runs: Record<'with' | 'without', { study: number; flushed: number; rows: number }[]> = {
    with: [],
    without: [],
  };
  for (let round = 0; round < 3; round++) {
    for (const withHook of [false, true]) {
      const harness = await optimizeHarness(1, undefined, withHook);
      try {
        await harness.bars.write('HOOK', '1m', walk, 'bench');
        const id = await harness.service.create({
          name: 'hook cost',
          definition: smaCrossDefinition({ kind: 'cache', symbol: 'HOOK' }, ['1m'], 1000),
          space: parseSpace(['fast=2:100', 'slow=5:300'], ['fast<slow']),
          sampler: { kind: 'random' },
          objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
          seed: 1,
          minTrades: 0,
        });
        const started = performance.now();
        await harness.service.resume(id);
        await harness.service.wait(id);
        const study = (performance.now() - started) / 1000;
        await harness.service.close();
        const flushed = (performance.now() - started) / 1000;
        const rows = withHook ? await new LedgerRepository(harness.db).count('trial') : 0;
        runs[withHook ? 'with' : 'without'].push({ study, flushed, rows });
        log(
          `  round ${round + 1} ${withHook ? 'with   ' : 'without'} the hook: study ${study.toFixed(2)} s` +
            (withHook ? `, ledger done ${flushed.toFixed(2)} s (${rows} rows)` : '') +
            ` (load ${loadavg()[0]!.toFixed(1)})`,
        );
      } finally {
        await harness.close();
      }
    }
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[1]!;
  const without = median(runs.without.map((r) => r.study));
  const hooked = median(runs.with.map((r) => r.study));
  log(
    `ledger hook on a 1,000-trial sma-cross study (20,000 1m bars, 1 thread), medians of 3: ` +
      `${without.toFixed(2)} s without, ${hooked.toFixed(2)} s with (${(100 * (hooked / without - 1)).toFixed(1)} %), ` +
      `${median(runs.with.map((r) => r.flushed)).toFixed(2)} s until the ledger had stored and learned every trial`,
  );
}

export async function runMlBench(): Promise<void> {
  const log = (line: string): void => console.log(line);
  const goog = csvBars('GOOG.csv');
  const spy = csvBars('SPY_1min.csv');
  if (goog === null) {
    log(`GOOG.csv is absent from ${SHARED_DATA_DIR}: the learner bench needs it`);
    return;
  }
  await hookCost(log);
  const googPanel = await panelOf(goog, 21, 'native', `${SHARED_DATA_DIR}GOOG.csv`);
  const rows = googPanel.flatMap((w) => w.rows.map((r) => ({ x: r.features, y: r.score })));
  speed(log, rows);
  memory(log, rows);
  drift(log);
  prequential(log, 'GOOG daily, 21-bar windows', googPanel);
  if (spy === null) log(`\nSPY_1min.csv is absent from ${SHARED_DATA_DIR}: skipped`);
  else
    prequential(
      log,
      'SPY 1-minute, regular sessions (390-bar windows from the open)',
      await panelOf(spy, 390, 'native', `${SHARED_DATA_DIR}SPY_1min.csv`),
    );
  const demo = createSyntheticMarket(DEMO_MARKET).generate(0);
  prequential(
    log,
    `demo market ${demo.symbol} 15m, regular sessions (26 bars from the open)`,
    await panelOf(resampleBars(demo.bars, '15m'), 26, '15m', demo.symbol),
  );
}
