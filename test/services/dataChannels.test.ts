/**
 * The market-data and settings channels through the same dispatch the hosts use: services on a temp data
 * dir (no demo market), keys in an in-memory secret store and an isolated environment, the fake Alpaca
 * server for fetches, and the real GOOG.csv for import. Every answer, event and error of the run is kept
 * to check that no saved key ever comes back out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, EventPayload, RequestChannel } from '../../src/shared/contract.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { Services } from '../../src/main/services/services.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { expectedBars } from '../marketdata/helpers.ts';
import { servicesOnTempDir } from '../support/serviceHost.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const KEY_ID = 'PKDATACHANNELS0042';
const SECRET = 'sEcReT-dAtA-cHaNnElS-never-shown-9731';
const WRONG_SECRET = 'wRoNg-SeCrEt-also-never-shown-5519';
const START = Date.UTC(2024, 0, 2);
const END = Date.UTC(2024, 0, 20);
const goog = sharedDataFile('GOOG.csv');

let fake: FakeAlpaca;
let services: Services;
let dir: { path: string; remove(): void };
const env: NodeJS.ProcessEnv = {};
/** Everything that left the services during the run: answers, events and error messages. */
const outbound: string[] = [];
const events: Array<{ channel: EventChannel; payload: unknown }> = [];

async function call(channel: RequestChannel, input: unknown): Promise<unknown> {
  try {
    const result = await dispatch(services.handlers, channel, input);
    outbound.push(JSON.stringify(result));
    return result;
  } catch (error) {
    outbound.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    throw error;
  }
}

async function refusal(channel: RequestChannel, input: unknown): Promise<string> {
  try {
    await call(channel, input);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`${channel} accepted ${JSON.stringify(input)}`);
}

/** A one-symbol fetch of the test range that must be refused; its message. */
function refusedFetch(jobId: string, symbol: string): Promise<string> {
  return refusal('data:fetch', { jobId, symbols: [symbol], timeframe: '1Min', start: START, end: END });
}

function jobEvents<K extends EventChannel>(channel: K, jobId: string): EventPayload<K>[] {
  return events
    .filter((e) => e.channel === channel && (e.payload as { jobId: string }).jobId === jobId)
    .map((e) => e.payload as EventPayload<K>);
}

beforeAll(async () => {
  fake = await FakeAlpaca.start({ keyId: KEY_ID, secretKey: SECRET });
  ({ dir, services } = await servicesOnTempDir('regimen-data-channels-', {
    env,
    alpaca: { dataBaseUrl: fake.url, streamBaseUrl: fake.streamUrl, requestsPerMinute: 6_000 },
  }));
  services.events.subscribe((channel, payload) => {
    events.push({ channel, payload });
    outbound.push(JSON.stringify(payload));
  });
});

afterAll(async () => {
  await services?.close();
  await fake?.close();
  dir?.remove();
});

describe('settings channels', () => {
  it('reports no keys, then saved keys, then environment keys, then none after clearing', async () => {
    const none = await call('settings:keys-status', {});
    expect(none).toMatchObject({
      alpaca: { configured: false, source: 'none', dataBaseUrl: fake.url },
      keychain: 'memory',
    });
    expect((none as { note: string }).note).toMatch(/this session only.*APCA_API_KEY_ID/);

    // Saved without an OS keychain, the keys are said to be held in memory, not in a keychain.
    const saved = await call('settings:save-keys', { keyId: KEY_ID, secret: SECRET });
    expect(saved).toMatchObject({ alpaca: { configured: true, source: 'memory' }, keychain: 'memory' });

    env['APCA_API_KEY_ID'] = 'PKFROMENVIRONMENT01';
    env['APCA_API_SECRET_KEY'] = 'environment-secret-0001';
    try {
      expect(await call('settings:keys-status', {})).toMatchObject({
        alpaca: { configured: true, source: 'environment' },
      });
    } finally {
      delete env['APCA_API_KEY_ID'];
      delete env['APCA_API_SECRET_KEY'];
    }

    expect(await call('settings:clear-keys', {})).toMatchObject({
      alpaca: { configured: false, source: 'none' },
    });
  });

  it('refuses malformed keys naming the field, without echoing the value', async () => {
    const spaced = `${SECRET} tail`;
    const message = await refusal('settings:save-keys', { keyId: KEY_ID, secret: spaced });
    expect(message).toContain('secret');
    expect(message).toContain('cannot contain spaces');
    expect(message).not.toContain(SECRET);
    expect(await refusal('settings:save-keys', { keyId: '', secret: SECRET })).toContain('keyId');
    expect(await refusal('settings:save-keys', { keyId: KEY_ID })).toContain('secret');
  });
});

