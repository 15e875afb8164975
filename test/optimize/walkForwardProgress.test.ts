/**
 * A walk-forward run tells how far it has got (walkforward:progress): windows done of the total, the
 * current window's trials of its budget, a rough time left; throttled, with the last event at the total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import { PROGRESS_INTERVAL_MS } from '../../src/main/services/optimize/studyExecution.ts';
import { eventSchemas, requestSchemas, type EventPayload } from '../../src/shared/contract.ts';
import { walkForwardShare } from '../../src/shared/walkForwardProgressText.ts';
import { optimizeHarness, runWalkForward, type OptimizeHarness } from '../support/studies.ts';

const SYMBOL = 'SYNX';
let h: OptimizeHarness;

beforeAll(async () => {
  h = await optimizeHarness(1);
  const market = createSyntheticMarket({
    seed: 7,
    start: Date.UTC(2024, 0, 2),
    end: Date.UTC(2024, 2, 1),
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === SYMBOL),
  });
  await h.bars.write(SYMBOL, '1m', market.generate(0).bars, 'test');
});
afterAll(async () => h?.close());

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
    // own test: walkForwardProgress.test.ts).
    expect(events.length).toBeGreaterThanOrEqual(2);
    const shares = events.map(({ event }) => walkForwardShare(event));
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
