import { expect, it } from 'vitest';
import type { LiveAlarmEvent, LiveApprovalEvent } from '../../livebot/alarmWebhook.ts';
import { EventBus } from '../events.ts';
import { NOTIFY_QUIET_MS, notifyOutside, type OsNotification } from './notifications.ts';

const alarm = (kind: LiveAlarmEvent['kind'], bot = 'http://127.0.0.1:8787'): LiveAlarmEvent => ({
  kind,
  message: `${kind} on ${bot}`,
  since: 1_700_000_000_000,
  bot,
  name: 'spy-bot',
});

it('notifies alarms that go outside, titled by bot and what happened; the rest stay in the app', () => {
  const events = new EventBus();
  const shown: OsNotification[] = [];
  notifyOutside(
    events,
    (n) => shown.push(n),
    () => 0,
  );
  events.emit('live:alarm', alarm('halted'));
  events.emit('live:alarm', alarm('unreachable'));
  events.emit('live:alarm', alarm('win-rate'));
  events.emit('live:alarm', alarm('drift'));
  events.emit('live:status', { name: 'x' } as never);
  expect(shown).toEqual([
    { title: 'Regimen: spy-bot halted', body: 'halted on http://127.0.0.1:8787' },
    { title: 'Regimen: spy-bot drift alarm', body: 'drift on http://127.0.0.1:8787' },
  ]);
});

it("a bot's same alarm again within the quiet time is left out; another bot, another kind or later is not", () => {
  const events = new EventBus();
  let clock = 0;
  const shown: string[] = [];
  const stop = notifyOutside(
    events,
    (n) => shown.push(n.title),
    () => clock,
  );
  events.emit('live:alarm', alarm('drift'));
  clock = NOTIFY_QUIET_MS - 1;
  events.emit('live:alarm', alarm('drift'));
  events.emit('live:alarm', alarm('halted'));
  events.emit('live:alarm', { ...alarm('drift', 'http://127.0.0.1:9'), name: 'eu-bot' });
  clock = 2 * NOTIFY_QUIET_MS;
  events.emit('live:alarm', alarm('drift'));
  stop();
  events.emit('live:alarm', alarm('unapproved-version'));
  expect(shown).toEqual([
    'Regimen: spy-bot drift alarm',
    'Regimen: spy-bot halted',
    'Regimen: eu-bot drift alarm',
    'Regimen: spy-bot drift alarm',
  ]);
});

it('notifies each proposal left waiting for a person and each auto-approval, none left out as a repeat', () => {
  const events = new EventBus();
  const shown: OsNotification[] = [];
  notifyOutside(
    events,
    (n) => shown.push(n),
    () => 0,
  );
  const approval = (kind: LiveApprovalEvent['kind'], approvalId: string): LiveApprovalEvent => ({
    kind,
    bot: 'http://127.0.0.1:8787',
    name: 'spy-bot',
    approvalId,
    message: `study s1 trial ${approvalId}`,
    at: 0,
  });
  events.emit('live:approval', approval('approval-waiting', '1'));
  events.emit('live:approval', approval('approval-waiting', '2'));
  events.emit('live:approval', approval('auto-approved', '3'));
  expect(shown).toEqual([
    { title: 'Regimen: spy-bot has a proposal waiting for approval', body: 'study s1 trial 1' },
    { title: 'Regimen: spy-bot has a proposal waiting for approval', body: 'study s1 trial 2' },
    { title: 'Regimen: spy-bot change auto-approved by its policy', body: 'study s1 trial 3' },
  ]);
});
