/**
 * Live bot figures (issue 13): push-to-ack latency of a signed apply on loopback against the reference
 * bot, next to a signed status request in the same run (the protocol's floor: HTTP + signature + JSON),
 * and the cost of one live bar (indicator refresh + the strategy through the gate) by buffer size.
 * Run: `npm run bench -- live`.
 */
import { randomWalkBars } from '../src/core/engine/random-walk.ts';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet } from '../src/core/live/parameterSet.ts';
import { LiveRunner } from '../src/core/live/runner.ts';
import { STRATEGIES } from '../src/core/strategy/registry.ts';
import { BotClient } from '../src/main/livebot/botClient.ts';
import { startReferenceBot } from '../src/main/livebot/referenceBot.ts';

const SECRET = 'bench-secret-0123456789abcdef';
const PUSHES = 200;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const set = (fast: number) =>
  sealParameterSet({
    schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
    strategy: { name: 'sma-cross', version: '1' },
    parameters: { fast, slow: 60 },
    limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 1000 },
    provenance: { kind: 'manual', note: 'bench', engineVersion: 'bench' },
  });

export async function runLiveBench(): Promise<void> {
  const bot = await startReferenceBot({
    bars: randomWalkBars(1_000_000, 1),
    symbol: 'BENCH',
    speed: 600, // a bar every 100 ms
    secret: SECRET,
    heartbeat: { timeoutMs: 600_000, mode: 'no-new-entries' },
  });
  const client = new BotClient(bot.url, SECRET);
  const status: number[] = [];
  const apply: number[] = [];
  for (let k = 1; k <= PUSHES; k++) {
    let started = performance.now();
    await client.status();
    status.push(performance.now() - started);
    const parameters = set(2 + (k % 50));
    started = performance.now();
    await client.apply({
      changeId: `bench-${k}`,
      version: k,
      set: parameters,
      policy: 'adopt',
      approval: { id: `bench-${k}`, approvedBy: ['bench'], at: Date.now(), note: 'bench' },
    });
    apply.push(performance.now() - started);
  }
  await bot.close();
  const line = (name: string, values: number[]) =>
    `${name.padEnd(28)} p50 ${percentile(values, 50).toFixed(2)} ms  p95 ${percentile(values, 95).toFixed(2)} ms  max ${Math.max(...values).toFixed(2)} ms`;
  console.log(`loopback, ${PUSHES} requests each`);
  console.log(line('signed status (baseline)', status));
  console.log(line('signed apply: push to ack', apply));

  for (const n of [1_000, 10_000, 100_000]) {
    const bars = randomWalkBars(n, 3);
    const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: n });
    runner.apply({ changeId: 'c', version: 1, hash: set(10).hash, set: set(10), policy: 'adopt' });
    const started = performance.now();
    for (let i = 0; i < n; i++)
      runner.onBar({ t: bars.t[i], o: bars.o[i], h: bars.h[i], l: bars.l[i], c: bars.c[i], v: bars.v[i] });
    const perBar = (performance.now() - started) / n;
    console.log(
      `live bar, ${String(n).padStart(7)} bars in the buffer: ${(perBar * 1000).toFixed(1)} µs per bar on average`,
    );
  }
}
