/**
 * Live bot figures (issue 13): push-to-ack latency of a signed apply on loopback against the reference
 * bot, next to a signed status request in the same run (the protocol's floor: HTTP + signature + JSON),
 * and the cost of one live bar (streaming indicators + the strategy through the gate) by buffer size beside
 * the whole-buffer indicator recompute it replaced; and regime-driven updates: from the live bar on which
 * a new regime is seen to the bot's ack of the auto-approved set (recommendation, proposal, approval,
 * push, each audited), p95 against the 60 s.
 * Run: `npm run bench -- live`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomWalkBars } from '../src/core/engine/random-walk.ts';
import { AuditLog } from '../src/main/livebot/auditLog.ts';
import type { LiveDesk } from '../src/main/livebot/liveDesk.ts';
import { dailySmaCrossUpdater, firstSetAndPolicy } from '../src/main/livebot/liveDesk.test-util.ts';
import { sma } from '../src/core/indicators/moving-average.ts';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet } from '../src/core/live/parameterSet.ts';
import { LiveRunner } from '../src/core/live/runner.ts';
import { STRATEGIES } from '../src/core/strategy/registry.ts';
import { BotClient } from '../src/main/livebot/botClient.ts';
import { startReferenceBot, writeState } from '../src/main/livebot/referenceBot.ts';
import { liveBarAt } from '../src/core/live/liveBar.test-util.ts';

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
  const regime = await regimeChangeToAck(bot.url);
  await bot.close();
  const line = (name: string, values: number[]) =>
    `${name.padEnd(28)} p50 ${percentile(values, 50).toFixed(2)} ms  p95 ${percentile(values, 95).toFixed(2)} ms  max ${Math.max(...values).toFixed(2)} ms`;
  console.log(`load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; loopback, ${PUSHES} requests each`);
  console.log(line('signed status (baseline)', status));
  console.log(line('signed apply: push to ack', apply));
  console.log(`regime change to bot ack, ${regime.length} daily-bar replays (target p95 < 60 s):`);
  console.log(line('  regime change -> ack', regime));

  // Per bar with n bars in the buffer: the last bars of a run of n timed (half of them at 1k, so the
  // start of the run, where the set is applied and the strategy created, is not in the figure). Beside it, in the same
  // run, the old path the streaming state replaced: the strategy's indicators (sma-cross 10/60: two SMAs)
  // recomputed in place over the whole buffer at every bar, as IndicatorCache.refresh used to.
  // The first pass (1k, not printed) warms the JIT, which would otherwise be the 1k figure.
  for (const [n, shown] of [
    [1_000, false],
    [1_000, true],
    [10_000, true],
    [100_000, true],
  ] as const) {
    const LAST = Math.min(1_000, n / 2);
    const bars = randomWalkBars(n, 3);
    const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: n });
    runner.apply({ changeId: 'c', version: 1, hash: set(10).hash, set: set(10), policy: 'adopt' });
    const feed = (i: number) => runner.onBar(liveBarAt(bars, i));
    for (let i = 0; i < n - LAST; i++) feed(i);
    let started = performance.now();
    for (let i = n - LAST; i < n; i++) feed(i);
    const streaming = (performance.now() - started) / LAST;
    const fast = new Float64Array(n);
    const slow = new Float64Array(n);
    started = performance.now();
    for (let length = n - LAST + 1; length <= n; length++) {
      const close = bars.c.subarray(0, length);
      sma(close, 10, fast.subarray(0, length));
      sma(close, 60, slow.subarray(0, length));
    }
    const recompute = (performance.now() - started) / LAST;
    if (shown)
      console.log(
        `live bar, ${String(n).padStart(7)} bars in the buffer: ${(streaming * 1000).toFixed(1).padStart(7)} µs per bar (whole bar, streaming indicators)   old path, indicator recompute alone: ${(recompute * 1000).toFixed(1).padStart(7)} µs per bar`,
      );
  }
  stateWrites();
}

/**
 * The state file the reference bot writes after every bar (and every push): its write time per bar and
 * its size, for a run whose buffer holds n bars, next to the bar itself in the same run (the state
 * holds the account, the ledger and the sets, not the bars, so its size does not grow with the buffer).
 */
function stateWrites(): void {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-bench-state-'));
  const path = join(dir, 'bot.json');
  try {
    for (const n of [10_000, 100_000]) {
      const LAST = 1_000;
      const bars = randomWalkBars(n, 7);
      const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: n });
      runner.apply({ changeId: 'c', version: 1, hash: set(10).hash, set: set(10), policy: 'adopt' });
      const feed = (i: number) => runner.onBar(liveBarAt(bars, i));
      for (let i = 0; i < n - LAST; i++) feed(i);
      const writes: number[] = [];
      const barTimes: number[] = [];
      for (let i = n - LAST; i < n; i++) {
        let started = performance.now();
        feed(i);
        barTimes.push(performance.now() - started);
        started = performance.now();
        writeState(path, runner.snapshot());
        writes.push(performance.now() - started);
      }
      const bytes = statSync(path).size;
      console.log(
        `state file per bar, ${String(n).padStart(7)} bars seen: write p50 ${percentile(writes, 50).toFixed(3)} ms  ` +
          `p95 ${percentile(writes, 95).toFixed(3)} ms  ${bytes} bytes   (the bar itself p50 ` +
          `${percentile(barTimes, 50).toFixed(3)} ms  p95 ${percentile(barTimes, 95).toFixed(3)} ms)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SESSIONS = 30;
const DAY_MS = 86_400_000;

/**
 * One sample per replay of daily bars (a new seed each): a fresh audit trail in which a person pushed
 * the bot's first set and set a policy the learner's sets pass, and a fresh updater (the planted
 * learner, 16 candidates a recommendation) whose first regime change is approved by that policy and
 * pushed to the running reference bot; the time from that bar's arrival to the ack is the sample.
 */
async function regimeChangeToAck(botUrl: string): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-bench-regime-'));
  const samples: number[] = [];
  try {
    for (let session = 0; session < SESSIONS; session++) {
      const audit = await AuditLog.open(join(dir, `audit-${session}.duckdb`));
      const desk: LiveDesk = { audit, client: (url) => new BotClient(url, SECRET) };
      await firstSetAndPolicy(desk, botUrl, set(10 + session), {
        bounds: { fast: { min: 2, max: 40, maxStep: 38 }, slow: { min: 10, max: 120, maxStep: 110 } },
        maxChangesPerDay: 1000,
        // The planted learner's skill is not measured: without this its sets wait for a person.
        approveUnmeasuredSkill: true,
      });
      const updater = dailySmaCrossUpdater(desk, botUrl, {
        minDwellMs: 5 * DAY_MS,
        seed: session,
        modelVersion: 'bench',
        limits: set(10).limits,
      });
      const bars = randomWalkBars(600, 100 + session, { stepMs: DAY_MS, volatility: 0.012 });
      for (let i = 0; i < bars.t.length; i++) {
        const outcome = await updater.onBar({
          t: bars.t[i],
          o: bars.o[i],
          h: bars.h[i],
          l: bars.l[i],
          c: bars.c[i],
          v: bars.v[i],
        });
        if (outcome?.action === 'pushed' && outcome.trigger.kind === 'regime-change') {
          samples.push(outcome.latencyMs);
          break;
        }
      }
      audit.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}