describe('data:fetch', () => {
  it('says where to add keys when none are configured', async () => {
    await call('settings:clear-keys', {});
    const message = await refusal('data:fetch', {
      symbols: ['AAPL'],
      timeframe: '1Min',
      start: START,
      end: END,
    });
    expect(message).toMatch(/^No Alpaca API keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
    expect(message).not.toMatch(/kept in the OS keychain/);
  });

  it('says Alpaca refused the keys when they are wrong, without showing them', async () => {
    await call('settings:save-keys', { keyId: KEY_ID, secret: WRONG_SECRET });
    const jobId = 'fetch-wrong-keys';
    const message = await refusedFetch(jobId, 'AAPL');
    expect(message).toMatch(/Alpaca refused the API keys/);
    expect(message).not.toContain(WRONG_SECRET);
    const done = jobEvents('job:done', jobId);
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ ok: false });
    expect(done[0]?.error).toMatch(/Alpaca refused the API keys/);
  });

  it('fetches from the fake server with progress events and stores every bar', async () => {
    // Saving keys again must replace the refused ones in the running service.
    await call('settings:save-keys', { keyId: KEY_ID, secret: SECRET });
    const jobId = 'fetch-ok';
    const summary = (await call('data:fetch', {
      jobId,
      symbols: ['aapl', 'MSFT'],
      timeframe: '1Min',
      start: '2024-01-02',
      end: new Date(END).toISOString(),
    })) as { symbols: string[]; bars: number; pages: number };
    expect(summary.symbols).toEqual(['AAPL', 'MSFT']);

    const progress = jobEvents('job:progress', jobId);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((p) => p.stage === 'fetch' && p.done <= p.total)).toBe(true);
    const last = progress.at(-1)!;
    expect(last.done / last.total).toBe(1);
    expect(last.message).toContain(summary.bars.toLocaleString('en-US'));
    expect(jobEvents('job:done', jobId)).toEqual([{ jobId, ok: true }]);

    const coverage = (await call('data:coverage', {})) as Array<{
      symbol: string;
      timeframe: string;
      bars: number;
      coverage: Array<{ start: number; end: number; adjustment: string; feed: string }>;
    }>;
    let stored = 0;
    for (const symbol of ['AAPL', 'MSFT']) {
      const want = expectedBars(fake, symbol, '1Min', START, END);
      const row = coverage.find((d) => d.symbol === symbol && d.timeframe === '1m');
      expect(row?.bars).toBe(want.t.length);
      expect(row?.coverage.length).toBeGreaterThan(0);
      expect(row!.coverage[0]!.start).toBeLessThanOrEqual(START);
      stored += row!.bars;
    }
    expect(summary.bars).toBe(stored);

    // The same range again asks Alpaca for nothing.
    fake.requests.length = 0;
    const again = (await call('data:fetch', {
      symbols: ['AAPL', 'MSFT'],
      timeframe: '1Min',
      start: START,
      end: END,
    })) as { requests: number; bars: number };
    expect(again).toMatchObject({ requests: 0, bars: 0 });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses malformed fetches naming the field', async () => {
    const base = { symbols: ['AAPL'], timeframe: '1Min', start: START, end: END };
    expect(await refusal('data:fetch', { ...base, symbols: [] })).toMatch(/symbols: give at least one/);
    expect(await refusal('data:fetch', { ...base, symbols: ['BAD SYMBOL'] })).toContain('symbols.0');
    expect(await refusal('data:fetch', { ...base, timeframe: '2Min' })).toContain('timeframe');
    expect(await refusal('data:fetch', { ...base, start: 'yesterday-ish' })).toContain(
      'start: must be epoch milliseconds or an ISO date',
    );
    expect(await refusal('data:fetch', { symbols: ['AAPL'], timeframe: '1Min', start: START })).toContain(
      'end: must be epoch milliseconds or an ISO date',
    );
    expect(await refusal('data:fetch', { ...base, end: START - 1 })).toMatch(/end: must be after start/);
    expect(await refusal('data:fetch', { ...base, feed: 'otc' })).toContain('feed');
    expect(await refusal('data:fetch', { ...base, extra: 1 })).toContain('extra');
  });

  it('an upstream refusal echoing the keys encoded reaches neither the answer nor job:done', async () => {
    await call('settings:save-keys', { keyId: KEY_ID, secret: SECRET });
    const basic = Buffer.from(`${KEY_ID}:${SECRET}`).toString('base64');
    fake.failNext({
      kind: 'echo',
      status: 400,
      message: `rejected ${SECRET.toUpperCase()} ${Buffer.from(SECRET).toString('base64')} Basic ${basic}`,
    });
    const jobId = 'fetch-echo';
    const message = await refusedFetch(jobId, 'ECHO');
    const done = jobEvents('job:done', jobId);
    expect(done).toHaveLength(1);
    for (const text of [message, done[0]?.error ?? '']) {
      expect(text).toMatch(/HTTP 400/);
      expect(text.toUpperCase()).not.toContain(SECRET.toUpperCase());
      expect(text).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, -4));
      expect(text).not.toContain(basic.slice(0, -4));
    }
  });
});

