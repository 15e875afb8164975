/**
 * Remote compute over Redis on loopback (figures printed, never asserted): Debian's redis-server and
 * `regimen worker` processes started here, against this machine's Piscina pool measured in the same run.
 * 1. Queue overhead per job for chunks of 1, 8 and 32 no-op trials (buy-and-hold on 3 bars).
 * 2. Efficiency (remote trials/s over local trials/s, same slots): a confluence study on 100,000 bars,
 *    and ~10 ms trials (sma-cross on as many bars as take 10 ms here).
 * 3. Scaling with 1, 2 and 4 worker processes, with Redis's own CPU use.
 * Run: npm run bench -- distributed. On several machines: start `regimen worker --redis URL` on each and
 * point REGIMEN_BENCH_REDIS at that Redis; section 3 then reports the workers it finds instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { sliceBars, toSharedBars, type Bars } from '../src/core/data/bars.ts';
import { createSyntheticMarket } from '../src/core/data/synthetic.ts';
import { runStudy, strategySpace, Study, type StudyConfig } from '../src/core/optimize/index.ts';
import { getStrategy } from '../src/core/strategy/index.ts';
import { datasetFingerprint } from '../src/main/compute/fingerprint.ts';
import { ComputePool } from '../src/main/compute/pool.ts';
import { TaskRunner } from '../src/main/compute/tasks.ts';
import { RemoteCompute } from '../src/main/services/compute/queueEvaluator.ts';
import {
  PoolEvaluator,
  type Evaluator,
  type EvaluatorSettings,
} from '../src/main/services/optimize/evaluator.ts';
import { chunkSize, concurrencyFor } from '../src/main/services/optimize/studyExecution.ts';
import { oneSliceData, type StudyDatasets } from '../src/main/services/optimize/studySetup.ts';
import { startRedis, redisMissing, type TestRedis } from '../test/support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../test/support/remoteWorkers.ts';
import { studyStrategyRef } from '../src/main/services/backtest/strategyCatalog.ts';

const log = (line: string): void => console.log(line);

function datasets(bars: Bars): StudyDatasets {
  const shared = toSharedBars(bars);
  return oneSliceData('bench', '1m', { id: datasetFingerprint(shared), bars: shared });
}

const settings = (strategy: string): EvaluatorSettings => ({
  strategy: studyStrategyRef(strategy),
  options: { cash: 10_000, commission: { kind: 'percent', rate: 0.001 } },
  objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
  aggregation: 'mean',
});

function studyOf(strategy: string, trials: number, seed: number): Study {
  const config: StudyConfig = {
    space: strategySpace(getStrategy(strategy)),
    sampler: { kind: 'random' },
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    seed,
    minTrades: 0,
    maxTrials: trials,
  };
  return new Study(config);
}

interface StudyRun {
  readonly rate: number;
  /** Complete trials and the best score: equal between local and remote when both compute alike. */
  readonly complete: number;
  readonly best: number;
}

/** A random study run on `evaluator` the way the app runs it. */
async function runOn(
  evaluator: Evaluator,
  strategy: string,
  trials: number,
  seed: number,
): Promise<StudyRun> {
  const study = studyOf(strategy, trials, seed);
  const started = performance.now();
  await runStudy(study, {
    evaluate: (batch) => evaluator.evaluateTrials(batch),
    batchSize: evaluator.chunkSize ?? chunkSize(study, evaluator.threads),
    concurrency: concurrencyFor(study, evaluator.threads),
  });
  const rate = trials / ((performance.now() - started) / 1000);
  const best = study.best();
  return {
    rate,
    complete: study.trials.filter((t) => t.status === 'complete').length,
    best: best === undefined ? NaN : study.score(best),
  };
}

/** The 1-, 5- and 15-minute load averages: on a shared machine they say what a figure is worth. */
function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join('/');
}

interface Measured extends StudyRun {
  /** CPU seconds used meanwhile by the processes measured (this one, or the workers and their sandboxes). */
  readonly cpu: number;
}

