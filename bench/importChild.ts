// Child process of import.bench.ts: services on a fresh data dir answer `app:info` every 10 ms, first
// with nothing else to do (the baseline), then while they import one file; prints its figures as one
// JSON line, the import's split by stage (reading and parsing on the pool into the staging file, DuckDB's
// load, the calendar after it). A process of its own, so its peak RSS (the OS high-water mark, worker
// threads included) is the import's and not the file generator's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ImportStage } from '../src/main/marketdata/importer.ts';
import { dispatch } from '../src/main/services/dispatch.ts';
import { createServices } from '../src/main/services/services.ts';
import { MemorySecretStore } from '../src/main/secrets/secretStore.ts';

/** How long app:info is asked before the import, for the latencies of an idle host. */
const BASELINE_MS = 3000;

export interface Latencies {
  p50: number;
  p99: number;
  max: number;
  /** Event-loop delay (5 ms resolution): p99 and max, ms. */
  loopP99: number;
  loopMax: number;
  probes: number;
}

/** One stage of the import (or the idle baseline): its time, latencies and memory peaks, MB. */
export interface StageFigures {
  stage: 'idle' | ImportStage;
  seconds: number;
  latencies: Latencies;
  peakRssMb: number;
  peakMainHeapMb: number;
  peakWorkerHeapMb: number;
  /** ArrayBuffers and other memory V8 is told of, main thread, at its peak. */
  peakExternalMb: number;
}

/** What the child prints: one JSON line. */
export interface ChildFigures {
  bars: number;
  elapsedS: number;
  baselineRssMb: number;
  peakRssMb: number;
  stages: StageFigures[];
}

const MB = 2 ** 20;
const [dataDir, file] = process.argv.slice(2);
const services = await createServices({
  dataDir: dataDir!,
  host: 'http',
  skipDemo: true,
  threads: 1,
  secrets: new MemorySecretStore(),
  env: {},
});

/** The figures of the stage under way, gathered by the probes and samplers below. */
class Stage {
  readonly started = performance.now();
  readonly latencies: number[] = [];
  readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });
  peakRss = 0;
  peakMainHeap = 0;
  peakWorkerHeap = 0;
  peakExternal = 0;

  constructor(readonly name: StageFigures['stage']) {
    this.loop.enable();
  }

  end(): StageFigures {
    this.loop.disable();
    const sorted = this.latencies.sort((a, b) => a - b);
    const at = (q: number): number =>
      sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
    return {
      stage: this.name,
      seconds: (performance.now() - this.started) / 1000,
      latencies: {
        p50: at(0.5),
        p99: at(0.99),
        max: sorted.at(-1) ?? NaN,
        loopP99: this.loop.percentile(99) / 1e6,
        loopMax: this.loop.max / 1e6,
        probes: sorted.length,
      },
      peakRssMb: this.peakRss / MB,
      peakMainHeapMb: this.peakMainHeap / MB,
      peakWorkerHeapMb: this.peakWorkerHeap / MB,
      peakExternalMb: this.peakExternal / MB,
    };
  }
}

const done: StageFigures[] = [];
let current = new Stage('idle');
function enter(name: StageFigures['stage']): void {
  done.push(current.end());
  current = new Stage(name);
}

/**
 * Asks app:info every 10 ms until `work` settles, samples memory every 20 ms (the worker's heap every
 * 200 ms: a pool task, queued between parts). Each probe's latency counts from when it was due: a late
 * timer is a request kept waiting too.
 */
async function probeDuring<T>(work: Promise<T>): Promise<T> {
  let running = true;
  const probing = (async () => {
    while (running) {
      const due = performance.now() + 10;
      await new Promise((resolve) => setTimeout(resolve, 10));
      await dispatch(services.handlers, 'app:info', {});
      current.latencies.push(performance.now() - due);
    }
  })();
  const memory = setInterval(() => {
    const now = process.memoryUsage();
    current.peakRss = Math.max(current.peakRss, now.rss);
    current.peakMainHeap = Math.max(current.peakMainHeap, now.heapUsed);
    current.peakExternal = Math.max(current.peakExternal, now.external);
  }, 20);
  const workerHeap = (async () => {
    while (running) {
      const stage = current;
      const { heapUsed } = await services.pool.run({ kind: 'memory' });
      stage.peakWorkerHeap = Math.max(stage.peakWorkerHeap, heapUsed);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  try {
    return await work;
  } finally {
    running = false;
    clearInterval(memory);
    await Promise.all([probing, workerHeap]);
  }
}

// A small import first, as an app that had imported anything before: the pool's worker is started and
// the import path loaded before the baseline.
const warmUp = join(dataDir!, '..', 'WARMUP_1d.csv');
writeFileSync(warmUp, 'timestamp,open,high,low,close,volume\n2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,1\n');
await dispatch(services.handlers, 'data:import', { path: warmUp });
await probeDuring(new Promise((resolve) => setTimeout(resolve, BASELINE_MS)));
const baselineRssMb = process.memoryUsage.rss() / MB;
const started = performance.now();
// What the data:import handler runs, told of each stage.
const result = await probeDuring(services.marketData.importFile(file!, { onStage: enter }));
const elapsedS = (performance.now() - started) / 1000;
done.push(current.end());
const figures: ChildFigures = {
  bars: result.bars,
  elapsedS,
  baselineRssMb,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  stages: done,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
await services.close();
