import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OptimizeProgressEvent } from '../../shared/contract.ts';
import { studyDetail, trialRow } from '../../../test/support/fakeRegimenClient.ts';
import { FLUSH_INTERVAL_MS, StudyFeed, type FeedPatch } from './studyFeed.ts';

function progress(studyId: string, patch: Partial<OptimizeProgressEvent> = {}): OptimizeProgressEvent {
  return {
    studyId,
    state: 'running',
    done: 1,
    total: 10,
    failed: 0,
    trialsPerSecond: 5,
    etaSeconds: 2,
    best: null,
    ...patch,
  };
}

describe('StudyFeed', () => {
  let patches: FeedPatch[];
  let feed: StudyFeed;
  const numbers = (patch: FeedPatch | undefined): number[] | undefined => patch?.trials?.map((t) => t.number);

  beforeEach(() => {
    vi.useFakeTimers();
    patches = [];
    feed = new StudyFeed((patch) => patches.push(patch));
  });
  afterEach(() => {
    feed.dispose();
    vi.useRealTimers();
  });

  it('activating a study publishes it empty at once, without the previous study', () => {
    feed.activate('a');
    feed.receiveTrials({ studyId: 'a', trials: [trialRow(0)] });
    feed.flush();
    feed.activate('b');
    expect(patches.at(-1)).toEqual({ trials: [], progress: null });
    expect(feed.trial(0)).toBeUndefined();
  });

  it('publishes bursts of events at most once per interval, trials sorted by number', () => {
    feed.activate('a');
    patches = [];
    feed.receiveTrials({ studyId: 'a', trials: [trialRow(2)] });
    feed.receiveTrials({ studyId: 'a', trials: [trialRow(0), trialRow(1)] });
    feed.receiveProgress(progress('a', { done: 3 }));
    expect(patches).toEqual([]);
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS - 1);
    expect(patches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(patches).toHaveLength(1);
    expect(numbers(patches[0])).toEqual([0, 1, 2]);
    expect(patches[0]?.progress?.done).toBe(3);
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS * 4);
    expect(patches).toHaveLength(1);
  });

  it('ignores events of other studies', () => {
    feed.activate('a');
    patches = [];
    feed.receiveTrials({ studyId: 'b', trials: [trialRow(0)] });
    expect(feed.receiveProgress(progress('b', { state: 'complete' }))).toBe(false);
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS * 2);
    expect(patches).toEqual([]);
  });

  it('a late running copy never hides a finished trial; a finished copy replaces a running one', () => {
    feed.activate('a');
    feed.receiveTrials({ studyId: 'a', trials: [trialRow(0, { status: 'running', values: null })] });
    feed.receiveTrials({ studyId: 'a', trials: [trialRow(0)] });
    feed.receiveTrials({ studyId: 'a', trials: [trialRow(0, { status: 'running', values: null })] });
    feed.flush();
    expect(feed.trial(0)?.status).toBe('complete');
    expect(patches.at(-1)?.trials?.[0]?.status).toBe('complete');
  });

  it('a terminal progress is published at once and reported', () => {
    feed.activate('a');
    patches = [];
    feed.receiveTrials({ studyId: 'a', trials: [trialRow(0)] });
    expect(feed.receiveProgress(progress('a', { state: 'cancelled' }))).toBe(true);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.progress?.state).toBe('cancelled');
    expect(numbers(patches[0])).toEqual([0]);
  });

  it('holds events that arrive before the started study id is known, and replays only its own', () => {
    feed.activate('old');
    feed.holdForStart();
    feed.receiveTrials({ studyId: 'new', trials: [trialRow(0), trialRow(1)] });
    feed.receiveTrials({ studyId: 'other', trials: [trialRow(7)] });
    feed.receiveProgress(progress('new', { done: 2 }));
    feed.started('new', 10);
    expect(feed.studyId).toBe('new');
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS);
    const trials = patches.flatMap((p) => (p.trials ? [p.trials] : [])).at(-1);
    expect(trials?.map((t) => t.number)).toEqual([0, 1]);
    const shown = patches.flatMap((p) => (p.progress ? [p.progress] : [])).at(-1);
    expect(shown?.done).toBe(2);
  });

  it('a started study with no progress yet shows 0 of its total running', () => {
    feed.holdForStart();
    feed.started('new', 40);
    expect(patches.at(-1)?.progress).toMatchObject({ studyId: 'new', state: 'running', done: 0, total: 40 });
  });

  it('after abandonStart, events of other studies are no longer held', () => {
    feed.holdForStart();
    feed.abandonStart();
    feed.receiveTrials({ studyId: 'new', trials: [trialRow(0)] });
    feed.started('new', 10);
    expect(feed.trial(0)).toBeUndefined();
    expect(patches.flatMap((p) => (p.trials ? [p.trials] : [])).at(-1)).toEqual([]);
  });

  it('merges the detail only while the study it was asked for is still the one shown', () => {
    feed.activate('a');
    const ticket = feed.ticket();
    feed.activate('a');
    expect(feed.receiveDetail(ticket, studyDetail('a', { trials: [trialRow(0)] }))).toBe(false);
    expect(feed.trial(0)).toBeUndefined();
    expect(feed.receiveDetail(feed.ticket(), studyDetail('a', { trials: [trialRow(0)] }))).toBe(true);
    expect(numbers(patches.at(-1))).toEqual([0]);
  });

  it('once the study has stopped, running trials the services did not record are dropped', () => {
    feed.activate('a');
    feed.receiveTrials({
      studyId: 'a',
      trials: [
        trialRow(0),
        trialRow(1, { status: 'running', values: null }),
        trialRow(2, { status: 'running' }),
      ],
    });
    feed.receiveProgress(progress('a', { state: 'cancelled' }));
    const detail = studyDetail('a', {
      summary: { ...studyDetail('a').summary, state: 'cancelled' },
      trials: [trialRow(0), trialRow(2, { status: 'failed' })],
    });
    feed.receiveDetail(feed.ticket(), detail);
    expect(patches.at(-1)?.trials?.map((t) => [t.number, t.status])).toEqual([
      [0, 'complete'],
      [2, 'failed'],
    ]);
  });

  it('keeps running trials while the recorded study is still running', () => {
    feed.activate('a');
    feed.receiveTrials({ studyId: 'a', trials: [trialRow(1, { status: 'running', values: null })] });
    feed.receiveDetail(
      feed.ticket(),
      studyDetail('a', { summary: { ...studyDetail('a').summary, state: 'running' } }),
    );
    expect(numbers(patches.at(-1))).toEqual([1]);
  });

  it('clearProgress publishes no progress', () => {
    feed.activate('a');
    feed.receiveProgress(progress('a', { state: 'cancelled' }));
    feed.clearProgress();
    expect(patches.at(-1)).toEqual({ progress: null });
  });
});
