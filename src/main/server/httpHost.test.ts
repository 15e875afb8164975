import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Requests } from '../../shared/contract.ts';
import { EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../shared/httpSession.ts';
import { EventBus } from '../services/events.ts';
import { startHttpHost, type HttpHost } from './httpHost.ts';

function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, rejectOpen) => {
    socket.on('open', () => resolve());
    socket.on('error', rejectOpen);
  });
}

/** The status of a POST /api/app:info with the token and a chosen Host header (fetch cannot set Host). */
function rawStatus(port: number, token: string, hostHeader: string): Promise<number> {
  return new Promise((resolve, rejectRequest) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/app:info',
        headers: { host: hostHeader, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', rejectRequest);
    req.end('{}');
  });
}

const reject = (): Promise<never> => Promise.reject(new Error('not used in this test'));
const handlers: Requests = {
  'app:info': async () => ({ version: 'test', host: 'http', dataDir: '/tmp/x', demo: true, preparing: null }),
  'data:list': async () => [
    { symbol: 'AAA', timeframe: '1m', bars: 3, start: 0, end: 120_000, source: 'demo', calendar: 'equities' },
  ],
  'bars:get': reject,
  'backtest:robustness': reject,
  'data:sync': reject,
  'regimes:get': reject,
  'live:bots': reject,
  'live:bot-add': reject,
  'live:bot-remove': reject,
  'live:bot': reject,
  'live:propose': reject,
  'live:proposals': reject,
  'live:diff': reject,
  'live:approve': reject,
  'live:push': reject,
  'live:rollback': reject,
  'live:halt': reject,
  'live:resume': reject,
  'live:audit': reject,
  'live:audit-export': reject,
  'live:audit-bot-changes': reject,
  'live:policy': reject,
  'live:verify-provenance': reject,
  'live:policy-set': reject,
  'live:regime-updates': reject,
  'live:regime-updates-set': reject,
  'live:bot-timeouts-set': reject,
  'live:webhook': reject,
  'live:webhook-set': reject,
  'live:webhook-test': reject,
  'learner:status': reject,
  'learner:state': reject,
  'learner:backfill': reject,
  'learner:evaluate': reject,
  'learner:recommend': reject,
  'learner:scorecard': reject,
  'regimes:winners': reject,
  'regimes:compare': reject,
  'strategies:list': reject,
  'strategies:problems': reject,
  'strategies:reload': reject,
  'backtest:run': reject,
  'optimize:start': reject,
  'optimize:resume': reject,
  'optimize:list': reject,
  'optimize:get': reject,
  'optimize:approve': reject,
  'optimize:delete': reject,
  'optimize:annotate': reject,
  'compare:pin': reject,
  'compare:list': reject,
  'compare:unpin': reject,
  'compare:clear': reject,
  'optimize:importance': reject,
  'optimize:neighbourhood': reject,
  'optimize:trial-backtest': reject,
  'walkforward:run': reject,
  'job:cancel': reject,
  'data:coverage': reject,
  'data:quality': reject,
  'data:import': reject,
  'data:fetch': reject,
  'data:export': reject,
  'data:delete': reject,
  'data:rename': reject,
  'data:demo': reject,
  'settings:keys-status': reject,
  'settings:save-keys': reject,
  'settings:clear-keys': reject,
  'compute:status': reject,
  'compute:choose': reject,
  'compute:test': reject,
  'settings:get': reject,
  'settings:set': reject,
  'settings:data-folder': reject,
};

