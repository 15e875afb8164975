import { alarmNotification, forwardAlarms, type LiveAlarmEvent } from '../../livebot/alarmWebhook.ts';
import type { EventBus } from '../events.ts';

export interface OsNotification {
  readonly title: string;
  readonly body: string;
}

/** A flapping alarm (raised, cleared, raised at the next poll) notifies once in this long per bot and kind. */
export const NOTIFY_QUIET_MS = 15 * 60_000;

/**
 * What reaches the OS's notification centre, decided here so it is tested without Electron: each
 * alarm that goes outside (halt, drift, unapproved version) as a title naming the bot and what
 * happened, and the same bot's same kind of alarm again within NOTIFY_QUIET_MS left out, so a bot
 * whose drift alarm flickers each poll does not ring every 15 s. Returns the unsubscribe.
 */
export function notifyAlarms(
  events: EventBus,
  show: (notification: OsNotification) => void,
  now: () => number = Date.now,
): () => void {
  const lastShown = new Map<string, number>();
  return forwardAlarms(events, (alarm: LiveAlarmEvent) => {
    const key = `${alarm.bot}\n${alarm.kind}`;
    const at = now();
    const previous = lastShown.get(key);
    if (previous !== undefined && at - previous < NOTIFY_QUIET_MS) return;
    lastShown.set(key, at);
    show(alarmNotification(alarm));
  });
}
