// Child process of import.bench.ts: services on a fresh data dir answer `app:info` every 10 ms, first
// with nothing else to do (the baseline), then while they import one file through `data:import`; prints
// its figures as one JSON line. A process of its own, so its peak RSS (the OS high-water mark, worker
// threads included) is the import's and not the file generator's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dispatch } from '../src/main/services/dispatch.ts';
import { createServices } from '../src/main/services/services.ts';
import { MemorySecretStore } from '../src/main/secrets/secretStore.ts';

/** How long app:info is asked before the import, for the latencies of an idle host. */
const BASELINE_MS = 3000;

export interface Latencies {
  p50: number;
  p99: number;
  max: number;
  loopMax: number;
  probes: number;
}

/** What the child prints: one JSON line. */
export interface ChildFigures {
  bars: number;
  elapsedS: number;
  baselineRssMb: number;
  peakRssMb: number;
  heapAtPeakMb: number;
  baseline: Latencies;
  during: Latencies;
}

const [dataDir, file] = process.argv.slice(2);
const services = await createServices({
  dataDir: dataDir!,
  host: 'http',
  skipDemo: true,
  threads: 1,
  secrets: new MemorySecretStore(),
  env: {},
});

/**
 * Asks app:info every 10 ms until `work` settles. Each probe's latency counts from when it was due: a late
 * timer is a request kept waiting too.
 */
async function probeDuring<T>(work: Promise<T>): Promise<{ value: T; latencies: Latencies }> {
  const latencies: number[] = [];
  let running = true;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const probing = (async () => {
    while (running) {
      const due = performance.now() + 10;
      await new Promise((resolve) => setTimeout(resolve, 10));
      await dispatch(services.handlers, 'app:info', {});
      latencies.push(performance.now() - due);
    }
  })();
  try {
    return { value: await work, latencies: summary(latencies, loop.max / 1e6) };
  } finally {
    running = false;
    await probing;
    loop.disable();
  }
}

function summary(latencies: number[], loopMax: number): Latencies {
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!;
  return { p50: at(0.5), p99: at(0.99), max: latencies.at(-1)!, loopMax, probes: latencies.length };
}

// A small import first, as an app that had imported anything before: the pool's worker is started and
// the import path loaded before the baseline.
const warmUp = join(dataDir!, '..', 'WARMUP_1d.csv');
writeFileSync(warmUp, 'timestamp,open,high,low,close,volume\n2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,1\n');
await dispatch(services.handlers, 'data:import', { path: warmUp });
const baseline = await probeDuring(new Promise((resolve) => setTimeout(resolve, BASELINE_MS)));
const baselineRssMb = process.memoryUsage.rss() / 2 ** 20;
// What the process holds when its RSS is highest: the main thread's heap and the rest (worker threads,
// DuckDB, buffers), to tell which one a peak comes from.
let peak = { rss: 0, heapUsed: 0 };
const sampler = setInterval(() => {
  const now = process.memoryUsage();
  if (now.rss > peak.rss) peak = { rss: now.rss, heapUsed: now.heapUsed };
}, 20);
const started = performance.now();
const during = await probeDuring(
  dispatch(services.handlers, 'data:import', { path: file! }) as Promise<{ bars: number }>,
);
const elapsedS = (performance.now() - started) / 1000;
clearInterval(sampler);
const figures: ChildFigures = {
  bars: during.value.bars,
  elapsedS,
  baselineRssMb,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  heapAtPeakMb: peak.heapUsed / 2 ** 20,
  baseline: baseline.latencies,
  during: during.latencies,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
await services.close();
