/**
 * Issue 8 item 8: walk-forward windows and their out-of-sample results are kept in DuckDB as each window
 * finishes (the learner's training data) and read back equal to what the run returned. And a run tells
 * how far it has got (walkforward:progress): windows done of the total, the current window's trials of
 * its budget, a rough time left; throttled, with the last event at the total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { WalkForwardRepository } from '../../src/main/store/walkForwardRepository.ts';
import { PROGRESS_INTERVAL_MS } from '../../src/main/services/progressThrottle.ts';
import { eventSchemas, requestSchemas, type EventPayload } from '../../src/shared/contract.ts';
import { runProgressShare } from '../../src/shared/runProgress.ts';
import { optimizeHarness, runWalkForward, type OptimizeHarness } from '../support/studies.ts';

const SYMBOL = 'SYNX';
let h: OptimizeHarness;
let windows: WalkForwardRepository;

beforeAll(async () => {
  h = await optimizeHarness(1);
  windows = new WalkForwardRepository(h.db);
  const market = createSyntheticMarket({
    seed: 7,
    start: Date.UTC(2024, 0, 2),
    end: Date.UTC(2024, 2, 1),
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === SYMBOL),
  });
  await h.bars.write(SYMBOL, '1m', market.generate(0).bars, 'test');
});
afterAll(async () => h?.close());

function run(jobId: string, seed: number) {
  const request = requestSchemas['walkforward:run'].input.parse({
    jobId,
    strategy: 'sma-cross',
    data: { symbol: SYMBOL, timeframe: '1h' },
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 3,
    seed,
    windows: { train: 14, test: 7, step: 7 },
  });
  return runWalkForward(h, request, { windows });
}

describe('walk-forward windows in the store', () => {
  it('reads back every window of a run equal to what the run returned, with what it was run on', async () => {
    const result = await run('wf-store', 5);
    expect(result.windows.length).toBeGreaterThanOrEqual(3);

    const stored = await windows.windowsOfJob('wf-store');
    expect(stored.map((s) => s.window)).toEqual(result.windows);
    const runIds = new Set(stored.map((s) => s.runId));
    expect(runIds.size).toBe(1);
    const first = stored[0]!;
    expect(await windows.windowsOfRun(first.runId)).toEqual(stored);
    for (const s of stored) {
      expect(s).toMatchObject({
        jobId: 'wf-store',
        symbol: SYMBOL,
        timeframe: '1h',
        strategy: 'sma-cross',
        strategyVersion: getStrategy('sma-cross').version,
        seed: 5,
        datasetId: first.datasetId,
      });
    }
    // The dataset is named by its content fingerprint, not by its symbol.
    expect(first.datasetId).not.toBe(SYMBOL);
    expect(first.datasetId.length).toBeGreaterThan(8);
    // Windows are written as each finishes, in order.
    const times = stored.map((s) => s.finishedAt);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('keeps each run apart when a job id is used again', async () => {
    const before = await windows.windowsOfJob('wf-again');
    expect(before).toEqual([]);
    const a = await run('wf-again', 1);
    const b = await run('wf-again', 2);
    const stored = await windows.windowsOfJob('wf-again');
    const runIds = [...new Set(stored.map((s) => s.runId))];
    expect(runIds).toHaveLength(2);
    expect(stored.filter((s) => s.runId === runIds[0]).map((s) => s.window)).toEqual(a.windows);
    expect(stored.filter((s) => s.runId === runIds[1]).map((s) => s.window)).toEqual(b.windows);
  });
});

describe('walk-forward progress', () => {
  it('sends windows and trials that rise to the total, throttled, the last one at the total', async () => {
    const events: { at: number; event: EventPayload<'walkforward:progress'> }[] = [];
    const others: unknown[] = [];
    const stop = h.events.subscribe((channel, payload) => {
      if (channel !== 'walkforward:progress') return;
      const event = payload as EventPayload<'walkforward:progress'>;
      if (event.jobId === 'wf-progress') events.push({ at: performance.now(), event });
      else others.push(event);
    });
    const trials = 80;
    let result;
    try {
      result = await runWalkForward(
        h,
        requestSchemas['walkforward:run'].input.parse({
          jobId: 'wf-progress',
          strategy: 'sma-cross',
          data: { symbol: SYMBOL, timeframe: '5m' },
          objectives: [{ metric: 'sharpeRatio' }],
          trials,
          seed: 3,
          windows: { train: 14, test: 7, step: 7 },
        }),
      );
    } finally {
      stop();
    }
    if ('cancelled' in result) throw new Error('the run was cancelled');
    const total = result.windows.length;
    expect(total).toBeGreaterThanOrEqual(3);
    expect(others).toEqual([]);
    // The first and the last always; how many between depends on the machine's speed (the throttle's
    // own test: runProgress.test.ts).
    expect(events.length).toBeGreaterThanOrEqual(2);
    const shares = events.map(({ event }) => runProgressShare(event));
    for (let i = 1; i < events.length; i++) {
      const [before, after] = [events[i - 1]!.event, events[i]!.event];
      expect(after.windowsDone).toBeGreaterThanOrEqual(before.windowsDone);
      expect(shares[i]).toBeGreaterThanOrEqual(shares[i - 1]!);
      expect(after.elapsedMs).toBeGreaterThanOrEqual(before.elapsedMs);
      // Throttled: only the last may follow its predecessor sooner than the interval.
      if (i < events.length - 1)
        expect(events[i]!.at - events[i - 1]!.at).toBeGreaterThanOrEqual(PROGRESS_INTERVAL_MS - 1);
    }
    for (const { event } of events) {
      // What the HTTP and IPC hosts send is the contract's shape.
      expect(eventSchemas['walkforward:progress'].parse(event)).toEqual(event);
      expect(event.windowsTotal).toBe(total);
      if (event.window !== null) {
        expect(event.window.trialsTotal).toBe(trials);
        expect(event.window.trialsDone).toBeLessThanOrEqual(trials);
        expect(event.window.index).toBe(event.windowsDone);
      }
    }
    expect(events[0]!.event).toMatchObject({ windowsDone: 0, etaSeconds: null });
    const last = events[events.length - 1]!.event;
    expect(last).toMatchObject({ windowsDone: total, windowsTotal: total, window: null });
    expect(shares[shares.length - 1]).toBe(1);
  });
});
