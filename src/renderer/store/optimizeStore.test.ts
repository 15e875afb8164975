import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OptimizeProgressEvent, StudySummary } from '../../shared/contract.ts';
import {
  backtestResult,
  deferred,
  FakeRegimenClient,
  SMA_CROSS,
  studyDetail,
  trialRow,
} from '../../../test/support/fakeRegimenClient.ts';
import { createAppStore, type AppStore } from './appStore.ts';
import { memoryKeeper } from './keeper.ts';
import { createOptimizeStore, listedBestValue, type OptimizeStore } from './optimizeStore.ts';
import { FLUSH_INTERVAL_MS } from './studyFeed.ts';

function progress(studyId: string, patch: Partial<OptimizeProgressEvent> = {}): OptimizeProgressEvent {
  return {
    studyId,
    state: 'running',
    done: 0,
    total: 10,
    failed: 0,
    trialsPerSecond: 0,
    etaSeconds: null,
    best: null,
    ...patch,
  };
}

const summary = (id: string, createdAt: number): StudySummary => ({
  ...studyDetail(id).summary,
  createdAt,
});

describe("a listed study's best value", () => {
  const best = { number: 3, params: { fast: 5 }, values: [1.2], score: 1.2 };
  const listed = { ...summary('s1', 1), bestValue: null };

  it('is the live best while the study runs, where the list read before its first trial had none', () => {
    expect(listedBestValue(listed, progress('s1', { done: 4, best }))).toBe(1.2);
  });

  it("is the stored one for another study, and once the study has stopped (the plateau's winner may differ)", () => {
    expect(listedBestValue(listed, progress('s2', { best }))).toBeNull();
    expect(listedBestValue({ ...listed, bestValue: 0.9 }, progress('s1', { state: 'complete', best }))).toBe(
      0.9,
    );
    expect(listedBestValue({ ...listed, bestValue: 0.9 }, null)).toBe(0.9);
  });
});

