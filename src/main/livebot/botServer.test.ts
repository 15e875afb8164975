import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import { sealParameterSet } from '../../core/live/parameterSet.ts';
import { smaCrossSet } from '../../core/live/manualSet.test-util.ts';
import { LiveRunner } from '../../core/live/runner.ts';
import { STRATEGIES } from '../../core/strategy/registry.ts';
import { BOT_PATHS, MAX_REPORT_BARS, MAX_REPORT_FILLS, type ApplyRequest } from '../../shared/botProtocol.ts';
import { BotClient, BotRequestError } from './botClient.ts';
import { buildReports } from '../../core/live/kit/reports.ts';
import { startBotServer, type BotServer } from './botServer.ts';
import { startReferenceBot, type ReferenceBot } from './referenceBot.ts';
import { liveBarAt } from '../../core/live/liveBar.test-util.ts';

const SECRET = 'test-bot-secret-0123456789abcdef';
const HEARTBEAT = { timeoutMs: 60_000, mode: 'no-new-entries' } as const;
const bars = randomWalkBars(600, 11, { volatility: 0.006 });

function applyRequest(version: number, fast: number, extra: Partial<ApplyRequest> = {}): ApplyRequest {
  const set = smaCrossSet(fast, 30);
  return {
    changeId: `change-${version}-${fast}`,
    version,
    set,
    policy: 'adopt',
    approval: { id: `approval-${version}`, approvedBy: ['tester'], at: 1, note: 'test' },
    ...extra,
  };
}

const feed = (runner: LiveRunner, from: number, to: number): void => {
  for (let i = from; i < to; i++) runner.onBar(liveBarAt(bars, i));
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function serveRunner(
  log: string[] = [],
): Promise<{ runner: LiveRunner; server: BotServer; client: BotClient }> {
  const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: 600, heartbeat: HEARTBEAT });
  const server = await startBotServer({
    runner,
    secret: SECRET,
    symbol: 'TEST',
    heartbeat: HEARTBEAT,
    log: (l) => log.push(l),
  });
  open.push(server);
  return { runner, server, client: new BotClient(server.url, SECRET) };
}

