import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventChannel } from '../../shared/contract.ts';
import { EventBus } from './events.ts';
import { JOB_PROGRESS_INTERVAL_MS, JobCancelledError, JobRegistry, runJob, type JobContext } from './jobs.ts';

function recorded(): { context: JobContext & { jobs: JobRegistry }; events: [EventChannel, unknown][] } {
  const bus = new EventBus();
  const events: [EventChannel, unknown][] = [];
  bus.subscribe((channel, payload) => events.push([channel, payload]));
  return { context: { events: bus, jobs: new JobRegistry() }, events };
}

describe('runJob', () => {
  afterEach(() => vi.useRealTimers());

  it('throttles progress, always sends the final report, and ends with one job:done', async () => {
    vi.useFakeTimers();
    const { context, events } = recorded();
    const result = await runJob(
      context,
      { jobId: 'j1', stage: 'import', cancellable: false },
      async (job) => {
        for (let done = 0; done < 10; done++) job.progress(done, 10);
        vi.advanceTimersByTime(JOB_PROGRESS_INTERVAL_MS);
        job.progress(10, 10, { message: 'all stored', stage: 'write' });
        return 42;
      },
    );
    expect(result).toBe(42);
    expect(events).toEqual([
      ['job:progress', { jobId: 'j1', stage: 'import', done: 0, total: 10 }],
      ['job:progress', { jobId: 'j1', stage: 'write', done: 10, total: 10, message: 'all stored' }],
      ['job:done', { jobId: 'j1', ok: true }],
    ]);
  });

  it('a cancellable job is reached by job:cancel and ends as cancelled, whatever it threw', async () => {
    const { context, events } = recorded();
    const run = runJob(context, { jobId: 'j2', stage: 'fetch', cancellable: true }, async (job) => {
      expect(context.jobs.cancel('j2')).toBe(true);
      job.throwIfCancelled();
      return 'not reached';
    });
    await expect(run).rejects.toBeInstanceOf(JobCancelledError);
    expect(events.at(-1)).toEqual(['job:done', { jobId: 'j2', ok: false, error: 'cancelled' }]);
    // Finished: the id is free again and a late cancel answers false.
    expect(context.jobs.cancel('j2')).toBe(false);
    const aborted = runJob(context, { jobId: 'j3', stage: 'fetch', cancellable: true }, async (job) => {
      context.jobs.cancel('j3');
      throw new Error(`socket closed (${String(job.signal.aborted)})`);
    });
    await expect(aborted).rejects.toBeInstanceOf(JobCancelledError);
  });

  it('a job that is not cancellable is not registered', async () => {
    const { context } = recorded();
    await runJob(context, { jobId: 'j4', stage: 'backtest', cancellable: false }, async () => {
      expect(context.jobs.cancel('j4')).toBe(false);
    });
  });

  it('scrubs the error of a failed job before it leaves, in the answer and in job:done', async () => {
    const { context, events } = recorded();
    const scrubbed: JobContext = {
      ...context,
      scrub: (error) => new Error(String((error as Error).message).replaceAll('SECRETKEY', '[redacted]')),
    };
    const run = runJob(scrubbed, { jobId: 'j5', stage: 'fetch', cancellable: true }, async () => {
      throw new Error('401 for key SECRETKEY');
    });
    await expect(run).rejects.toThrow('401 for key [redacted]');
    expect(events.at(-1)).toEqual(['job:done', { jobId: 'j5', ok: false, error: '401 for key [redacted]' }]);
    expect(JSON.stringify(events)).not.toContain('SECRETKEY');
  });
});
