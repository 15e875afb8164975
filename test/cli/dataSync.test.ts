/**
 * `regimen data sync` against the fake Alpaca server (issue 10 item 17): --for is a hard deadline even
 * while the stream cannot connect, the stream follows --alpaca-base-url when no stream URL is given, the
 * stream URL the fake server prints works as given, and an unreachable stream is said in words.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';
import { fakeAlpacaForCli } from '../support/fakeAlpacaCli.ts';

const alpaca = fakeAlpacaForCli('regimen-sync-');

async function sync(extra: string[]): Promise<{ code: number; stderr: string }> {
  const dir = alpaca.dataDir();
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const io = captureIO();
  const code = await main(
    ['data', 'sync', '--symbols', 'SYNX', '--since', since, '--data-dir', dir, ...extra],
    io,
  );
  return { code, stderr: io.stderr };
}

describe('data sync', () => {
  it('stops at --for while the stream cannot connect, and says why in words', async () => {
    const before = alpaca.fake.streamConnections;
    const run = await sync([
      '--for',
      '5',
      '--alpaca-base-url',
      alpaca.fake.url,
      '--alpaca-stream-url',
      'ws://127.0.0.1:1',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'cannot reach the bars stream at ws://127.0.0.1:1/v2/iex: nothing answers there',
    );
    expect(run.stderr).toMatch(/could not reach ws:\/\/127\.0\.0\.1:1\/v2\/iex within --for 5 s/);
    expect(run.stderr).not.toMatch(/ECONNREFUSED/);
    expect(alpaca.fake.streamConnections).toBe(before);
  });

  it('refuses a negative --for and a --rate-limit not above 0 before asking the server anything', async () => {
    const [connections, requests] = [alpaca.fake.streamConnections, alpaca.fake.requests.length];
    const negative = await sync(['--for', '-1', '--alpaca-base-url', alpaca.fake.url]);
    expect(negative.code).toBe(2);
    expect(negative.stderr.split('\n')[0]).toBe(
      'regimen data sync: --for is seconds to stream, 0 or more, got -1',
    );
    const rate = await sync(['--for', '1', '--rate-limit', '-5', '--alpaca-base-url', alpaca.fake.url]);
    expect(rate.code).toBe(2);
    expect(rate.stderr.split('\n')[0]).toBe(
      'regimen data sync: --rate-limit is requests a minute, above 0, got -5',
    );
    expect([alpaca.fake.streamConnections, alpaca.fake.requests.length]).toEqual([connections, requests]);
  });

  it('streams from the host of --alpaca-base-url when no stream URL is given', async () => {
    const before = alpaca.fake.streamConnections;
    const run = await sync(['--for', '1', '--alpaca-base-url', alpaca.fake.url]);
    expect(run.stderr).toContain('stream: live');
    expect(run.code).toBe(0);
    expect(alpaca.fake.streamConnections).toBe(before + 1);
  });

  it('takes the stream URL the fake server prints, feed path included', async () => {
    const run = await sync([
      '--for',
      '1',
      '--alpaca-base-url',
      alpaca.fake.url,
      '--alpaca-stream-url',
      `${alpaca.fake.streamUrl}/v2/iex`,
    ]);
    expect(run.stderr).toContain('stream: live');
    expect(run.code).toBe(0);
  });
});
