import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  outsideNotification,
  WEBHOOK_SECRET_NAME,
  webhookSignature,
  type LiveAlarmEvent,
  type LiveApprovalEvent,
} from '../../livebot/alarmWebhook.ts';
import { MemorySecretStore } from '../../secrets/secretStore.ts';
import { EventBus } from '../events.ts';
import { BotRegistry, botRegistryPath } from './botRegistry.ts';
import { createAlarmWebhook } from './webhook.ts';

const BOT_SECRET = 'the-bot-secret-never-sent-7f3a';
const HOOK_SECRET = 'webhook-signing-secret-0123';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let dir = '';
let server: Server;
let url = '';
let received: Received[] = [];
/** Statuses the receiver answers with, in turn (then 200). */
let answers: number[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'regimen-webhook-'));
  received = [];
  answers = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += String(chunk)));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const alarm = (kind: LiveAlarmEvent['kind'], message: string): LiveAlarmEvent => ({
  kind,
  message,
  since: 1_700_000_000_000,
  bot: 'http://127.0.0.1:8787',
  name: 'spy-bot',
});

function setup() {
  const registry = new BotRegistry(botRegistryPath(dir));
  registry.add({ name: 'spy-bot', url: 'http://127.0.0.1:8787', autoPause: false });
  const secrets = new MemorySecretStore();
  const events = new EventBus();
  const webhook = createAlarmWebhook({
    registry,
    secrets,
    env: { REGIMEN_BOT_SECRET: BOT_SECRET },
    events,
    backoffMs: 5,
  });
  return { registry, secrets, events, webhook };
}

it('posts halts, drift and version mismatches signed with the webhook secret, never the bot secret', async () => {
  const { secrets, events, webhook } = setup();
  const view = await webhook.handlers['live:webhook-set']({ url, secret: HOOK_SECRET });
  expect(view).toMatchObject({ url, secretSet: true, lastDelivery: null });
  expect(view.kinds).toEqual(['halted', 'drift', 'unapproved-version', 'approval-waiting', 'auto-approved']);
  // The URL is stored beside the bots, the secret only in the keychain.
  const file = readFileSync(botRegistryPath(dir), 'utf8');
  expect(file).toContain(url);
  expect(file).not.toContain(HOOK_SECRET);
  expect(await secrets.get(WEBHOOK_SECRET_NAME)).toBe(HOOK_SECRET);

  events.emit('live:alarm', alarm('halted', 'halted (flatten): operator'));
  events.emit('live:alarm', alarm('trade-rate', 'trade rate left its band'));
  events.emit('live:alarm', alarm('drift', 'ADWIN flagged live returns'));
  events.emit('live:alarm', alarm('unapproved-version', 'runs v3, approved is v2'));
  await webhook.idle();

  expect(received.map((r) => (JSON.parse(r.body) as { kind: string }).kind)).toEqual([
    'halted',
    'drift',
    'unapproved-version',
  ]);
  for (const { headers, body } of received) {
    const timestamp = String(headers['x-regimen-timestamp']);
    expect(headers['x-regimen-signature']).toBe(webhookSignature(HOOK_SECRET, timestamp, body));
    expect(JSON.stringify(headers) + body).not.toContain(BOT_SECRET);
    expect(JSON.stringify(headers) + body).not.toContain(HOOK_SECRET);
  }
  expect(JSON.parse(received[0]!.body)).toMatchObject({
    type: 'regimen.live.alarm',
    bot: { name: 'spy-bot', url: 'http://127.0.0.1:8787' },
    kind: 'halted',
    message: 'halted (flatten): operator',
  });
  // A body altered in transit no longer matches its signature.
  const first = received[0]!;
  const timestamp = String(first.headers['x-regimen-timestamp']);
  expect(webhookSignature(HOOK_SECRET, timestamp, first.body.replace('flatten', 'reduce'))).not.toBe(
    first.headers['x-regimen-signature'],
  );
  expect((await webhook.handlers['live:webhook']({})).lastDelivery).toMatchObject({
    kind: 'unapproved-version',
    status: 200,
    error: null,
  });
  webhook.close();
});

it('tries a failing receiver again, and reports one that stays down', async () => {
  const { events, webhook } = setup();
  await webhook.handlers['live:webhook-set']({ url, secret: HOOK_SECRET });
  answers = [503];
  events.emit('live:alarm', alarm('halted', 'halted'));
  await webhook.idle();
  expect(received).toHaveLength(2);
  expect((await webhook.handlers['live:webhook']({})).lastDelivery).toMatchObject({ status: 200 });

  answers = [500, 500, 500];
  events.emit('live:alarm', alarm('drift', 'drift'));
  await webhook.idle();
  expect(received).toHaveLength(5);
  expect((await webhook.handlers['live:webhook']({})).lastDelivery).toMatchObject({
    kind: 'drift',
    status: 500,
    error: 'HTTP 500',
  });
  webhook.close();
});