describe('bot server: the signed protocol on loopback', () => {
  it('applies a signed push at the next bar; a repeat is a no-op and an older version is refused', async () => {
    const { runner, client } = await serveRunner();
    const v2 = applyRequest(2, 10);
    expect(await client.apply(v2)).toEqual({ result: 'accepted', version: 2, effective: 'next-bar' });
    expect((await client.status()).pending?.hash).toBe(v2.set.hash);
    feed(runner, 0, 1);
    const status = await client.status();
    expect(status.active).toEqual({ version: 2, changeId: v2.changeId, hash: v2.set.hash });
    expect(status.pending).toBeNull();
    expect(await client.apply(v2)).toMatchObject({ result: 'duplicate', version: 2 });
    await expect(client.apply(applyRequest(1, 5))).rejects.toMatchObject({
      status: 409,
      code: 'stale-version',
    });
    await expect(client.apply(applyRequest(2, 6))).rejects.toMatchObject({
      status: 409,
      code: 'version-conflict',
    });
    expect((await client.status()).acceptedVersion).toBe(2);
  });

  it('refuses unsigned, forged, altered, stale and replayed requests, and applies none of them', async () => {
    const { client } = await serveRunner();
    const body = JSON.stringify(applyRequest(1, 10));
    const post = (overrides: Parameters<BotClient['send']>[3]) =>
      client.send('POST', BOT_PATHS.apply, body, overrides);
    const code = (response: { body: unknown }) => (response.body as { error: { code: string } }).error.code;
    const unsigned = await post({ unsigned: true });
    expect([unsigned.status, code(unsigned)]).toEqual([401, 'missing-headers']);
    const forged = await post({ secret: 'another-secret-0123456789abcdef' });
    expect([forged.status, code(forged)]).toEqual([401, 'bad-signature']);
    const altered = await post({ signedBody: JSON.stringify(applyRequest(1, 11)) });
    expect([altered.status, code(altered)]).toEqual([401, 'bad-signature']);
    const stale = await post({ timestamp: Date.now() - 31_000 });
    expect([stale.status, code(stale)]).toEqual([401, 'stale-timestamp']);
    expect((await client.status()).acceptedVersion).toBe(0);
    const first = await post({ nonce: 'once' });
    expect(first.status).toBe(200);
    const replay = await post({ nonce: 'once' });
    expect([replay.status, code(replay)]).toEqual([401, 'reused-nonce']);
  });

  it('a malformed body is refused naming the field; an unknown route is 404 after the signature', async () => {
    const { client } = await serveRunner();
    const bad = applyRequest(1, 10);
    const response = await client.send(
      'POST',
      BOT_PATHS.apply,
      JSON.stringify({ ...bad, set: { ...bad.set, limits: { ...bad.set.limits, maxPositionFraction: 3 } } }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: {
        code: 'invalid-request',
        message: expect.stringMatching(/^set\.limits\.maxPositionFraction: /),
      },
    });
    expect((await client.send('GET', '/v1/nothing')).status).toBe(404);
    expect((await client.send('GET', '/v1/nothing', '', { unsigned: true })).status).toBe(401);
  });

  it('a bot that ran long holds its newest fills and answers reports in pages, numbered without a gap', () => {
    const long = randomWalkBars(12_000, 5, { volatility: 0.006 });
    const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: 12_000 });
    const request = applyRequest(1, 2);
    const set = sealParameterSet({ ...request.set, parameters: { fast: 2, slow: 3 } });
    expect(runner.apply({ ...request, hash: set.hash, set })).toMatchObject({ kind: 'accepted' });
    for (let i = 0; i < long.t.length; i++) runner.onBar(liveBarAt(long, i));
    const total = runner.fillRecord.total;
    expect(total).toBeGreaterThan(3 * MAX_REPORT_FILLS);
    expect(runner.fills.length).toBeLessThan(2_000);
    expect(runner.exits.length).toBeLessThan(2_000);

    // Asked from 0, the answer starts at the oldest fill held; page after page reaches the newest.
    const seen: number[] = [];
    let next = 0;
    for (let page = 0; page < 5 && next < total; page++) {
      const reports = buildReports(runner, runner.fillRecord, next, long.t.length);
      expect(reports.fills.length).toBeLessThanOrEqual(MAX_REPORT_FILLS);
      const first = Math.max(next, runner.firstFill);
      reports.fills.forEach((_, k) => seen.push(first + k));
      next = reports.nextFill;
    }
    expect(next).toBe(total);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, k) => runner.firstFill + k));
    expect(buildReports(runner, runner.fillRecord, total, 0).bars).toHaveLength(MAX_REPORT_BARS);
    expect(buildReports(runner, runner.fillRecord, total, 11_000).bars).toHaveLength(1_000);
  });

  it('halt and resume change what the status reports', async () => {
    const { client } = await serveRunner();
    expect((await client.halt('reduce-only', 'test halt')).halt).toMatchObject({
      mode: 'reduce-only',
      reason: 'test halt',
    });
    expect((await client.resume('back')).halt).toBeNull();
    expect(await client.heartbeat()).toMatchObject({ timeoutMs: 60_000 });
    expect((await client.status()).heartbeat.lastAt).not.toBeNull();
  });

  it('refuses a non-loopback address without TLS, and a client will not reach one over http', async () => {
    const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: 10 });
    await expect(
      startBotServer({ runner, secret: SECRET, symbol: 'T', heartbeat: HEARTBEAT, host: '0.0.0.0' }),
    ).rejects.toThrow('refusing to serve the bot on 0.0.0.0 without TLS');
    expect(() => new BotClient('http://10.1.2.3:9000', SECRET)).toThrow('reached over https only');
    expect(() => new BotClient('https://10.1.2.3:9000', SECRET)).not.toThrow();
  });
});

