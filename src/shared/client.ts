import type { EventChannel, EventPayload, RequestChannel, RequestInput, RequestOutput } from './contract.ts';

/**
 * The one interface the renderer uses to reach the services. Two implementations: the Electron preload
 * bridge and HTTP + WebSocket for `regimen serve`; nothing else in the renderer knows which it has.
 */
export interface RegimenClient {
  invoke<K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends EventChannel>(channel: K, listener: (payload: EventPayload<K>) => void): () => void;
  /**
   * Told when the event connection opens (true) or drops (false), for a client whose services can go
   * away without the page (a `regimen serve` that stopped); the Electron bridge lives and dies with them.
   */
  onConnection?(listener: (open: boolean) => void): () => void;
  /**
   * Imports a file the user picked or dropped, which the page has as content, not as a server path:
   * `regimen serve` receives it as an upload, the desktop app asks Electron for the file's own path.
   * Absent from clients that cannot (a test's stub).
   */
  importFile?(file: PickedFile, input: ImportFileInput): Promise<RequestOutput<'data:import'>>;
}

/** A browser `File` (shared code has no DOM types); its name gives the symbol when none is chosen. */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
}

/** A `data:import` request without the path, which the host supplies. */
export type ImportFileInput = Omit<RequestInput<'data:import'>, 'path'>;

export type { WireError } from './errors.ts';
