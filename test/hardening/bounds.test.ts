/**
 * Issue 9 item 6: values a request can carry are bounded (instants, cash, walk-forward windows) and
 * `end` must follow `start`; each refusal is a 400 naming the request field, in the API's words (no CLI
 * flag), and the CLI names its own flag for the same field.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';
import {
  HOST_BACKTEST as backtest,
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

const study = {
  strategy: 'sma-cross',
  data: { symbol: HOST_SYMBOL, timeframes: ['1h'] },
  objectives: [{ metric: 'sharpeRatio' }],
  trials: 4,
};
const walkForward = {
  strategy: 'sma-cross',
  data: { symbol: HOST_SYMBOL, timeframe: '1h' },
  objectives: [{ metric: 'sharpeRatio' }],
  trials: 2,
};
const exportTo = (file: string) => ({
  symbol: HOST_SYMBOL,
  timeframe: '1d',
  format: 'csv',
  path: join(h.dataDir, file),
});

const CASES: [string, string, () => unknown, string, RegExp][] = [
  ['a start of 1e308', 'backtest:run', () => ({ ...backtest, start: 1e308 }), 'start', /2200-01-01/],
  [
    'an end in year 1',
    'bars:get',
    () => ({ symbol: HOST_SYMBOL, timeframe: '1d', end: -6.2e13 }),
    'end',
    /1900/,
  ],
  [
    'end before start',
    'bars:get',
    () => ({ symbol: HOST_SYMBOL, timeframe: '1d', start: HOST_START, end: HOST_START - 1 }),
    'end',
    /after start/,
  ],
  [
    'an export with end before start',
    'data:export',
    () => ({ ...exportTo('x.csv'), start: '2024-02-01', end: '2024-01-01' }),
    'end',
    /after start/,
  ],
  ['an export from 1e308', 'data:export', () => ({ ...exportTo('y.csv'), start: 1e308 }), 'start', /2200/],
  [
    'a fetch from year 5138',
    'data:fetch',
    () => ({ symbols: ['SPY'], timeframe: '1Day', start: 1e17, end: 1.1e17 }),
    'start',
    /2200/,
  ],
  [
    'a study ending before it starts',
    'optimize:start',
    () => ({ ...study, data: { ...study.data, start: HOST_START, end: HOST_START } }),
    'data.end',
    /after start/,
  ],
  ['cash of 1e308', 'backtest:run', () => ({ ...backtest, cash: 1e308 }), 'cash', /at most/],
  ['cash of 5e-324', 'backtest:run', () => ({ ...backtest, cash: 5e-324 }), 'cash', /at least/],
  ['study cash of 1e308', 'optimize:start', () => ({ ...study, cash: 1e308 }), 'cash', /at most/],
  [
    'a window step of 1e308',
    'walkforward:run',
    () => ({ ...walkForward, windows: { step: 1e308 } }),
    'windows.step',
    /at most/,
  ],
  [
    'a window step of 5e-324',
    'walkforward:run',
    () => ({ ...walkForward, windows: { step: 5e-324 } }),
    'windows.step',
    /at least/,
  ],
  [
    'a fractional window in bars',
    'walkforward:run',
    () => ({ ...walkForward, windows: { unit: 'bars', train: 10.5 } }),
    'windows.train',
    /whole number/,
  ],
  [
    'a fractional window in days',
    'walkforward:run',
    () => ({ ...walkForward, windows: { test: 7.5 } }),
    'windows.test',
    /whole number of days/,
  ],
];

describe('bounded values, refused by field', () => {
  it.each(CASES)('%s', async (_name, channel, body, field, says) => {
    const answer = await h.post(channel, body());
    expect(answer.status).toBe(400);
    const error = (answer.body as { error: { message: string; field?: string } }).error;
    expect(error.field).toBe(field);
    expect(error.message).toContain(`${field}: `);
    expect(error.message).toMatch(says);
    // The API speaks of its fields, never of a command-line flag.
    expect(error.message).not.toMatch(/--[a-z]/);
  });

  it('the CLI names its flag for a field the services refuse', async () => {
    const file = join(h.dataDir, '$$$.csv');
    writeFileSync(
      file,
      'timestamp,open,high,low,close,volume\n2024-01-02,10,11,9,10,100\n2024-01-03,10,11,9,10,100\n',
    );
    const io = captureIO();
    expect(await main(['data', 'import', file, '--data-dir', join(h.dataDir, 'cli')], io)).toBe(2);
    expect(io.stderr.split('\n')[0]).toMatch(/^regimen data import: --symbol: Cannot tell the symbol/);
  });
});