describe('the optimisation store against a fake client', () => {
  let client: FakeRegimenClient;
  let app: AppStore;
  let store: OptimizeStore;

  beforeEach(() => {
    vi.useFakeTimers();
    client = new FakeRegimenClient().handle('optimize:list', () => [summary('s1', 1), summary('s2', 2)]);
    app = createAppStore(client);
    app.setState({ strategies: { status: 'ready', data: [SMA_CROSS] }, symbol: 'DEMO' });
    store = createOptimizeStore(client, app);
    store.getState().connect();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A form the services accept: the strategy's default space, one objective. */
  const fillValidForm = (): void => {
    store.getState().patchSetup({ trials: '10', seed: '1', minTrades: '1' });
  };

  /** Study s1 with trial #4 (fast 9, slow 40), whose approval the services record at time 7. */
  const handleApprovableStudy = (): FakeRegimenClient =>
    client
      .handle('optimize:get', () =>
        studyDetail('s1', { trials: [trialRow(4, { params: { fast: 9, slow: 40 } })] }),
      )
      .handle('optimize:approve', ({ studyId, params }) => ({
        studyId,
        approved: { params, approvedAt: 7 },
      }));

  it('lists past studies newest first and fills the form from the app once strategies are known', async () => {
    await vi.advanceTimersByTimeAsync(0);
    const studies = store.getState().studies;
    expect(studies.status === 'ready' && studies.data.map((s) => s.id)).toEqual(['s2', 's1']);
    expect(store.getState().setup.strategy).toBe('sma-cross');
    expect(store.getState().setup.symbol).toBe('DEMO');
    expect(store.getState().setup.space.map((p) => p.name)).toEqual(['fast', 'slow']);
  });

  it('a form with errors is not sent and says so', async () => {
    store.getState().patchSetup({ trials: '-3' });
    await store.getState().start();
    expect(client.callsTo('optimize:start')).toEqual([]);
    expect(store.getState().notices.at(-1)?.message).toMatch(/out of range/);
  });

  it('keeps the trials a study reports before its id comes back, and shows them throttled', async () => {
    const answer = deferred<{ studyId: string; seed: number; total: number }>();
    client
      .handle('optimize:start', () => answer.promise)
      .handle('optimize:get', () =>
        studyDetail('new', { summary: { ...summary('new', 3), state: 'running' } }),
      );
    fillValidForm();
    const starting = store.getState().start();
    expect(store.getState().starting).toBe(true);
    client.emit('optimize:trial', { studyId: 'new', trials: [trialRow(0), trialRow(1)] });
    client.emit('optimize:trial', { studyId: 'someone-else', trials: [trialRow(5)] });
    answer.resolve({ studyId: 'new', seed: 1, total: 10 });
    await starting;
    expect(store.getState().starting).toBe(false);
    expect(store.getState().study?.id).toBe('new');
    expect(store.getState().trials.map((t) => t.number)).toEqual([0, 1]);
    expect(store.getState().progress).toMatchObject({ state: 'running', done: 0, total: 10 });

    client.emit('optimize:trial', { studyId: 'new', trials: [trialRow(2)] });
    expect(store.getState().trials).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    expect(store.getState().trials.map((t) => t.number)).toEqual([0, 1, 2]);
  });

  it('a finished study is shown from its terminal event, lists again, and stops showing trials in flight', async () => {
    client.handle('optimize:get', () =>
      studyDetail('s1', { summary: { ...summary('s1', 1), state: 'running' } }),
    );
    await store.getState().open('s1');
    client.emit('optimize:trial', {
      studyId: 's1',
      trials: [trialRow(0), trialRow(1, { status: 'running', values: null })],
    });
    const listsBefore = client.callsTo('optimize:list').length;
    const final = studyDetail('s1', {
      summary: { ...summary('s1', 1), state: 'cancelled' },
      best: trialRow(0),
    });
    client.emit('optimize:progress', progress('s1', { state: 'cancelled', done: 1, detail: final }));
    expect(store.getState().progress?.state).toBe('cancelled');
    expect(store.getState().study?.detail?.summary.state).toBe('cancelled');
    expect(store.getState().study?.detail?.best).toEqual(trialRow(0));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(client.callsTo('optimize:list').length).toBe(listsBefore + 1);
    // No polling: the study was read once, when it was opened.
    expect(client.callsTo('optimize:get')).toHaveLength(1);
    expect(store.getState().trials.map((t) => [t.number, t.status])).toEqual([[0, 'complete']]);
  });

  it('a record read before the study stopped does not replace the final one of its terminal event', async () => {
    const late = deferred<ReturnType<typeof studyDetail>>();
    client.handle('optimize:get', () => late.promise);
    const opening = store.getState().open('s1');
    const final = studyDetail('s1', {
      summary: { ...summary('s1', 1), state: 'complete' },
      best: trialRow(2),
    });
    client.emit('optimize:progress', progress('s1', { state: 'complete', done: 3, detail: final }));
    late.resolve(
      studyDetail('s1', { summary: { ...summary('s1', 1), state: 'running' }, trials: [trialRow(2)] }),
    );
    await opening;
    expect(store.getState().study?.detail?.summary.state).toBe('complete');
    expect(store.getState().trials.map((t) => t.number)).toEqual([2]);
  });

  it('reads a large study a page at a time', async () => {
    const total = 12_000;
    client.handle('optimize:get', ({ offset = 0, limit = 1_000 }) => {
      const count = Math.max(0, Math.min(limit, total - offset));
      return studyDetail('big', {
        trials: Array.from({ length: count }, (_, i) => trialRow(offset + i)),
        trialsPage: { offset, limit, total },
      });
    });
    await store.getState().open('big');
    expect(client.callsTo('optimize:get').map((c) => c.offset)).toEqual([0, 5_000, 10_000]);
    expect(store.getState().trials).toHaveLength(total);
    expect(store.getState().trials.at(-1)?.number).toBe(total - 1);
  });

  it('an answer for a study opened earlier never replaces the one opened since', async () => {
    const slow = deferred<ReturnType<typeof studyDetail>>();
    client.handle('optimize:get', ({ studyId }) =>
      studyId === 'old' ? slow.promise : studyDetail('new', { trials: [trialRow(3)] }),
    );
    const opening = store.getState().open('old');
    await store.getState().open('new');
    slow.resolve(studyDetail('old', { trials: [trialRow(9)] }));
    await opening;
    expect(store.getState().study?.id).toBe('new');
    expect(store.getState().trials.map((t) => t.number)).toEqual([3]);
  });

  it('inspects a trial as its study scored it, then hands it to the backtest view', async () => {
    const result = backtestResult({ params: { fast: 8, slow: 50 } });
    client
      .handle('optimize:get', () =>
        studyDetail('s1', { trials: [trialRow(3, { params: { fast: 8, slow: 50 } })] }),
      )
      .handle('optimize:trial-backtest', () => result)
      .handle('bars:get', () => ({
        symbol: 'DEMO',
        timeframe: '1h',
        t: [],
        o: [],
        h: [],
        l: [],
        c: [],
        v: [],
      }));
    await store.getState().open('s1');
    await store.getState().inspect(3);
    // Main re-runs the trial with the study's own bars, costs and options: the request names only the trial.
    expect(client.callsTo('optimize:trial-backtest')).toEqual([{ studyId: 's1', trialNumber: 3 }]);
    expect(client.callsTo('backtest:run')).toHaveLength(0);
    expect(store.getState().center).toBe('inspect');
    expect(store.getState().inspection).toMatchObject({
      trialNumber: 3,
      status: 'ready',
      result,
      sheetOpen: false,
    });

    store.getState().openInBacktest();
    const shown = app.getState();
    expect(shown.view).toBe('backtest');
    expect(shown.result).toBe(result);
    expect(shown.paramDraft).toEqual({ fast: '8', slow: '50' });
    expect(shown.cash).toBe('25000');
    expect(shown.commission).toBe('0.1');
    expect(shown.timeframe).toBe('1h');
    // The result is shown as it is: no second backtest.
    expect(client.callsTo('optimize:trial-backtest')).toHaveLength(1);
    expect(client.callsTo('backtest:run')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(app.getState().result).toBe(result);
  });

  it('the row action inspects a trial with its tear sheet open, which closes on its own', async () => {
    const result = backtestResult({ params: { fast: 8, slow: 50 } });
    client
      .handle('optimize:get', () => studyDetail('s1', { trials: [trialRow(3)] }))
      .handle('optimize:trial-backtest', () => result);
    await store.getState().open('s1');
    await store.getState().inspect(3, { sheet: true });
    expect(store.getState().inspection).toMatchObject({ trialNumber: 3, status: 'ready', sheetOpen: true });
    store.getState().setSheetOpen(false);
    expect(store.getState().inspection).toMatchObject({ trialNumber: 3, result, sheetOpen: false });
  });

  it('a failed inspection says so in the panel and in a notice', async () => {
    client
      .handle('optimize:get', () => studyDetail('s1', { trials: [trialRow(3)] }))
      .handle('optimize:trial-backtest', () => Promise.reject(new Error('no bars')));
    await store.getState().open('s1');
    await store.getState().inspect(3);
    expect(store.getState().inspection).toMatchObject({ status: 'error', message: 'no bars' });
    expect(store.getState().notices.at(-1)).toMatchObject({
      context: 'Backtest of trial #3',
      message: 'no bars',
    });
  });

  it('approves a trial with its numeric parameters and shows the approval on the study', async () => {
    handleApprovableStudy();
    await store.getState().open('s1');
    await store.getState().approve(4);
    expect(client.callsTo('optimize:approve')).toEqual([
      { studyId: 's1', params: { fast: 9, slow: 40 }, trialNumber: 4 },
    ]);
    expect(store.getState().study?.detail?.approved).toEqual({
      params: { fast: 9, slow: 40 },
      approvedAt: 7,
    });
    expect(store.getState().approving).toBe(false);
    expect(client.callsTo('live:propose')).toEqual([]);
  });

  it('approving for a bot records a live proposal of the trial for it', async () => {
    handleApprovableStudy().handle('live:propose', () => Promise.reject(new Error('the bot did not answer')));
    await store.getState().open('s1');
    await store.getState().approve(4, 'http://127.0.0.1:8787');
    expect(client.callsTo('live:propose')).toEqual([
      { bot: 'http://127.0.0.1:8787', studyId: 's1', trialNumber: 4 },
    ]);
    expect(store.getState().notices.at(-1)).toMatchObject({ message: 'the bot did not answer' });
  });

  it('resuming drops the old "cancelled" so the resumed run reports afresh', async () => {
    client
      .handle('optimize:get', () => studyDetail('s1', { summary: { ...summary('s1', 1), state: 'running' } }))
      .handle('optimize:resume', ({ studyId }) => ({ studyId, seed: 1, total: 10, alreadyComplete: false }));
    await store.getState().open('s1');
    client.emit('optimize:progress', progress('s1', { state: 'cancelled' }));
    expect(store.getState().progress?.state).toBe('cancelled');
    await store.getState().resume('s1');
    expect(store.getState().progress).toBeNull();
    expect(client.callsTo('optimize:resume')).toEqual([{ studyId: 's1' }]);
    expect(store.getState().alreadyComplete).toBeNull();
  });

  it('a second resume while the first is unanswered sends nothing, and the store says which study resumes', async () => {
    // The services take seconds to answer a resume; a second click sent a request they refused.
    const answer = deferred<{ studyId: string; seed: number; total: number; alreadyComplete: boolean }>();
    client
      .handle('optimize:get', () => studyDetail('s1', { summary: { ...summary('s1', 1), state: 'running' } }))
      .handle('optimize:resume', () => answer.promise);
    await store.getState().open('s1');
    const first = store.getState().resume('s1');
    expect(store.getState().resuming).toBe('s1');
    await store.getState().resume('s1');
    answer.resolve({ studyId: 's1', seed: 1, total: 10, alreadyComplete: false });
    await first;
    expect(client.callsTo('optimize:resume')).toEqual([{ studyId: 's1' }]);
    expect(store.getState().resuming).toBeNull();
    expect(store.getState().notices).toEqual([]);
  });

  it('resuming a study that is already complete says so, and it stays complete', async () => {
    // The list went stale: it still said "cancelled" when another window's resume finished the study.
    client
      .handle('optimize:get', () =>
        studyDetail('s1', {
          summary: { ...summary('s1', 1), state: 'complete', trialsDone: 10, trialsTotal: 10 },
        }),
      )
      .handle('optimize:resume', ({ studyId }) => ({ studyId, seed: 1, total: 10, alreadyComplete: true }));
    await store.getState().open('s1');
    client.emit('optimize:progress', progress('s1', { state: 'cancelled', done: 4 }));
    await store.getState().resume('s1');
    expect(store.getState().alreadyComplete).toBe('s1');
    expect(store.getState().progress).toBeNull();
    expect(store.getState().study?.detail?.summary.state).toBe('complete');
    // Another study on screen does not inherit the note.
    await store.getState().open('s2');
    expect(store.getState().alreadyComplete).toBeNull();
  });

  it('renames and annotates a study in the list and on screen, and shows a refusal without changing it', async () => {
    client
      .handle('optimize:get', () => studyDetail('s1'))
      .handle('optimize:annotate', ({ studyId, name, note }) => {
        if (note === 'too long')
          throw new Error('Study note not saved: note: a study note is at most 2000 characters');
        return { ...summary(studyId, 1), name: name ?? 'study s1', note: note ?? '' };
      });
    await store.getState().open('s1');
    expect(await store.getState().annotate('s1', { name: 'wave', note: 'plateau' })).toBe(true);
    const listed = store.getState().studies;
    expect(listed.status === 'ready' && listed.data.find((s) => s.id === 's1')).toMatchObject({
      name: 'wave',
      note: 'plateau',
    });
    expect(store.getState().study?.detail?.summary).toMatchObject({ name: 'wave', note: 'plateau' });
    expect(await store.getState().annotate('s1', { note: 'too long' })).toBe(false);
    expect(
      store
        .getState()
        .notices.map((n) => n.message)
        .join(),
    ).toContain('note: a study note is at most');
    expect(store.getState().study?.detail?.summary.note).toBe('plateau');
  });

  it('deleting the study on screen takes it off screen and out of the list; a refusal keeps it', async () => {
    let running = true;
    let listed = [summary('s1', 1), summary('s2', 2)];
    client
      .handle('optimize:get', () => studyDetail('s1'))
      .handle('optimize:list', () => listed)
      .handle('optimize:delete', ({ studyId }) => {
        if (running) throw new Error(`study ${studyId} is running: cancel it before deleting it`);
        listed = listed.filter((s) => s.id !== studyId);
        return { studyId, deleted: true as const };
      });
    await store.getState().open('s1');
    await store.getState().remove('s1');
    expect(store.getState().study?.id).toBe('s1');
    expect(
      store
        .getState()
        .notices.map((n) => n.message)
        .join(),
    ).toContain('cancel it before deleting it');
    running = false;
    await store.getState().remove('s1');
    expect(store.getState().study).toBeNull();
    expect(store.getState().notices).toEqual([]);
    const studies = store.getState().studies;
    expect(studies.status === 'ready' && studies.data.map((s) => s.id)).toEqual(['s2']);
  });

  it('two objectives switch the study to Pareto mode, one brings it back to single', () => {
    store.getState().toggleObjective('maxDrawdown');
    expect(store.getState().setup.mode).toBe('pareto');
    store.getState().toggleObjective('maxDrawdown');
    expect(store.getState().setup.mode).toBe('single');
  });

  it('chart choices default to the study: its first measure, first two parameters and objectives', async () => {
    client.handle('optimize:get', () =>
      studyDetail('s1', {
        summary: {
          ...summary('s1', 1),
          mode: 'pareto',
          objectives: [
            { metric: 'totalReturn', direction: 'maximize' },
            { metric: 'maxDrawdown', direction: 'minimize' },
          ],
        },
      }),
    );
    await store.getState().open('s1');
    expect(store.getState().charts).toMatchObject({
      heatX: 'fast',
      heatY: 'slow',
      paretoA: 'objective-0',
      paretoB: 'objective-1',
    });
  });

  it("sends the app's session setting with the study, whichever view changed it", async () => {
    client.handle('optimize:start', () => ({ studyId: 'new', seed: 1, total: 2 }));
    fillValidForm();
    await store.getState().start();
    app.getState().setSession('extended');
    await store.getState().start();
    expect(
      client
        .callsTo('optimize:start')
        .map((request) => (request.data.kind === 'file' ? null : request.data.session)),
    ).toEqual(['regular', 'extended']);
  });

  it('the read made at the start never replaces the one made when the study finished', async () => {
    const first = deferred<ReturnType<typeof studyDetail>>();
    let reads = 0;
    client
      .handle('optimize:start', () => ({ studyId: 'new', seed: 1, total: 2 }))
      .handle('optimize:get', () => {
        reads += 1;
        return reads === 1
          ? first.promise
          : studyDetail('new', { trials: [trialRow(0), trialRow(1)], paretoFront: [0, 1] });
      });
    fillValidForm();
    const starting = store.getState().start();
    await vi.advanceTimersByTimeAsync(0);
    client.emit('optimize:progress', progress('new', { state: 'complete', done: 2, total: 2 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().study?.detail?.paretoFront).toEqual([0, 1]);
    first.resolve(studyDetail('new', { summary: { ...summary('new', 3), state: 'running' } }));
    await starting;
    expect(store.getState().study?.detail?.summary.state).toBe('complete');
    expect(store.getState().study?.detail?.paretoFront).toEqual([0, 1]);
    expect(store.getState().trials.map((t) => t.number)).toEqual([0, 1]);
  });

  it('the study form survives a reload; a kept form of another shape is dropped', () => {
    const keeper = memoryKeeper();
    const first = createOptimizeStore(client, app, keeper);
    first.getState().patchSetup({ trials: '77', seed: '9' });
    const second = createOptimizeStore(client, app, keeper);
    expect(second.getState().setup).toMatchObject({ trials: '77', seed: '9' });
    keeper.save('optimize-setup', { trials: 77 });
    expect(createOptimizeStore(client, app, keeper).getState().setup.trials).not.toBe(77);
  });

  it('opens the study that was open before a reload, unless the services no longer list it', async () => {
    client.handle('optimize:get', ({ studyId }) => studyDetail(studyId, { summary: summary(studyId, 1) }));
    const keeper = memoryKeeper();
    const before = createOptimizeStore(client, app, keeper);
    await before.getState().open('s1');
    const after = createOptimizeStore(client, app, keeper);
    after.getState().connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(after.getState().study?.id).toBe('s1');
    expect(after.getState().study?.detail?.summary.id).toBe('s1');

    // Deleted meanwhile: nothing is opened, and no notice says an unasked-for study failed to open.
    await after.getState().open('gone');
    const afterDelete = createOptimizeStore(client, app, keeper);
    afterDelete.getState().connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(afterDelete.getState().study).toBeNull();
    expect(afterDelete.getState().notices).toEqual([]);
  });
});