describe('data:sync', () => {
  it('refuses malformed syncs naming the field', async () => {
    const base = { jobId: 'sync-bad', symbols: ['SYNX'], since: START };
    expect(await refusal('data:sync', { ...base, symbols: [] })).toMatch(/symbols: give at least one/);
    expect(await refusal('data:sync', { ...base, since: 'soon' })).toContain(
      'since: must be epoch milliseconds or an ISO date',
    );
    expect(await refusal('data:sync', { ...base, feed: 'otc' })).toContain('feed');
    expect(await refusal('data:sync', { symbols: ['SYNX'], since: START })).toContain('jobId');
  });

  it('stores and tells each streamed bar until job:cancel, which answers once the stream is closed', async () => {
    await call('settings:save-keys', { keyId: KEY_ID, secret: SECRET });
    const jobId = 'sync-live';
    // The fake market ends before today: the catch-up finds nothing, the published minutes are the bars.
    const t = fake.market.series('SYNX', '1Min').bars.t;
    const minutes = Array.from(t.subarray(t.length - 2));
    const pending = call('data:sync', { jobId, symbols: ['synx'], since: Date.now() - 60_000 });
    await expect.poll(() => fake.subscribers('SYNX'), { timeout: 30_000 }).toBe(1);
    expect(jobEvents('data:sync-state', jobId).map((s) => s.state)).toEqual([
      'caught-up',
      'connecting',
      'live',
    ]);
    for (const minute of minutes) fake.publishBar('SYNX', minute);
    await expect.poll(() => jobEvents('data:sync-bar', jobId).length, { timeout: 30_000 }).toBe(2);
    expect(await call('job:cancel', { jobId })).toEqual({ cancelled: true });
    const stopped = jobEvents('data:sync-state', jobId).at(-1);
    expect(stopped).toEqual({ jobId, state: 'stopped', reason: 'cancelled' });
    expect(await pending).toMatchObject({ jobId, cancelled: true, reached: 'live', streamed: 2 });
    expect(jobEvents('job:done', jobId)).toEqual([{ jobId, ok: false, error: 'cancelled' }]);
    const bars = jobEvents('data:sync-bar', jobId);
    expect(bars.map((b) => [b.symbol, b.t])).toEqual(minutes.map((m) => ['SYNX', m]));
    const stored = (await call('bars:get', {
      symbol: 'SYNX',
      timeframe: '1m',
      start: minutes[0]!,
      end: minutes[1]! + 60_000,
    })) as { t: number[]; c: number[] };
    expect(stored.t).toEqual(minutes);
    expect(stored.c).toEqual(bars.map((b) => b.c));
    await expect.poll(() => fake.subscribers('SYNX'), { timeout: 30_000 }).toBe(0);
  });
});