/** `run`, with the CPU the listed processes (and this one, the coordinator) used meanwhile. */
async function measured(pids: readonly number[], run: () => Promise<StudyRun>): Promise<Measured> {
  const others = pids.filter((pid) => pid !== process.pid);
  const cpuOf = (): number =>
    others.reduce((sum, pid) => sum + (existsSync(`/proc/${pid}/stat`) ? cpuSeconds(pid) : 0), 0) +
    (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const before = cpuOf();
  const result = await run();
  return { ...result, cpu: cpuOf() - before };
}

/** The worker processes and their sandbox children. */
function treePids(workers: readonly WorkerProcess[]): number[] {
  return workers.flatMap((w) => [w.child.pid!, ...w.sandboxPids()]);
}

function summary(runs: readonly Measured[], trials: number): { rate: number; spread: string; cpuMs: number } {
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rates = runs.map((r) => r.rate);
  return {
    rate: median([...rates]),
    spread: `${Math.min(...rates).toFixed(1)}-${Math.max(...rates).toFixed(1)}`,
    cpuMs: median(runs.map((r) => (1000 * r.cpu) / trials)),
  };
}

/** CPU seconds a process has used so far (utime + stime from /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function workersUp(redis: TestRedis, n: number, have: WorkerProcess[]): Promise<void> {
  while (have.length < n) have.push(startWorker(redis.url));
  while (have.length > n) await have.pop()!.stop();
  await Promise.all(have.map((w) => w.ready));
  // Heartbeats announce the workers; wait until the coordinator can see as many as run.
  const remote = await RemoteCompute.connect({ redisUrl: redis.url });
  try {
    for (let i = 0; i < 100 && (await remote.workers()).length !== n; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await remote.close();
  }
}

export async function runDistributedBench(): Promise<void> {
  const missing = redisMissing();
  if (missing !== null) {
    log(`skipped: ${missing}`);
    return;
  }
  const slots = Math.min(2, availableParallelism());
  log(
    `machine: ${availableParallelism()} cores; local pool and remote workers both get ${slots} slots; load ${load()}`,
  );
  const redis = await startRedis();
  const workers: WorkerProcess[] = [];
  const pool = new ComputePool(slots);
  try {
    await workersUp(redis, slots, workers);
    const remote = await RemoteCompute.connect({ redisUrl: redis.url });

    // 1. Queue overhead: jobs of no-op trials, two in flight per slot as the runner keeps them.
    const tiny = datasets(
      sliceBars(
        createSyntheticMarket({ seed: 1, start: Date.UTC(2024, 0, 2), end: Date.UTC(2024, 0, 3) }).generate(0)
          .bars,
        0,
        3,
      ),
    );
    log('queue overhead (no-op trials: buy-and-hold on 3 bars)');
    for (const size of [1, 8, 32]) {
      const evaluator = await remote.evaluators(
        tiny,
        settings('buy-and-hold'),
        `overhead-${size}-${Date.now()}`,
      );
      const jobs = size === 32 ? 40 : 120;
      const run = async (first: number): Promise<void> => {
        const trials = Array.from({ length: size }, (_, i) => ({ number: first + i, params: {}, seed: 0 }));
        await evaluator.evaluateTrials(trials);
      };
      await run(1_000_000); // warm: sandboxes started, bars cached
      const started = performance.now();
      for (let j = 0; j < jobs; j += slots * 2)
        await Promise.all(
          Array.from({ length: Math.min(slots * 2, jobs - j) }, (_, k) => run((j + k) * size)),
        );
      const perJob = (performance.now() - started) / jobs;
      log(
        `  chunk of ${String(size).padStart(2)}: ${perJob.toFixed(2)} ms per job, ${(perJob / size).toFixed(3)} ms per trial (${jobs} jobs, ${slots * 2} in flight); load ${load()}`,
      );
      await evaluator.finished?.();
    }

    // 2. Efficiency against the local pool.
    const minutes = createSyntheticMarket({
      seed: 7,
      start: Date.UTC(2022, 0, 1),
      end: Date.UTC(2023, 6, 1),
    }).generate(0).bars;
    const big = datasets(sliceBars(minutes, 0, 100_000));
    const runner = new TaskRunner();
    const timeOne = (data: StudyDatasets, strategy: string, n: number): number => {
      const study = studyOf(strategy, n, 3);
      const batch = study.ask(n).map((t) => t.params as Record<string, number>);
      // CPU time, not wall time: on a loaded machine the wall clock sizes "10 ms" trials far too small.
      const before = process.cpuUsage();
      runner.run({
        kind: 'trials',
        dataset: data.datasets[0]!.ref,
        strategy: studyStrategyRef(strategy),
        paramSets: batch,
        options: settings(strategy).options,
      });
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000 / n;
    };
    timeOne(big, 'sma-cross', 5);
    const smaMs = timeOne(big, 'sma-cross', 20);
    const tenMsBars = Math.min(minutes.t.length, Math.max(1_000, Math.round((100_000 * 10) / smaMs)));
    const tenMs = datasets(sliceBars(minutes, 0, tenMsBars));
    const cases = [
      { name: 'confluence, 100,000 1-minute bars', data: big, strategy: 'confluence', trials: 96 },
      {
        name: `sma-cross, ${tenMsBars.toLocaleString('en')} bars`,
        data: tenMs,
        strategy: 'sma-cross',
        trials: 400,
      },
    ];
    log(
      'efficiency against the local Piscina pool (same study, same seed, random sampler; local and remote ' +
        'alternate, three runs each, medians; CPU = ms of CPU per trial over every process involved)',
    );
    for (const c of cases) {
      const perTrial = timeOne(c.data, c.strategy, 10);
      // Fresh threads and fresh sandboxes: both start with empty indicator caches (a sandbox keeps its
      // prepared datasets between studies, which would flatter the side that ran more before).
      await pool.close();
      await workersUp(redis, 0, workers);
      await workersUp(redis, slots, workers);
      // Equal work: the pool would also keep each trial's period returns for the study's statistics,
      // which the remote side computes later, for the top trials only.
      const local = new PoolEvaluator(pool, c.data, settings(c.strategy), { keepReturns: false });
      // A study key per run: results are kept per key, a second run under one key would read the first's.
      const queued = (tag: string): Promise<Evaluator> =>
        remote.evaluators(c.data, settings(c.strategy), `efficiency-${c.strategy}-${tag}-${Date.now()}`);
      await runOn(local, c.strategy, slots * 4, 99);
      await runOn(await queued('warm'), c.strategy, slots * 4, 99);
      const localRuns: Measured[] = [];
      const remoteRuns: Measured[] = [];
      // Alternating runs see the same machine: on a shared one its load moves between runs.
      for (let round = 0; round < 3; round++) {
        localRuns.push(await measured([process.pid], () => runOn(local, c.strategy, c.trials, 5 + round)));
        const evaluator = await queued(`run-${round}`);
        remoteRuns.push(
          await measured(treePids(workers), () => runOn(evaluator, c.strategy, c.trials, 5 + round)),
        );
        await evaluator.finished?.();
      }
      const l = summary(localRuns, c.trials);
      const r = summary(remoteRuns, c.trials);
      log(
        `  ${c.name} (${perTrial.toFixed(1)} ms of CPU a trial on one thread): local ${l.rate.toFixed(1)} trials/s ` +
          `(${l.spread}, CPU ${l.cpuMs.toFixed(1)} ms), remote ${r.rate.toFixed(1)} trials/s (${r.spread}, CPU ` +
          `${r.cpuMs.toFixed(1)} ms), efficiency ${(r.rate / l.rate).toFixed(2)}; load ${load()}`,
      );
      const same = localRuns.every(
        (run, i) => run.complete === remoteRuns[i]!.complete && run.best === remoteRuns[i]!.best,
      );
      if (!same)
        log('    local and remote runs differ in complete trials or best score: they computed differently');
    }
    await remote.close();

    // 3. Scaling with worker processes (on this machine more processes than cores only contend).
    log('scaling with worker processes (1 sandbox each), confluence on 100,000 bars');
    let base = 0;
    for (const n of [1, 2, 4]) {
      // Fresh workers each time, for the same reason as above.
      await workersUp(redis, 0, workers);
      await workersUp(redis, n, workers);
      const scaled = await RemoteCompute.connect({ redisUrl: redis.url });
      await runOn(
        await scaled.evaluators(big, settings('confluence'), `scaling-warm-${n}-${Date.now()}`),
        'confluence',
        n * 2,
        98,
      );
      const evaluator = await scaled.evaluators(big, settings('confluence'), `scaling-${n}-${Date.now()}`);
      const redisBefore = cpuSeconds(redis.process().pid!);
      const started = performance.now();
      const { rate } = await runOn(evaluator, 'confluence', 48, 6);
      const wall = (performance.now() - started) / 1000;
      const redisCpu = cpuSeconds(redis.process().pid!) - redisBefore;
      if (n === 1) base = rate;
      log(
        `  ${n} worker(s): ${rate.toFixed(1)} trials/s (x${(rate / base).toFixed(2)}), Redis CPU ${redisCpu.toFixed(2)} s over ${wall.toFixed(1)} s (${((100 * redisCpu) / wall).toFixed(1)} %); load ${load()}`,
      );
      await evaluator.finished?.();
      await scaled.close();
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await pool.close();
    await redis.stop();
  }
}
