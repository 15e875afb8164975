/**
 * `regimen data fetch` and `data sync` say on stderr, one line each, when the Alpaca client waits before
 * asking again (a 429 for its Retry-After, a 5xx for its backoff): a fetch waiting out a rate limit
 * looked hung. The lines carry no key.
 */
import { describe, expect, it } from 'vitest';
import { fakeAlpacaForCli } from '../support/fakeAlpacaCli.ts';
import { runCli } from '../support/runCli.ts';

const alpaca = fakeAlpacaForCli('regimen-retry-');

/** The stderr lines that announce a retry. */
const retryLines = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => line.startsWith('Alpaca '));

describe('Alpaca retries on stderr', () => {
  it('data fetch: one line per 429 and 5xx, with the wait, and no key', async () => {
    alpaca.fake.failNext({ kind: '429', retryAfterSeconds: 1 }, { kind: '500' });
    const run = await runCli([
      ...['data', 'fetch', '--symbols', 'AAPL', '--timeframe', '1Hour'],
      ...['--start', '2024-01-02', '--end', '2024-01-20', '--alpaca-base-url', alpaca.fake.url],
      ...['--data-dir', alpaca.dataDir()],
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = retryLines(run.stderr);
    expect(lines.length).toBe(2);
    expect(lines[0]).toBe('Alpaca answered 429 rate limited; retry 1 of 20 in 1 s');
    // The backoff after a 5xx is jittered: 250 to 500 ms for the first retry.
    expect(lines[1]).toMatch(/^Alpaca answered 500 server error; retry 1 of 5 in 0\.[2-5] s$/);
    expect(run.stdout).toMatch(/^AAPL \S+: [\d,]+ bars in \d+ pages/);
    expect(run.stdout + run.stderr).not.toContain(alpaca.fake.keyId);
    expect(run.stdout + run.stderr).not.toContain(alpaca.fake.secretKey);
  });

  it('data sync: the catch-up fetch says its retries too', async () => {
    alpaca.fake.failNext({ kind: '429', retryAfterSeconds: 2 });
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const run = await runCli([
      ...['data', 'sync', '--symbols', 'SYNX', '--since', since, '--for', '4'],
      ...['--alpaca-base-url', alpaca.fake.url, '--data-dir', alpaca.dataDir()],
    ]);
    expect(retryLines(run.stderr)).toEqual(['Alpaca answered 429 rate limited; retry 1 of 20 in 2 s']);
    expect(run.stderr).not.toContain(alpaca.fake.keyId);
    expect(run.stderr).not.toContain(alpaca.fake.secretKey);
  });
});
