import type { z } from 'zod';
import type { DataExportDownloadRequest } from './dataContract.ts';
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
  /**
   * Exports bars to a file the user keeps: `regimen serve` sends the file as a download, the desktop app
   * asks where to save it (a system dialog) and writes it there through `data:export`. Null when the user
   * cancelled the dialog. Absent from clients that cannot (a test's stub).
   */
  exportFile?(input: ExportFileInput): Promise<ExportedFile | null>;
}

/** A browser `File` (shared code has no DOM types); its name gives the symbol when none is chosen. */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
}

/** A `data:import` request without the path, which the host supplies. */
export type ImportFileInput = Omit<RequestInput<'data:import'>, 'path'>;

/** A `data:export` request without the path and overwrite, which the host settles. */
export type ExportFileInput = z.output<typeof DataExportDownloadRequest>;

/** Where an export went (the download's file name, or the path chosen) and how many bars it holds. */
export interface ExportedFile {
  readonly savedAs: string;
  readonly bars: number;
}

/** The desktop app's IPC channel (outside the contract) on which main shows a save dialog. */
export const SAVE_PATH_CHANNEL = 'dialog:save-path';

export type { WireError } from './errors.ts';
