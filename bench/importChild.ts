// Child process of import.bench.ts: services on a fresh data dir import one file through `data:import`
// while `app:info` is asked every 10 ms; prints its figures as one JSON line. A process of its own, so
// its peak RSS (the OS high-water mark) is the import's and not the file generator's.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dispatch } from '../src/main/services/dispatch.ts';
import { createServices } from '../src/main/services/services.ts';
import { MemorySecretStore } from '../src/main/secrets/secretStore.ts';

const [dataDir, file] = process.argv.slice(2);
const services = await createServices({
  dataDir: dataDir!,
  host: 'http',
  skipDemo: true,
  threads: 1,
  secrets: new MemorySecretStore(),
  env: {},
});
const rss = (): number => process.memoryUsage.rss() / 2 ** 20;
const baselineRssMb = rss();
const latencies: number[] = [];
let running = true;
// Each probe's latency counts from when it was due: a late timer is a request kept waiting too.
const probe = async (): Promise<void> => {
  while (running) {
    const due = performance.now() + 10;
    await new Promise((resolve) => setTimeout(resolve, 10));
    await dispatch(services.handlers, 'app:info', {});
    latencies.push(performance.now() - due);
  }
};
// What the process holds when its RSS is highest: the main thread's heap and the rest (worker threads,
// DuckDB, buffers), to tell which one a peak comes from.
let peak = { rss: 0, heapUsed: 0 };
const sampler = setInterval(() => {
  const now = process.memoryUsage();
  if (now.rss > peak.rss) peak = { rss: now.rss, heapUsed: now.heapUsed };
}, 20);
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const probing = probe();
const started = performance.now();
const result = (await dispatch(services.handlers, 'data:import', { path: file! })) as { bars: number };
const elapsedS = (performance.now() - started) / 1000;
running = false;
clearInterval(sampler);
await probing;
loop.disable();
latencies.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    bars: result.bars,
    elapsedS,
    baselineRssMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapAtPeakMb: peak.heapUsed / 2 ** 20,
    maxLatencyMs: latencies.at(-1) ?? NaN,
    p99LatencyMs: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
    probes: latencies.length,
    maxLoopDelayMs: loop.max / 1e6,
  })}\n`,
);
await services.close();
