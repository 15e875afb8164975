import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { captureIO } from '../../../../../test/support/captureIO.ts';
import { webhookSignature } from '../../../livebot/alarmWebhook.ts';
import { main } from '../../main.ts';

const SECRET = 'webhook-cli-secret-0123456789';
let dir: string;
let saved: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'regimen-cli-webhook-'));
  saved = process.env['REGIMEN_WEBHOOK_SECRET'];
});
afterEach(() => {
  if (saved === undefined) delete process.env['REGIMEN_WEBHOOK_SECRET'];
  else process.env['REGIMEN_WEBHOOK_SECRET'] = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['live', 'webhook', ...argv, '--data-dir', dir], io);
  return { code, out: io.stdout, err: io.stderr };
}

it('sets, shows and clears the alarm webhook; refuses plain http elsewhere; never prints the secret', async () => {
  process.env['REGIMEN_WEBHOOK_SECRET'] = SECRET;
  const bad = await run('set', '--url', 'http://hooks.example.com/x');
  expect(bad.code).not.toBe(0);
  expect(bad.err).toContain('must be https://');
  const set = await run('set', '--url', 'https://hooks.example.com/regimen');
  expect(set.code).toBe(0);
  const shown = await run('show');
  expect(shown.out).toContain('alarm webhook: https://hooks.example.com/regimen (signing secret set');
  expect(set.out + shown.out + (await run('show', '--json')).out).not.toContain(SECRET);
  expect((await run('clear')).out).toContain('no alarm webhook');
  expect((await run('show')).out).toContain('no alarm webhook');
});

it('test posts the signed regimen.live.test to a local receiver and prints its answer, not the secret', async () => {
  process.env['REGIMEN_WEBHOOK_SECRET'] = SECRET;
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let answer = 200;
  const receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  try {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    expect((await run('test')).err).toContain('no webhook is set');
    expect((await run('set', '--url', url)).code).toBe(0);
    const sent = await run('test');
    expect(sent.code).toBe(0);
    expect(sent.out).toBe(`test delivered to ${url}: HTTP 200\n`);
    expect(received).toHaveLength(1);
    const [{ headers, body }] = received;
    expect(JSON.parse(body)).toMatchObject({ type: 'regimen.live.test' });
    const timestamp = String(headers['x-regimen-timestamp']);
    expect(headers['x-regimen-signature']).toBe(webhookSignature(SECRET, timestamp, body));
    // A receiver that refuses (a 4xx is not retried) fails the command, naming its answer.
    answer = 401;
    const refused = await run('test', '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toMatchObject({ lastDelivery: { kind: 'test', status: 401 } });
    expect(sent.out + refused.out + sent.err + refused.err).not.toContain(SECRET);
  } finally {
    await new Promise((done) => receiver.close(done));
  }
});
