import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveAlarmKind } from '../../core/live/alarms.ts';
import type { EventPayload } from '../../shared/contract.ts';
import type { EventBus } from '../services/events.ts';

/**
 * Alarms and approvals that leave the app (issue 13 item 12): a halt, a drift alarm, a bot running a
 * version nobody approved, a proposal waiting for a person and an auto-approval reach the trader away
 * from the window, as an OS notification and an optional webhook. The webhook's body is signed with its own secret (HMAC-SHA256 over the timestamp and the
 * body, as Stripe and GitHub sign theirs), never with the bot secret, which signs bot requests only
 * and is in no body or header sent here.
 */
export const OUTSIDE_ALARM_KINDS = [
  'halted',
  'drift',
  'unapproved-version',
] as const satisfies readonly LiveAlarmKind[];

export type LiveAlarmEvent = EventPayload<'live:alarm'>;
export type LiveApprovalEvent = EventPayload<'live:approval'>;
/** What leaves the app: an alarm that goes outside, or an approval event. */
export type OutsideEvent = LiveAlarmEvent | LiveApprovalEvent;

export const isApproval = (event: OutsideEvent): event is LiveApprovalEvent => 'approvalId' in event;

export const WEBHOOK_SIGNATURE_HEADER = 'X-Regimen-Signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Regimen-Timestamp';
/** Where the webhook's signing secret is kept (else REGIMEN_WEBHOOK_SECRET). */
export const WEBHOOK_SECRET_NAME = 'live.webhook-secret';
export const WEBHOOK_SECRET_ENV = 'REGIMEN_WEBHOOK_SECRET';

export function goesOutside(alarm: { readonly kind: LiveAlarmKind }): boolean {
  return (OUTSIDE_ALARM_KINDS as readonly string[]).includes(alarm.kind);
}

/** The notification's title and text: which bot, what happened. */
export function outsideNotification(event: OutsideEvent): { title: string; body: string } {
  const what: Record<(typeof OUTSIDE_ALARM_KINDS)[number] | LiveApprovalEvent['kind'], string> = {
    halted: 'halted',
    drift: 'drift alarm',
    'unapproved-version': 'runs an unapproved version',
    'approval-waiting': 'has a proposal waiting for approval',
    'auto-approved': 'change auto-approved by its policy',
  };
  const label = what[event.kind as keyof typeof what] ?? event.kind;
  return { title: `Regimen: ${event.name} ${label}`, body: event.message };
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): what a receiver recomputes. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookDelivery {
  readonly at: number;
  /** The alarm or approval event posted, or 'test' ("send a test"). */
  readonly kind: LiveAlarmKind | LiveApprovalEvent['kind'] | 'test';
  readonly bot: string;
  /** The receiver's HTTP status, or null when it could not be reached. */
  readonly status: number | null;
  readonly error: string | null;
}

export interface AlarmWebhookOptions {
  readonly url: string;
  readonly secret: string;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/**
 * POSTs an alarm (type regimen.live.alarm) or an approval event (regimen.live.approval) as JSON,
 * signed; a network failure or a 5xx is tried again with backoff (a 4xx is the receiver refusing: not
 * retried). Resolves to what happened; never throws (an alarm must not break the watch that raised it).
 */
export async function deliverOutside(
  options: AlarmWebhookOptions,
  event: OutsideEvent,
): Promise<WebhookDelivery> {
  const now = options.now ?? Date.now;
  const { bot, name, ...rest } = event;
  const body = JSON.stringify({
    type: isApproval(event) ? 'regimen.live.approval' : 'regimen.live.alarm',
    bot: { name, url: bot },
    ...rest,
    sentAt: now(),
  });
  return { kind: event.kind, bot, ...(await postSigned(options, body)), at: now() };
}

/**
 * A test the trader sends from the Live view: signed as an alarm is, of its own type so a receiver
 * does not take it for one.
 */
export async function deliverTest(options: AlarmWebhookOptions): Promise<WebhookDelivery> {
  const now = options.now ?? Date.now;
  const body = JSON.stringify({
    type: 'regimen.live.test',
    message: 'a test from Regimen: alarms will arrive here, signed with this secret',
    sentAt: now(),
  });
  return { kind: 'test', bot: '-', ...(await postSigned(options, body)), at: now() };
}

async function postSigned(
  options: AlarmWebhookOptions,
  body: string,
): Promise<{ status: number | null; error: string | null }> {
  const now = options.now ?? Date.now;
  const attempts = options.attempts ?? 3;
  let outcome: { status: number | null; error: string | null } = { status: null, error: null };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const timestamp = String(now());
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(options.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      await response.body?.cancel();
      outcome = { status: response.status, error: response.ok ? null : `HTTP ${response.status}` };
      if (response.status < 500) break;
    } catch (error) {
      outcome = { status: null, error: `cannot reach the webhook: ${(error as Error).message}` };
    }
    if (attempt < attempts) await sleep((options.backoffMs ?? 1_000) * 2 ** (attempt - 1));
  }
  return outcome;
}

/**
 * Sends every alarm that goes outside (as the watcher raises it) and every approval event to `send`
 * (the webhook, a notification). Returns the unsubscribe.
 */
export function forwardOutside(events: EventBus, send: (event: OutsideEvent) => void): () => void {
  return events.subscribe((channel, payload) => {
    if (channel === 'live:alarm' && goesOutside(payload as LiveAlarmEvent)) send(payload as LiveAlarmEvent);
    if (channel === 'live:approval') send(payload as LiveApprovalEvent);
  });
}
