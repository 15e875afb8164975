/**
 * One cancel channel for every kind of job (issue 8 item 5): `job:cancel` stops a study (by its study id),
 * a walk-forward run and a data fetch through the same dispatch the hosts use, and answers once the job
 * has stopped, so what it stored can be read straight after. There is no second channel for studies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { Services } from '../../src/main/services/services.ts';
import {
  REQUEST_CHANNELS,
  type JobProgress,
  type RequestChannel,
  type RequestInput,
  type RequestOutput,
} from '../../src/shared/contract.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { HOST_END, HOST_START, HOST_SYMBOL, servicesOnTempDir } from '../support/serviceHost.ts';

const KEY_ID = 'PKJOBCANCEL00042';
const SECRET = 'job-cancel-secret-5518';

let fake: FakeAlpaca;
let services: Services;
let dir: { remove(): void };
const done: { jobId: string; ok: boolean; error?: string }[] = [];

beforeAll(async () => {
  fake = await FakeAlpaca.start({ keyId: KEY_ID, secretKey: SECRET });
  ({ dir, services } = await servicesOnTempDir('regimen-job-cancel-', {
    env: { APCA_API_KEY_ID: KEY_ID, APCA_API_SECRET_KEY: SECRET },
    alpaca: { dataBaseUrl: fake.url, requestsPerMinute: 6_000 },
  }));
  const market = createSyntheticMarket({
    seed: 7,
    start: HOST_START,
    end: HOST_END,
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === HOST_SYMBOL),
  });
  await services.bars.write(HOST_SYMBOL, '1m', market.generate(0).bars, 'test');
  services.events.subscribe((channel, payload) => {
    if (channel === 'job:done') done.push(payload as (typeof done)[number]);
  });
});

afterAll(async () => {
  await services?.close();
  await fake?.close();
  dir?.remove();
});

const call = <K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>> =>
  dispatch(services.handlers, channel, input) as Promise<RequestOutput<K>>;

/** Sends `job:cancel` for `jobId` as its first progress event that `when` accepts is told. */
function cancelOnProgress(
  jobId: string,
  when: (progress: JobProgress) => boolean = () => true,
): Promise<RequestOutput<'job:cancel'>> {
  return new Promise((resolve, reject) => {
    const stop = services.events.subscribe((channel, payload) => {
      const progress = payload as JobProgress;
      if (channel !== 'job:progress' || progress.jobId !== jobId || !when(progress)) return;
      stop();
      call('job:cancel', { jobId }).then(resolve, reject);
    });
  });
}

describe('job:cancel', () => {
  it('is the only cancel channel', () => {
    expect(REQUEST_CHANNELS.filter((channel) => channel.endsWith(':cancel'))).toEqual(['job:cancel']);
  });

  it('stops a study by its id and answers once it has stopped, its finished trials stored', async () => {
    const { studyId } = await call('optimize:start', {
      strategy: 'sma-cross',
      data: { symbol: HOST_SYMBOL, timeframes: ['1h'] },
      space: ['fast=2:40', 'slow=5:200'],
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 5_000,
      seed: 4,
    });
    expect(await call('job:cancel', { jobId: studyId })).toEqual({ cancelled: true });
    // No wait after the answer: the study is stopped and stored as cancelled already.
    const { summary } = await call('optimize:get', { studyId, includeTrials: false });
    expect(summary.state).toBe('cancelled');
    expect(summary.trialsDone).toBeLessThan(5_000);
    expect(await call('job:cancel', { jobId: studyId })).toEqual({ cancelled: false });
  });

  it('stops a walk-forward run as its first window is told', async () => {
    const jobId = 'walk-forward-cancelled';
    const cancelled = cancelOnProgress(jobId);
    const answer = await call('walkforward:run', {
      jobId,
      strategy: 'sma-cross',
      data: { symbol: HOST_SYMBOL, timeframe: '1h' },
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 4,
      seed: 3,
      windows: { train: 4, test: 2, step: 2 },
    });
    expect(await cancelled).toEqual({ cancelled: true });
    expect(answer).toEqual({ jobId, cancelled: true });
    expect(done.filter((d) => d.jobId === jobId)).toEqual([{ jobId, ok: false, error: 'cancelled' }]);
  });

  it('stops a data fetch once a page is stored', async () => {
    const jobId = 'fetch-cancelled';
    fake.delayMs = 100;
    try {
      const cancelled = cancelOnProgress(jobId, (p) => p.done > 0);
      const answer = await call('data:fetch', {
        jobId,
        symbols: ['NVDA'],
        timeframe: '1Min',
        start: Date.UTC(2023, 0, 3),
        end: Date.UTC(2024, 0, 3),
      });
      expect(await cancelled).toEqual({ cancelled: true });
      expect(answer).toEqual({ jobId, cancelled: true });
      expect(done.filter((d) => d.jobId === jobId)).toEqual([{ jobId, ok: false, error: 'cancelled' }]);
    } finally {
      fake.delayMs = 0;
    }
  });
});
