/**
 * The CLI's client of a running owner (HttpServicesClient) over node:http: answers are parsed against the
 * channel's schema, refusals come back as the same RequestError, and a request waits for a slow answer
 * unless given a timeout (fetch, used before, gave up on any answer slower than undici's 300 s headers
 * timeout, which a study or a live sync sent to the owner easily is).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServicesClient } from '../../src/main/server/httpClient.ts';
import { InputError } from '../../src/shared/errors.ts';

const TOKEN = 'test-token-not-a-secret';
const INFO = { version: '1', host: 'http', dataDir: '/x', demo: true, preparing: null };

describe('HttpServicesClient', () => {
  let server: Server;
  let port: number;
  const seen: { path?: string; auth?: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ path: req.url, auth: req.headers.authorization, body });
        const reply = (status: number, value: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.url === '/api/app:info') return void setTimeout(() => reply(200, INFO), 300);
        if (req.url === '/api/data:list')
          return reply(400, { error: { kind: 'invalid', message: 'symbol: bad', field: 'symbol' } });
        if (req.url === '/api/data:quality') return reply(200, { unexpected: true });
        res.writeHead(500);
        res.end('not json');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the token in the header and the input as JSON, and waits for a slow answer', async () => {
    const client = new HttpServicesClient(port, TOKEN);
    await expect(client.request('app:info', {})).resolves.toEqual(INFO);
    expect(seen.at(-1)).toEqual({ path: '/api/app:info', auth: `Bearer ${TOKEN}`, body: '{}' });
  });

  it('gives up after timeoutMs when asked to, without the token in the message', async () => {
    const client = new HttpServicesClient(port, TOKEN);
    const error = await client.request('app:info', {}, { timeoutMs: 50 }).catch((e: Error) => e);
    expect(String(error)).toContain('did not answer "app:info" (timed out)');
    expect(String(error)).not.toContain(TOKEN);
  });

  it('rebuilds a refusal as the same RequestError, field included', async () => {
    const client = new HttpServicesClient(port, TOKEN);
    const error = await client.request('data:list', {}).catch((e: Error) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe('symbol');
  });

  it('refuses an answer of the wrong shape and a body that is not JSON', async () => {
    const client = new HttpServicesClient(port, TOKEN);
    await expect(client.request('data:quality', { symbol: 'X', timeframe: '1Day' } as never)).rejects.toThrow(
      'answered "data:quality" with an unexpected shape',
    );
    await expect(client.request('data:delete' as never, {} as never)).rejects.toThrow('HTTP 500');
  });

  it('says the server refused when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(new HttpServicesClient(free, TOKEN).request('app:info', {})).rejects.toThrow(
      `the Regimen server on port ${free} did not answer "app:info" (refused)`,
    );
  });
});
