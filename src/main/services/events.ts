import type { EventChannel, EventPayload } from '../../shared/contract.ts';

export type EventListener = <K extends EventChannel>(channel: K, payload: EventPayload<K>) => void;

/** Fan-out of service events to whichever hosts are attached (IPC window, WebSocket clients, CLI). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<K extends EventChannel>(channel: K, payload: EventPayload<K>): void {
    for (const listener of this.listeners) listener(channel, payload);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