describe('job:cancel', () => {
  it('stops a running fetch, keeps the pages it stored, and a second fetch completes the rest', async () => {
    await call('settings:save-keys', { keyId: KEY_ID, secret: SECRET });
    const symbol = 'NVDA';
    // A year of minutes is a dozen 30-day request chains; slow answers leave time to cancel midway.
    const start = Date.UTC(2023, 0, 3);
    const end = Date.UTC(2024, 0, 3);
    const request = { symbols: [symbol], timeframe: '1Min', start, end };
    const want = expectedBars(fake, symbol, '1Min', start, end).t.length;
    const storedBars = async (): Promise<number> => {
      const coverage = (await call('data:coverage', {})) as Array<{
        symbol: string;
        timeframe: string;
        bars: number;
      }>;
      return coverage.find((d) => d.symbol === symbol && d.timeframe === '1m')?.bars ?? 0;
    };

    const jobId = 'fetch-cancelled';
    fake.delayMs = 150;
    let stored: number;
    try {
      // A cancel is an outcome the caller asked for: the request answers it, it does not fail.
      const pending = call('data:fetch', { ...request, jobId });
      // Cancel once at least one page is committed.
      const deadline = Date.now() + 10_000;
      while (!jobEvents('job:progress', jobId).some((p) => p.done > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await call('job:cancel', { jobId })).toEqual({ cancelled: true });
      expect(await pending).toEqual({ jobId, cancelled: true });
      expect(jobEvents('job:done', jobId)).toEqual([{ jobId, ok: false, error: 'cancelled' }]);
      // The job has left the registry: cancelling it again reaches nothing.
      expect(await call('job:cancel', { jobId })).toEqual({ cancelled: false });
      stored = await storedBars();
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThan(want);
    } finally {
      fake.delayMs = 0;
    }

    const rest = (await call('data:fetch', { ...request, jobId: 'fetch-after-cancel' })) as { bars: number };
    expect(jobEvents('job:done', 'fetch-after-cancel')).toEqual([{ jobId: 'fetch-after-cancel', ok: true }]);
    expect(await storedBars()).toBe(want);
    // Only what the cancelled fetch had not stored was asked for again (pages overlap at most at a chain's
    // cut-off, which the store deduplicates).
    expect(rest.bars).toBeLessThan(want);
    expect(rest.bars).toBeGreaterThanOrEqual(want - stored);
  });

  it('answers false for a job that is not running', async () => {
    expect(await call('job:cancel', { jobId: 'no-such-job' })).toEqual({ cancelled: false });
    expect(await refusal('job:cancel', {})).toContain('jobId');
  });
});

describe('data:quality and data:export', () => {
  it('reports a score, complete counts and a capped problem list, and repairs', async () => {
    const result = (await call('data:quality', { symbol: 'AAPL', timeframe: '1m', limit: 3 })) as {
      report: {
        score: number;
        rows: number;
        counts: Record<string, number>;
        problems: Array<{ t: number; kind: string; message: string }>;
        totalProblems: number;
        truncated: boolean;
      };
    };
    const report = result.report;
    expect(report.rows).toBe(expectedBars(fake, 'AAPL', '1Min', START, END).t.length);
    expect(report.score).toBeGreaterThanOrEqual(0);
    expect(report.score).toBeLessThanOrEqual(1);
    const total = Object.values(report.counts).reduce((a, b) => a + b, 0);
    expect(report.totalProblems).toBe(total);
    expect(report.problems.length).toBe(Math.min(3, total));
    expect(report.truncated).toBe(total > 3);
    for (const problem of report.problems) expect(Number.isFinite(problem.t)).toBe(true);

    const repaired = (await call('data:quality', { symbol: 'AAPL', timeframe: '1m', repair: true })) as {
      repair?: { droppedBars: number; gapsMarked: number };
    };
    expect(repaired.repair).toBeDefined();
    expect(repaired.repair!.gapsMarked).toBe(report.counts['gap']);
  });

  it('refuses malformed quality requests and unknown symbols clearly', async () => {
    expect(await refusal('data:quality', {})).toContain('symbol');
    expect(await refusal('data:quality', { symbol: 'AAPL', timeframe: 'daily' })).toContain('timeframe');
    expect(await refusal('data:quality', { symbol: 'AAPL', limit: 0 })).toContain('limit');
    expect(await refusal('data:quality', { symbol: 'NOPE' })).toContain('No bars stored for symbol "NOPE"');
  });

  it('exports a cached range and will not overwrite a file unless asked', async () => {
    const path = join(dir.path, 'exports', 'aapl.csv');
    const first = (await call('data:export', {
      symbol: 'AAPL',
      timeframe: '1h',
      format: 'csv',
      path,
    })) as { path: string; bars: number };
    expect(first.path).toBe(path);
    expect(first.bars).toBeGreaterThan(0);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(first.bars + 1);
    expect(await refusal('data:export', { symbol: 'AAPL', timeframe: '1h', format: 'csv', path })).toContain(
      'already exists',
    );
    const again = (await call('data:export', {
      symbol: 'AAPL',
      timeframe: '1h',
      format: 'csv',
      path,
      overwrite: true,
    })) as { bars: number };
    expect(again.bars).toBe(first.bars);
    expect(
      await refusal('data:export', { symbol: 'AAPL', timeframe: '1h', format: 'parquet', path }),
    ).toContain('path: the file extension must match the format');
    expect(
      await refusal('data:export', { symbol: 'AAPL', timeframe: '1h', format: 'csv', path: 'out.csv' }),
    ).toContain('path: must be an absolute path');
  });
});

describe(`data:import${goog.skipReason}`, () => {
  it.skipIf(!goog.present)('imports GOOG.csv with progress and lists it', async () => {
    const jobId = 'import-goog';
    const result = (await call('data:import', { jobId, path: goog.path })) as {
      symbol: string;
      timeframe: string;
      bars: number;
      start: number;
      end: number;
    };
    expect(result).toMatchObject({ symbol: 'GOOG', timeframe: '1d', bars: 2148 });
    // Daily bars are stamped at the session day's midnight in New York (EDT in August).
    expect(result.start).toBe(Date.UTC(2004, 7, 19, 4));
    const progress = jobEvents('job:progress', jobId);
    // Progress counts the file's bytes: from none to all of them.
    expect(progress[0]?.done).toBe(0);
    expect(progress.at(-1)?.total).toBeGreaterThan(90_000);
    expect(progress.at(-1)?.done).toBe(progress.at(-1)?.total);
    expect(progress.at(-1)?.message).toBe('2,148 bars stored as GOOG 1d');
    expect(jobEvents('job:done', jobId)).toEqual([{ jobId, ok: true }]);

    const coverage = (await call('data:coverage', {})) as Array<{
      symbol: string;
      bars: number;
      source: string;
    }>;
    expect(coverage.find((d) => d.symbol === 'GOOG')).toMatchObject({ bars: 2148 });

    const quality = (await call('data:quality', { symbol: 'GOOG' })) as {
      report: { timeframe: string; rows: number; score: number };
    };
    expect(quality.report).toMatchObject({ timeframe: '1d', rows: 2148 });
    expect(quality.report.score).toBeGreaterThan(0.5);
  });

  it('refuses a path that is not an absolute bars file, and names a missing file', async () => {
    expect(await refusal('data:import', { path: 'GOOG.csv' })).toContain('path: must be an absolute path');
    expect(await refusal('data:import', { path: '/etc/passwd' })).toContain('path: must name a .csv');
    const missing = join(dir.path, 'absent.csv');
    expect(existsSync(missing)).toBe(false);
    expect(await refusal('data:import', { path: missing })).toContain(`${missing}: no such file`);
  });
});

describe('secrets', () => {
  it('never appear in any answer, event or error of this run', () => {
    expect(outbound.length).toBeGreaterThan(20);
    for (const text of outbound) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(WRONG_SECRET);
      expect(text).not.toContain(KEY_ID);
    }
  });
});