describe('HTTP host', () => {
  const events = new EventBus();
  let host: HttpHost;
  const post = (channel: string, body: unknown, token: string | null = host.token): Promise<Response> =>
    fetch(`http://127.0.0.1:${host.port}/api/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  const tokenProtocol = (): string => `${TOKEN_PROTOCOL_PREFIX}${host.token}`;
  const staticDir = mkdtempSync(join(tmpdir(), 'regimen-http-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Regimen</title>');

  beforeAll(async () => {
    host = await startHttpHost({ handlers, events, staticDir });
  });
  afterAll(async () => {
    await host.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('listens on loopback only and prints a URL carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses requests without the token or with a wrong one', async () => {
    expect((await post('app:info', {}, null)).status).toBe(401);
    expect((await post('app:info', {}, 'x'.repeat(host.token.length))).status).toBe(401);
  });

  it('answers a valid request with the handler output', async () => {
    const response = await post('data:list', {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        symbol: 'AAA',
        timeframe: '1m',
        bars: 3,
        start: 0,
        end: 120_000,
        source: 'demo',
        calendar: 'equities',
      },
    ]);
  });

  it('rejects a malformed request with a message naming what did not happen and the field, not the channel', async () => {
    const response = await post('bars:get', { symbol: 'AAA', timeframe: '2m' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^Bars not loaded: timeframe: /);
    expect(body.error.message).not.toContain('bars:get');
  });

  it('answers 404 for an unknown channel', async () => {
    const response = await post('shell:exec', {});
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('shell:exec');
  });

  it('refuses a request from another origin even with the token', async () => {
    const response = await fetch(`http://127.0.0.1:${host.port}/api/app:info`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        authorization: `Bearer ${host.token}`,
        origin: 'http://127.0.0.1:8888',
      },
      body: '{}',
    });
    expect(response.status).toBe(403);
    const sameOrigin = await fetch(`http://127.0.0.1:${host.port}/api/app:info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, origin: `http://localhost:${host.port}` },
      body: '{}',
    });
    expect(sameOrigin.status).toBe(200);
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/events`, [EVENTS_PROTOCOL, tokenProtocol()], {
      origin: 'http://127.0.0.1:8888',
    });
    await expect(opened(socket)).rejects.toThrow('403');
  });

  it('refuses a Host that is not this server (a DNS-rebound name), with the token', async () => {
    for (const hostHeader of [
      `rebound.example:${host.port}`,
      '127.0.0.1:1',
      `127.0.0.1.nip.io:${host.port}`,
    ]) {
      const status = await rawStatus(host.port, host.token, hostHeader);
      expect(status, hostHeader).toBe(421);
    }
    expect(await rawStatus(host.port, host.token, `localhost:${host.port}`)).toBe(200);
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/events`, [EVENTS_PROTOCOL, tokenProtocol()], {
      headers: { host: `rebound.example:${host.port}` },
    });
    await expect(opened(socket)).rejects.toThrow('421');
  });

  it('answers a browser that opens an API address without the token with a page saying where the link is', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const page = await fetch(`http://127.0.0.1:${host.port}/api/app:info`, { headers: html });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const text = await page.text();
    expect(text).toContain('Open the link that <code>regimen serve</code> printed');
    expect(text).not.toContain(host.token);
    // Programs still get JSON.
    const api = await post('app:info', {}, null);
    expect(api.headers.get('content-type')).toBe('application/json');

    const bare = await startHttpHost({ handlers, events });
    try {
      const noBuild = await fetch(`http://127.0.0.1:${bare.port}/`, { headers: html });
      expect(noBuild.status).toBe(404);
      expect(await noBuild.text()).toContain('run <code>npm run build</code>');
    } finally {
      await bare.close();
    }
  });

  it('sends no cookie and no referrer with the page, and takes no token from the query', async () => {
    const page = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const api = await fetch(`http://127.0.0.1:${host.port}/api/app:info?token=${host.token}`, {
      method: 'POST',
      body: '{}',
    });
    expect(api.status).toBe(401);
    expect(api.headers.get('referrer-policy')).toBe('no-referrer');
    await expect(
      opened(new WebSocket(`ws://127.0.0.1:${host.port}/events?token=${host.token}`)),
    ).rejects.toThrow('401');
  });

  it('answers a malformed path with 400, naming it', async () => {
    const response = await post('%E0%A4%A', {});
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('%E0%A4%A');
  });

  it('refuses a body over 1 MiB with a message saying so', async () => {
    const response = await post('app:info', { pad: 'x'.repeat(2 << 20) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('bytes');
  });

  it('pushes events to authorised WebSocket clients only', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${host.port}/events`);
    await expect(
      new Promise((resolve, rejectOpen) => {
        refused.on('open', resolve);
        refused.on('error', rejectOpen);
      }),
    ).rejects.toThrow();
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/events`, [EVENTS_PROTOCOL, tokenProtocol()]);
    await opened(socket);
    expect(socket.protocol).toBe(EVENTS_PROTOCOL);
    const received = new Promise<unknown>((resolve) =>
      socket.on('message', (data) => resolve(JSON.parse(String(data)))),
    );
    events.emit('job:progress', { jobId: 'j1', stage: 'backtest', done: 1, total: 2 });
    expect(await received).toEqual({
      channel: 'job:progress',
      payload: { jobId: 'j1', stage: 'backtest', done: 1, total: 2 },
    });
    socket.close();
  });
});