it('refuses a plain-http remote webhook, a URL with a password or without a secret, and sends nothing once removed', async () => {
  const { registry, events, webhook } = setup();
  await expect(
    webhook.handlers['live:webhook-set']({ url: 'http://hooks.example.com/x', secret: HOOK_SECRET }),
  ).rejects.toThrow(/must be https:\/\//);
  await expect(webhook.handlers['live:webhook-set']({ url })).rejects.toThrow(/give the signing secret/);
  await expect(
    webhook.handlers['live:webhook-set']({ url: 'not a url', secret: HOOK_SECRET }),
  ).rejects.toThrow(/is not a URL/);
  const withPassword = webhook.handlers['live:webhook-set']({
    url: 'https://ops:hunter2-password@hooks.example.com/x',
    secret: HOOK_SECRET,
  });
  await expect(withPassword).rejects.toThrow(/must not carry a user or password/);
  await expect(withPassword).rejects.not.toThrow(/hunter2/);
  expect(registry.webhookUrl()).toBeNull();
  await webhook.handlers['live:webhook-set']({ url, secret: HOOK_SECRET });
  await webhook.handlers['live:webhook-set']({ url: null });
  events.emit('live:alarm', alarm('halted', 'halted'));
  await webhook.idle();
  expect(received).toEqual([]);
  // The bots are kept through the webhook's changes.
  expect(registry.list().map((b) => b.name)).toEqual(['spy-bot']);
  webhook.close();
});

it('an OS notification names the bot and what happened', () => {
  expect(outsideNotification(alarm('unapproved-version', 'runs v3, approved is v2'))).toEqual({
    title: 'Regimen: spy-bot runs an unapproved version',
    body: 'runs v3, approved is v2',
  });
});

it('"send a test" posts a signed regimen.live.test now and reports its delivery; refused without a URL', async () => {
  const { webhook } = setup();
  await expect(webhook.handlers['live:webhook-test']({})).rejects.toThrow('no webhook is set');
  await webhook.handlers['live:webhook-set']({ url, secret: HOOK_SECRET });
  answers = [503];
  const view = await webhook.handlers['live:webhook-test']({});
  expect(view.lastDelivery).toMatchObject({ kind: 'test', status: 200, error: null });
  expect(received).toHaveLength(2);
  const last = received[1]!;
  expect(JSON.parse(last.body)).toMatchObject({ type: 'regimen.live.test' });
  const timestamp = String(last.headers['x-regimen-timestamp']);
  expect(last.headers['x-regimen-signature']).toBe(webhookSignature(HOOK_SECRET, timestamp, last.body));
  expect(JSON.stringify(view)).not.toContain(HOOK_SECRET);
  webhook.close();
});

it('posts a proposal waiting for approval and an auto-approval, signed, as regimen.live.approval', async () => {
  const { events, webhook } = setup();
  await webhook.handlers['live:webhook-set']({ url, secret: HOOK_SECRET });
  const approval = (kind: LiveApprovalEvent['kind'], approvalId: string): LiveApprovalEvent => ({
    kind,
    bot: 'http://127.0.0.1:8787',
    name: 'spy-bot',
    approvalId,
    message: `${approvalId}: regime up/calm -> down/volatile`,
    at: 1_700_000_000_000,
  });
  events.emit('live:approval', approval('approval-waiting', 'a1'));
  events.emit('live:alarm', alarm('drift', 'ADWIN flagged live returns'));
  events.emit('live:approval', approval('auto-approved', 'a2'));
  await webhook.idle();
  expect(received.map((r) => JSON.parse(r.body) as Record<string, unknown>)).toMatchObject([
    {
      type: 'regimen.live.approval',
      bot: { name: 'spy-bot', url: 'http://127.0.0.1:8787' },
      kind: 'approval-waiting',
      approvalId: 'a1',
      message: 'a1: regime up/calm -> down/volatile',
    },
    { type: 'regimen.live.alarm', kind: 'drift' },
    { type: 'regimen.live.approval', kind: 'auto-approved', approvalId: 'a2' },
  ]);
  for (const { headers, body } of received)
    expect(headers['x-regimen-signature']).toBe(
      webhookSignature(HOOK_SECRET, String(headers['x-regimen-timestamp']), body),
    );
  expect((await webhook.handlers['live:webhook']({})).lastDelivery).toMatchObject({
    kind: 'auto-approved',
    status: 200,
  });
  webhook.close();
});

it('refuses a REGIMEN_WEBHOOK_SECRET shorter than a bot secret, naming the variable, never the value, and signs nothing with it', async () => {
  const registry = new BotRegistry(botRegistryPath(dir));
  const secrets = new MemorySecretStore();
  const events = new EventBus();
  const short = 'hook-pw-15chars';
  const webhook = createAlarmWebhook({
    registry,
    secrets,
    env: { REGIMEN_WEBHOOK_SECRET: short },
    events,
    backoffMs: 5,
  });
  const refusal =
    'the webhook signing secret in REGIMEN_WEBHOOK_SECRET has 15 characters: it needs at least 16';
  const set = webhook.handlers['live:webhook-set']({ url });
  await expect(set).rejects.toThrow(refusal);
  await expect(set).rejects.toMatchObject({ field: 'secret' });
  await expect(set).rejects.not.toThrow(short);
  expect(registry.webhookUrl()).toBeNull();
  await expect(webhook.handlers['live:webhook']({})).rejects.toThrow(refusal);

  // A URL set before the variable was shortened: an alarm is not posted, and the delivery says why.
  registry.setWebhookUrl(url);
  await expect(webhook.handlers['live:webhook-test']({})).rejects.toThrow(refusal);
  events.emit('live:alarm', alarm('halted', 'halted by the risk limit'));
  await webhook.idle();
  expect(received).toEqual([]);
  webhook.close();

  // Sixteen characters sign.
  const enough = createAlarmWebhook({
    registry,
    secrets,
    env: { REGIMEN_WEBHOOK_SECRET: `${short}x` },
    events: new EventBus(),
    backoffMs: 5,
  });
  const view = await enough.handlers['live:webhook-test']({});
  expect(view.lastDelivery).toMatchObject({ kind: 'test', status: 200, error: null });
  expect(received).toHaveLength(1);
  enough.close();
});