describe('reference bot: restart and secrecy', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  /** A replay at full speed that keeps its state in a fresh directory, started again by each call. */
  const restartable = (log: string[] = []): (() => Promise<ReferenceBot>) => {
    dir = mkdtempSync(join(tmpdir(), 'regimen-bot-'));
    const statePath = join(dir, 'bot.json');
    return () =>
      startReferenceBot({
        bars,
        symbol: 'TEST',
        speed: Infinity,
        secret: SECRET,
        heartbeat: HEARTBEAT,
        statePath,
        log: (l) => log.push(l),
      });
  };

  it('killed mid-replay with a position open, the restarted bot goes on from the next bar with the decisions of one that never stopped', async () => {
    const start = restartable();
    const first = await start();
    const v1 = applyRequest(1, 10);
    await new BotClient(first.url, SECRET).apply(v1);
    while (first.runner.barsSeen < 250 || first.runner.position === 0)
      await new Promise((r) => setTimeout(r, 1));
    await first.close();
    const killedAt = first.runner.barsSeen;
    expect(first.runner.position).not.toBe(0);
    const before = buildReports(first.runner, first.runner.fillRecord, 0, 0);

    const second = await start();
    open.push(second);
    await second.replayed;
    const after = await new BotClient(second.url, SECRET).reports(before.nextFill, killedAt);
    // It took no bar twice and skipped none.
    expect(after.bars?.[0].time).toBe(bars.t[killedAt]);
    expect(after.barsSeen).toBe(bars.t.length);

    const steady = new LiveRunner({ catalogue: STRATEGIES, capacity: 600, heartbeat: HEARTBEAT });
    const activeFrom = before.bars!.findIndex((bar) => bar.version === 1);
    feed(steady, 0, activeFrom);
    steady.apply({ ...v1, hash: v1.set.hash });
    feed(steady, activeFrom, bars.t.length);
    expect([...before.fills, ...after.fills]).toEqual(steady.fills);
    expect(after.fills.length).toBeGreaterThan(2);
    expect(second.runner.lastEquity).toBe(steady.lastEquity);
  });

  it('killed mid-ramp and restarted, it resumes the applied version and ramp and applies nothing twice; the secret is nowhere', async () => {
    const log: string[] = [];
    const responses: unknown[] = [];
    const start = restartable(log);
    const first = await start();
    const client = new BotClient(first.url, SECRET);
    const ramp = {
      steps: [0.1, 0.5, 1],
      barsPerStep: 100_000,
      guardrails: { maxDrawdown: 0.9, maxLoss: 0.9, maxSlippageBps: 1e6 },
    };
    const v1 = applyRequest(1, 10);
    const v2 = applyRequest(2, 5, { ramp });
    responses.push(await client.apply(v1));
    while (first.runner.state.active === null) await new Promise((r) => setTimeout(r, 1));
    responses.push(await client.apply(v2));
    while (first.runner.state.active?.version !== 2) await new Promise((r) => setTimeout(r, 1));
    responses.push(await client.status());
    await first.close();

    const second = await start();
    open.push(second);
    const again = new BotClient(second.url, SECRET);
    expect(await again.apply(v2)).toMatchObject({ result: 'duplicate' });
    expect(await again.apply(v1)).toMatchObject({ result: 'duplicate' });
    await second.replayed;
    const status = await again.status();
    responses.push(status, await again.reports());
    expect(status.active?.hash).toBe(v2.set.hash);
    expect(status.ramp).toMatchObject({ phase: 'ramping', step: 0, budget: 0.1 });
    expect(second.runner.applyCounts.size).toBe(0);

    const everything = [...log, JSON.stringify(responses), readFileSync(join(dir, 'bot.json'), 'utf8')].join(
      '\n',
    );
    expect(everything).toContain(v2.set.hash);
    expect(everything).not.toContain(SECRET);
    await expect(new BotClient(second.url, 'wrong-secret-0123456789abcdef').status()).rejects.toBeInstanceOf(
      BotRequestError,
    );
  });
});
