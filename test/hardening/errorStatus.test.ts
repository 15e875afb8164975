/**
 * Issue 9 item 4: a caller's mistake is a 4xx naming the field, never a 500, and Electron IPC answers it
 * with the same wire error as HTTP. Each case is one refusal the probe saw answered with 500.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOrWireError } from '../../src/main/services/dispatch.ts';
import {
  HOST_BACKTEST as backtest,
  HOST_END,
  HOST_START,
  HOST_SYMBOL,
  startServiceHost,
  type ServiceHost,
} from '../support/serviceHost.ts';

let h: ServiceHost;
beforeAll(async () => {
  h = await startServiceHost();
});
afterAll(async () => h?.close());

interface Case {
  name: string;
  channel: string;
  body: () => unknown;
  status: number;
  field?: string;
  says: RegExp;
}

const CASES: Case[] = [
  {
    name: 'a misspelled field',
    channel: 'backtest:run',
    body: () => ({ ...backtest, comission: 0.002 }),
    status: 400,
    field: 'comission',
    says: /^Backtest not run: comission: unknown field$/,
  },
  {
    name: 'an unknown symbol in a backtest',
    channel: 'backtest:run',
    body: () => ({ ...backtest, symbol: 'NOPE' }),
    status: 404,
    field: 'symbol',
    says: /NOPE/,
  },
  {
    name: 'an unknown strategy',
    channel: 'backtest:run',
    body: () => ({ ...backtest, strategy: 'moon-shot' }),
    status: 404,
    field: 'strategy',
    says: /moon-shot/,
  },
  {
    name: 'an out-of-range parameter',
    channel: 'backtest:run',
    // Outside the limits any run accepts (fast >= 1), not merely outside the default search range.
    body: () => ({ ...backtest, params: { fast: 0, slow: 20 } }),
    status: 400,
    field: 'params',
    says: /fast/,
  },
  {
    name: 'an empty range (a weekend)',
    channel: 'backtest:run',
    body: () => ({ ...backtest, start: Date.UTC(2024, 0, 6), end: Date.UTC(2024, 0, 7) }),
    status: 400,
    field: 'start',
    says: /SYNX 1h: fewer than 2 1h bars from 2024-01-06 through 2024-01-06 \(found 0\); SYNX 1h is cached from /,
  },
  {
    name: 'bars of an unknown symbol',
    channel: 'bars:get',
    body: () => ({ symbol: 'NOPE', timeframe: '1d' }),
    status: 404,
    field: 'symbol',
    says: /NOPE/,
  },
  {
    name: 'the quality of an unknown symbol',
    channel: 'data:quality',
    body: () => ({ symbol: 'NOPE' }),
    status: 404,
    field: 'symbol',
    says: /NOPE/,
  },
  {
    name: 'the quality of a timeframe not stored',
    channel: 'data:quality',
    // Every app timeframe (1w and 1mo too) derives from the host's 1m bars; 2w is a label a file could
    // carry, so it is well formed, yet neither stored nor derivable.
    body: () => ({ symbol: HOST_SYMBOL, timeframe: '2w' }),
    status: 404,
    field: 'timeframe',
    says: /2w/,
  },
  {
    name: 'importing a file that does not exist',
    channel: 'data:import',
    body: () => ({ path: join(h.dataDir, 'missing.csv') }),
    status: 404,
    field: 'path',
    says: /no such file/,
  },
  {
    name: 'importing a malformed file',
    channel: 'data:import',
    body: () => ({ path: join(h.dataDir, 'BAD.csv') }),
    status: 400,
    field: 'path',
    says: /BAD\.csv line 3, column "high"/,
  },
  {
    name: 'importing a file whose name gives no symbol',
    channel: 'data:import',
    body: () => ({ path: join(h.dataDir, '$$$.csv') }),
    status: 400,
    field: 'symbol',
    says: /give the symbol/,
  },
  {
    name: 'exporting over an existing file',
    channel: 'data:export',
    body: () => ({ symbol: HOST_SYMBOL, timeframe: '1d', format: 'csv', path: join(h.dataDir, 'BAD.csv') }),
    status: 409,
    field: 'path',
    says: /already exists/,
  },
  {
    name: 'exporting an unknown symbol',
    channel: 'data:export',
    body: () => ({ symbol: 'NOPE', timeframe: '1d', format: 'csv', path: join(h.dataDir, 'out.csv') }),
    status: 404,
    field: 'symbol',
    says: /NOPE/,
  },
  {
    name: 'fetching without keys',
    channel: 'data:fetch',
    body: () => ({ symbols: ['SPY'], timeframe: '1Day', start: HOST_START, end: HOST_END }),
    status: 409,
    says: /No Alpaca API keys/,
  },
  {
    name: 'an unknown study',
    channel: 'optimize:get',
    body: () => ({ studyId: 'no-such-study' }),
    status: 404,
    field: 'studyId',
    says: /no-such-study/,
  },
  {
    name: 'resuming an unknown study',
    channel: 'optimize:resume',
    body: () => ({ studyId: 'no-such-study' }),
    status: 404,
    field: 'studyId',
    says: /no-such-study/,
  },
  {
    name: 'a study of an unknown symbol',
    channel: 'optimize:start',
    body: () => ({
      strategy: 'sma-cross',
      data: { symbol: 'NOPE', timeframes: ['1h'] },
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 4,
    }),
    status: 404,
    field: 'data.symbol',
    says: /NOPE/,
  },
  {
    name: 'a walk-forward whose windows do not fit the data',
    channel: 'walkforward:run',
    body: () => ({
      strategy: 'sma-cross',
      data: { symbol: HOST_SYMBOL, timeframe: '1h' },
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 2,
      windows: { train: 365, test: 30, step: 30 },
    }),
    status: 400,
    field: 'windows',
    says: /too short for one window/,
  },
];

describe('caller errors are 4xx naming the field, the same over HTTP and IPC', () => {
  beforeAll(() => {
    writeFileSync(
      join(h.dataDir, 'BAD.csv'),
      'timestamp,open,high,low,close,volume\n2024-01-02,10,11,9,10,100\n2024-01-03,10,8,9,10,100\n',
    );
    writeFileSync(
      join(h.dataDir, '$$$.csv'),
      'timestamp,open,high,low,close,volume\n2024-01-02,10,11,9,10,100\n',
    );
  });

  it.each(CASES)('$name: $status', async (c) => {
    const answer = await h.post(c.channel, c.body());
    expect(answer.body).toMatchObject({
      error: { status: c.status, message: expect.stringMatching(c.says) },
    });
    expect(answer.status).toBe(c.status);
    expect((answer.body as { error: { field?: string } }).error.field).toBe(c.field);
    // The desktop app's IPC handler answers with the same wire error (status, kind, field, message).
    expect(await dispatchOrWireError(h.services.handlers, c.channel, c.body())).toEqual(answer.body);
  });
});
