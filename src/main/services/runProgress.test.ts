import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/contract.ts';
import { runProgressShare, runProgressText } from '../../shared/runProgress.ts';
import { EventBus } from './events.ts';
import { SCORECARD_PHASES } from './learner/learnerService.ts';
import { PROGRESS_INTERVAL_MS } from './progressThrottle.ts';
import { COMPARE_PHASES } from './regime/regimeJobs.ts';
import { runProgress, type RunPhase, type RunProgressChannel } from './runProgress.ts';

type Sent = EventPayload<'walkforward:progress'>;

/** A run's events on `channel`, on a fake clock that starts at 1 s and moves only when told (`at`). */
function harness(channel: RunProgressChannel, windowsTotal: number, phase?: RunPhase) {
  const events = new EventBus();
  const sent: Sent[] = [];
  events.subscribe((on, payload) => {
    if (on === channel) sent.push(payload as Sent);
  });
  let now = 1_000;
  const progress = runProgress(events, channel, 'job-1', {
    windowsTotal,
    ...(phase === undefined ? {} : { phase }),
    clock: () => now,
  });
  return { sent, progress, at: (ms: number) => (now = 1_000 + ms) };
}

describe('runProgress', () => {
  it('sends the first report at once, then at most one per interval, a rough time left from the share done', () => {
    const { sent, progress, at } = harness('walkforward:progress', 2);
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
    const { sent, progress, at } = harness('walkforward:progress', 1);
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

  it("the scorecard's parts: each part's start goes out at once, windows throttled, the end at the whole share", () => {
    const { sent, progress, at } = harness('learner:scorecard-progress', 0, SCORECARD_PHASES.study);
    // As the worker reports them (learnerService's port): a part starts at done 0, then its windows.
    at(3_000);
    progress.phase(SCORECARD_PHASES.optimised, 4);
    at(4_000);
    progress.windowDone(1);
    at(4_010);
    progress.windowDone(2); // 10 ms later: throttled away
    at(5_000);
    progress.windowDone(3);
    progress.windowDone(4); // the part's last window is not the run's: throttled away
    at(5_100);
    progress.phase(SCORECARD_PHASES.overfitting, 0);
    at(5_500);
    progress.phase(SCORECARD_PHASES.panel, 0);
    at(9_000);
    progress.phase(SCORECARD_PHASES.test, 5);
    // The test windows' messages are still on their way when the result comes: finished() ends the run.
    progress.windowDone(1);
    at(9_020);
    progress.finished();

    const left = '~\\d+ s left';
    expect(sent.map(runProgressText)).toEqual(
      [
        'full-sample study of the trials',
        `optimised and regime-aware policies · 0 of 4 windows done · ${left}`,
        `optimised and regime-aware policies · 1 of 4 windows done · ${left}`,
        `optimised and regime-aware policies · 3 of 4 windows done · ${left}`,
        `probability of backtest overfitting · ${left}`,
        `learner policy: every trial on the learner's windows · ${left}`,
        `default and learner policies · 0 of 5 windows done · ${left}`,
        'default and learner policies · 5 of 5 windows done',
      ].map((text) => expect.stringMatching(new RegExp(`^${text}$`))),
    );
    expect(sent.map((e) => e.elapsedMs)).toEqual([0, 3_000, 4_000, 5_000, 5_100, 5_500, 9_000, 9_020]);
    const shares = sent.map(runProgressShare);
    expect(shares[0]).toBe(0);
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThan(shares[i - 1]!);
    expect(shares.at(-1)).toBe(1);
    // The time left spreads the time so far over the share done: 3 s for the study's share.
    const study = SCORECARD_PHASES.optimised.from;
    expect(sent[1]!.etaSeconds).toBeCloseTo((3 * (1 - study)) / study, 9);
    expect(sent.at(-1)!.etaSeconds).toBe(0);
  });

  it("the time left is measured: the running part at its own windows' pace, later parts at the pace of the parts done", () => {
    const { sent, progress, at } = harness('learner:scorecard-progress', 0, SCORECARD_PHASES.study);
    const { learner, test } = SCORECARD_PHASES;
    // The parts before the learner's took 10 s for their share of the run: 10 / learner.from s per share.
    at(10_000);
    progress.phase(learner, 100);
    const perShare = 10 / learner.from;
    // Not started yet: its share at that pace, then the test part's.
    expect(sent.at(-1)!.etaSeconds).toBeCloseTo(perShare * (1 - learner.from), 9);
    // Its windows take 1 s each, far more than its share at that pace: 10 done in 10 s, 90 left.
    for (let k = 1; k <= 10; k++) {
      at(10_000 + 1_000 * k);
      progress.windowDone(k);
    }
    expect(sent.at(-1)).toMatchObject({ windowsDone: 10, elapsedMs: 20_000 });
    expect(sent.at(-1)!.etaSeconds).toBeCloseTo(90 + perShare * (1 - test.from), 9);
    // The fixed shares alone (the time so far over the share done) said under 20 s.
    const share = runProgressShare(sent.at(-1)!);
    expect((20 * (1 - share)) / share).toBeLessThan(20);
    // A part without windows: its share at the pace of the parts done (now 100 s for learner.to).
    at(110_000);
    progress.phase(test, 0);
    expect(sent.at(-1)!.etaSeconds).toBeCloseTo((110 / test.from) * (1 - test.from), 9);
    at(110_500);
    progress.finished();
    expect(sent.at(-1)!.etaSeconds).toBe(0);
  });

  it("the comparison's parts: the full-sample study, the windows of both policies, then overfitting", () => {
    const { sent, progress, at } = harness('regimes:compare-progress', 0, COMPARE_PHASES.study);
    at(600);
    progress.phase(COMPARE_PHASES.windows, 5);
    for (let k = 1; k <= 5; k++) {
      at(600 + 400 * k);
      progress.windowDone(k);
    }
    progress.phase(COMPARE_PHASES.overfitting, 0);
    at(3_000);
    progress.finished();
    expect(sent.map((e) => [e.phase?.name, e.windowsDone, e.windowsTotal])).toEqual([
      ['full-sample study of the trials', 0, 0],
      ['global and regime-aware policies', 0, 5],
      ...[1, 2, 3, 4, 5].map((k) => ['global and regime-aware policies', k, 5]),
      ['probability of backtest overfitting', 0, 0],
      // finished(): the result came; the part's name stays, at the whole share.
      ['probability of backtest overfitting', 0, 0],
    ]);
    expect(sent.map((e) => e.elapsedMs)).toEqual([0, 600, 1_000, 1_400, 1_800, 2_200, 2_600, 2_600, 3_000]);
    expect(runProgressShare(sent[3]!)).toBeCloseTo(
      COMPARE_PHASES.windows.from + (COMPARE_PHASES.windows.to - COMPARE_PHASES.windows.from) * 0.4,
      12,
    );
    expect(runProgressText(sent.at(-1)!)).toBe('probability of backtest overfitting');
    expect(runProgressShare(sent.at(-1)!)).toBe(1);
  });
});
