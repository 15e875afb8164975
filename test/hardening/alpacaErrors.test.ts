/**
 * Issue 9: Alpaca's refusals and silences reach the caller as upstream errors of the one error family
 * (502 refused, 503 unreachable), naming Alpaca and its host and never the keys, instead of HTTP 500.
 * Against the fake Alpaca server and a closed port, over HTTP and IPC alike.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpHost } from '../../src/main/server/httpHost.ts';
import { dispatchOrWireError } from '../../src/main/services/dispatch.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { postJson, servicesOnTempDir, type Answer } from '../support/serviceHost.ts';

const KEY_ID = 'PKHARDENKEY0042';
const SECRET = 'hardening-secret-value-77';
const FETCH = {
  symbols: ['AAPL'],
  timeframe: '1Day',
  start: Date.UTC(2024, 0, 2),
  end: Date.UTC(2024, 1, 1),
};

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await FakeAlpaca.start({ keyId: KEY_ID, secretKey: SECRET });
});
afterAll(async () => fake?.close());

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `data:fetch` through the HTTP host of services on `baseUrl` with the given keys, and the IPC answer. */
async function fetchThrough(baseUrl: string, keyId = KEY_ID, secret = SECRET): Promise<[Answer, unknown]> {
  const { dir, services } = await servicesOnTempDir('regimen-alpaca-errors-', {
    env: { APCA_API_KEY_ID: keyId, APCA_API_SECRET_KEY: secret },
    alpaca: { dataBaseUrl: baseUrl, timeoutMs: 100, backoffBaseMs: 5, requestsPerMinute: 60_000 },
  });
  const host = await startHttpHost({ handlers: services.handlers, events: services.events });
  try {
    const answer = await postJson(host.port, host.token, 'data:fetch', JSON.stringify(FETCH));
    return [answer, await dispatchOrWireError(services.handlers, 'data:fetch', FETCH)];
  } finally {
    await host.close();
    await services.close();
    dir.remove();
  }
}

function expectRefusal(
  [answer, ipc]: [Answer, unknown],
  status: number,
  says: RegExp,
  secret = SECRET,
): void {
  expect(answer.body).toMatchObject({ error: { status, message: expect.stringMatching(says) } });
  expect(answer.status).toBe(status);
  expect(ipc).toEqual(answer.body);
  expect(JSON.stringify(answer.body)).not.toContain(secret);
}

describe('Alpaca failures are upstream errors, not 500s', () => {
  it('keys Alpaca refuses (401): 502 saying so, without the keys', async () => {
    const wrong = 'not-the-right-secret-99';
    const answers = await fetchThrough(fake.url, 'PKWRONGKEY0001', wrong);
    expectRefusal(answers, 502, /^Alpaca refused the API keys \(HTTP 401/, wrong);
    expect(JSON.stringify(answers[0].body)).not.toContain('PKWRONGKEY0001');
    expect(answers[0].body).toMatchObject({ error: { kind: 'upstream' } });
  });

  it('keys not allowed this data (403): 502 saying so', async () => {
    fake.failNext({ kind: '403' }, { kind: '403' });
    expectRefusal(await fetchThrough(fake.url), 502, /refused the API keys for this request \(HTTP 403/);
  });

  it('a closed port: 503 naming the host and the refused connection', async () => {
    const port = await closedPort();
    const answers = await fetchThrough(`http://127.0.0.1:${port}`);
    expectRefusal(
      answers,
      503,
      new RegExp(`Alpaca market data at 127\\.0\\.0\\.1:${port} .*connection refused`),
    );
    expect(answers[0].body).toMatchObject({ error: { kind: 'unavailable' } });
  });

  it('a server that never answers: 503 naming the host and the timeout', async () => {
    // Every attempt of both requests (HTTP, then IPC) hangs: 1 + 5 retries each.
    fake.failNext(...Array.from({ length: 12 }, () => ({ kind: 'hang' }) as const));
    const host = new URL(fake.url).host;
    expectRefusal(await fetchThrough(fake.url), 503, new RegExp(`at ${host} .*no answer within 0\\.1 s`));
  });
});
