import {
  forwardOutside,
  isApproval,
  outsideNotification,
  type OutsideEvent,
} from '../../livebot/alarmWebhook.ts';
import type { EventBus } from '../events.ts';

export interface OsNotification {
  readonly title: string;
  readonly body: string;
}

/** A flapping alarm (raised, cleared, raised at the next poll) notifies once in this long per bot and kind. */
export const NOTIFY_QUIET_MS = 15 * 60_000;

/**
 * What reaches the OS's notification centre, decided here so it is tested without Electron: each
 * alarm that goes outside (halt, drift, unapproved version) and each approval event (a proposal
 * waiting for a person, an auto-approval) as a title naming the bot and what happened. The same bot's
 * same kind of alarm again within NOTIFY_QUIET_MS is left out, so a bot whose drift alarm flickers each
 * poll does not ring every 15 s; approvals are never left out, each is a different proposal. Returns
 * the unsubscribe.
 */
export function notifyOutside(
  events: EventBus,
  show: (notification: OsNotification) => void,
  now: () => number = Date.now,
): () => void {
  const lastShown = new Map<string, number>();
  return forwardOutside(events, (event: OutsideEvent) => {
    if (!isApproval(event)) {
      const key = `${event.bot}\n${event.kind}`;
      const at = now();
      const previous = lastShown.get(key);
      if (previous !== undefined && at - previous < NOTIFY_QUIET_MS) return;
      lastShown.set(key, at);
    }
    show(outsideNotification(event));
  });
}
