import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../shared/contract.ts';
import { EventBus } from '../events.ts';
import { PROGRESS_INTERVAL_MS } from './studyExecution.ts';
import { walkForwardProgress } from './walkForwardProgress.ts';

type Sent = EventPayload<'walkforward:progress'>;

function harness(windowsTotal: number) {
  const events = new EventBus();
  const sent: Sent[] = [];
  events.subscribe((channel, payload) => {
    if (channel === 'walkforward:progress') sent.push(payload as Sent);
  });
  let now = 1_000;
  const progress = walkForwardProgress(events, 'job-1', windowsTotal, () => now);
  return { sent, progress, at: (ms: number) => (now = 1_000 + ms) };
}

describe('walkForwardProgress', () => {
  it('sends the first report at once, then at most one per interval, a rough time left from the share done', () => {
    const { sent, progress, at } = harness(2);
    expect(sent).toEqual([
      { jobId: 'job-1', windowsDone: 0, windowsTotal: 2, window: null, elapsedMs: 0, etaSeconds: null },
    ]);
    at(10);
    progress.windowStarted(0, 100);
    for (let done = 1; done < 50; done++) progress.trials(done);
    expect(sent).toHaveLength(1);
    at(PROGRESS_INTERVAL_MS + 50);
    progress.trials(50);
    // A quarter done (half of one window of two) in 0.25 s: 0.75 s left.
    expect(sent[1]).toMatchObject({
      window: { index: 0, trialsDone: 50, trialsTotal: 100 },
      elapsedMs: 250,
      etaSeconds: 0.75,
    });
    at(PROGRESS_INTERVAL_MS + 60);
    progress.trials(60);
    progress.windowDone();
    expect(sent).toHaveLength(2);
  });

  it('sends a Redis loss at once and keeps it on later reports; the last window always goes out', () => {
    const { sent, progress, at } = harness(1);
    progress.windowStarted(0, 10);
    const lost = {
      state: 'lost',
      redisUrl: 'redis://***@h:6379',
      reason: 'ECONNREFUSED',
      lostAt: 5,
    } as const;
    progress.connection(lost);
    expect(sent.at(-1)).toMatchObject({ window: { index: 0 }, connection: lost });
    at(1);
    progress.windowDone();
    expect(sent.at(-1)).toMatchObject({ windowsDone: 1, windowsTotal: 1, window: null, connection: lost });
    expect(sent).toHaveLength(3);
  });
});
